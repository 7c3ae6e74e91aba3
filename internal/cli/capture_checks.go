package cli

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

// kmPerMsRTT is how far a server can be per millisecond of round trip: light in fibre covers about
// 200 km per ms one way, so 100 km per ms of RTT.
const kmPerMsRTT = 100.0

// rttChecks compares, for each host and server address with a TCP handshake RTT, the farthest the server
// can be (RTT × 100 km) with the distance from the vantage point to where the database places it. from
// nil means the vantage point is unknown: the bound is still reported, without a verdict.
func rttChecks(inv *inventory.Inventory, servers map[string]enrich.Info, from *latLon) []report.HostCheck {
	type key struct {
		host string
		addr netip.Addr
	}
	best := map[key]time.Duration{}
	var order []key
	for _, f := range inv.Flows {
		if !f.HasHandshakeRTT || f.HandshakeRTT <= 0 || !f.Server.IsValid() {
			continue
		}
		h := strings.TrimSuffix(strings.ToLower(f.Host), ".")
		if h == "" {
			h = f.Server.Addr().String()
		}
		k := key{h, f.Server.Addr()}
		if r, ok := best[k]; !ok || f.HandshakeRTT < r {
			if !ok {
				order = append(order, k)
			}
			best[k] = f.HandshakeRTT
		}
	}
	slices.SortFunc(order, func(a, b key) int {
		if c := strings.Compare(a.host, b.host); c != 0 {
			return c
		}
		return a.addr.Compare(b.addr)
	})
	var out []report.HostCheck
	for _, k := range order {
		rtt := best[k]
		ms := float64(rtt) / float64(time.Millisecond)
		c := report.HostCheck{Host: k.host, Server: k.addr.String(), MaxDistanceKm: ms * kmPerMsRTT, DBDistanceKm: -1}
		info, ok := servers[k.addr.String()]
		switch {
		case !ok || !info.HasCoords:
			c.Note = fmt.Sprintf("handshake RTT %.1f ms: the server is within %.0f km of the capture point; the database has no location to check", ms, c.MaxDistanceKm)
		case from == nil:
			c.Note = fmt.Sprintf("handshake RTT %.1f ms: the server is within %.0f km of the capture point; give --from-location to check the database's location", ms, c.MaxDistanceKm)
		default:
			c.DBDistanceKm = enrich.Distance(from.lat, from.lon, info.Lat, info.Lon)
			place := placeLabel(info)
			if c.DBDistanceKm > c.MaxDistanceKm {
				c.Contradiction = true
				c.Note = fmt.Sprintf("the database places %s in %s, %.0f km away, but a %.1f ms handshake allows at most %.0f km: the location is wrong (likely anycast or a stale record)", k.addr, place, c.DBDistanceKm, ms, c.MaxDistanceKm)
			} else {
				c.Note = fmt.Sprintf("the database places %s in %s, %.0f km away, within the %.0f km a %.1f ms handshake allows", k.addr, place, c.DBDistanceKm, c.MaxDistanceKm, ms)
			}
		}
		out = append(out, c)
	}
	return out
}

func placeLabel(in enrich.Info) string {
	switch {
	case in.City != "" && in.Country != "":
		return in.City + ", " + in.Country
	case in.Country != "":
		return in.Country
	}
	return fmt.Sprintf("%.2f,%.2f", in.Lat, in.Lon)
}
