package analysis

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/explain"
	"hopscope/internal/geo"
	"hopscope/internal/inventory"
	"hopscope/internal/report"
)

// HostChecks compares, for each host and server address of inv with a TCP handshake RTT, the farthest
// the server can be (geo.MaxDistanceKm of the smallest RTT) with the distance from the vantage point to
// where the database places it (servers, keyed by address). from nil, or without coordinates, means the
// vantage point is unknown: the bound is still reported, without a verdict. Checks are ordered by host,
// then address; nil when no flow has a handshake RTT.
func HostChecks(inv *inventory.Inventory, servers map[netip.Addr]enrich.Info, from *explain.Place) []report.HostCheck {
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
		ms := float64(best[k]) / float64(time.Millisecond)
		c := report.HostCheck{Host: k.host, Server: k.addr.String(), MaxDistanceKm: geo.MaxDistanceKm(ms),
			DBDistanceKm: -1, Verdict: report.VerdictUnknown}
		info, ok := servers[k.addr]
		switch {
		case !ok || !info.HasCoords:
			c.Note = fmt.Sprintf("handshake RTT %.1f ms: the server is within %.0f km of the capture point; the database has no location to check", ms, c.MaxDistanceKm)
		case from == nil || !from.HasCoords:
			c.Note = fmt.Sprintf("handshake RTT %.1f ms: the server is within %.0f km of the capture point; give --from-location to check the database's location", ms, c.MaxDistanceKm)
		default:
			c.DBDistanceKm = geo.DistanceKm(from.Lat, from.Lon, info.Lat, info.Lon)
			place := (&explain.Place{City: info.City, Country: info.Country, Lat: info.Lat, Lon: info.Lon, HasCoords: true}).Label()
			if c.DBDistanceKm > c.MaxDistanceKm {
				c.Contradiction, c.Verdict = true, report.VerdictContradiction
				c.Note = fmt.Sprintf("the database places %s in %s, %.0f km away, but a %.1f ms handshake allows at most %.0f km: the location is wrong (likely anycast or a stale record)", k.addr, place, c.DBDistanceKm, ms, c.MaxDistanceKm)
			} else {
				c.Verdict = report.VerdictConsistent
				c.Note = fmt.Sprintf("the database places %s in %s, %.0f km away, within the %.0f km a %.1f ms handshake allows", k.addr, place, c.DBDistanceKm, c.MaxDistanceKm, ms)
			}
		}
		out = append(out, c)
	}
	return out
}
