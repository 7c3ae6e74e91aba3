package report

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/enrich"
	"hopscope/internal/inventory"
)

// Domains is an application's inventory (from the proxy, a HAR file or a capture) grouped by registrable
// domain, with what is known about each server address.
type Domains struct {
	// Source is "proxy", "har", "capture" or "hosts"; Origin names the file, interface or session.
	Source string `json:"source"`
	Origin string `json:"origin,omitempty"`
	// Domains are the registrable domains, largest traffic first.
	Domains   []DomainSummary `json:"domains"`
	Hosts     int             `json:"hosts"`
	Flows     int             `json:"flows"`
	BytesUp   int64           `json:"bytes_up"`
	BytesDown int64           `json:"bytes_down"`
	// First and Last span every timed flow; zero when no flow was timed.
	First    time.Time `json:"first,omitzero"`
	Last     time.Time `json:"last,omitzero"`
	Warnings []string  `json:"warnings,omitempty"`
	// Servers holds what is known about each server address, keyed by its text form; nil when not enriched.
	Servers map[string]AddrInfo `json:"servers,omitempty"`
	// Checks are per-host observations, such as a handshake RTT too small for the database's location.
	Checks []HostCheck `json:"checks,omitempty"`
}

// DomainSummary groups the hosts of one registrable domain.
type DomainSummary struct {
	Domain string `json:"domain"`
	// Hosts are the domain's hosts, largest traffic first.
	Hosts     []HostSummary `json:"hosts"`
	Flows     int           `json:"flows"`
	Requests  int           `json:"requests"`
	BytesUp   int64         `json:"bytes_up"`
	BytesDown int64         `json:"bytes_down"`
	// First and Last span the domain's timed flows; zero when none was timed.
	First time.Time `json:"first,omitzero"`
	Last  time.Time `json:"last,omitzero"`
}

// HostSummary is everything the inventory holds about one host name (or, for unnamed flows, one server
// address), with the labels renderers show.
type HostSummary struct {
	Host string `json:"host"`
	// Domain is the registrable domain; the host itself when it has none (an address, a single label).
	Domain    string    `json:"domain"`
	Flows     int       `json:"flows"`
	Requests  int       `json:"requests"`
	BytesUp   int64     `json:"bytes_up"`
	BytesDown int64     `json:"bytes_down"`
	First     time.Time `json:"first,omitzero"`
	Last      time.Time `json:"last,omitzero"`
	Protocols []string  `json:"protocols"`
	// Servers are the server addresses in text form, ascending.
	Servers []string `json:"servers,omitempty"`
	// Ports are the server ports seen, ascending.
	Ports []uint16 `json:"ports,omitempty"`
	// NameSources says how the flows were named ("sni", "dns", ...), ascending.
	NameSources []string `json:"name_sources,omitempty"`
	// AskedNames are the names the app asked DNS for that led to this host (a CNAME target); empty when
	// the app used the host's own name.
	AskedNames []string `json:"asked_names,omitempty"`
	// Purpose is a guess from the name ("pictures", "mini programs"); empty when no rule matched.
	Purpose string `json:"purpose,omitempty"`
	// PurposeRule is the pattern that produced Purpose.
	PurposeRule string `json:"purpose_rule,omitempty"`
	// MinHandshakeRTT is the smallest handshake RTT of the host's flows; meaningful only when HasHandshakeRTT.
	MinHandshakeRTT time.Duration `json:"min_handshake_rtt_ns,omitempty"`
	HasHandshakeRTT bool          `json:"has_handshake_rtt,omitempty"`
	// Passthrough counts flows the proxy did not intercept; Errors counts flows with an error.
	Passthrough int `json:"passthrough,omitempty"`
	Errors      int `json:"errors,omitempty"`
	// CertRefusal is "pinned" when the proxy passes the host through because its client refused our
	// certificate repeatedly, "untrusted" when a client refused it once; "" when none did.
	CertRefusal string `json:"cert_refusal,omitempty"`

	// Note is "asked as a.example, 1 passed through, 2 errors"; "" when there is nothing to say.
	Note string `json:"note,omitempty"`
	// ServerAS, ServerOrg and ServerCountry join the distinct AS numbers ("AS132203,AS45090"), AS
	// organisations (or special-range kinds) and country codes of the host's enriched servers; "" when
	// none is known.
	ServerAS      string `json:"server_as,omitempty"`
	ServerOrg     string `json:"server_org,omitempty"`
	ServerCountry string `json:"server_country,omitempty"`
}

// HostCheck compares what a host's measured RTT allows with where the database places its server.
type HostCheck struct {
	Host   string `json:"host"`
	Server string `json:"server"`
	// MaxDistanceKm is the farthest the server can be given the handshake RTT (light in fibre, ~100 km per ms RTT).
	MaxDistanceKm float64 `json:"max_distance_km"`
	// DBDistanceKm is the distance from the vantage point to the database's location; -1 when unknown.
	DBDistanceKm float64 `json:"db_distance_km"`
	// Contradiction is true when DBDistanceKm exceeds MaxDistanceKm: the database location cannot be right.
	Contradiction bool `json:"contradiction"`
	// Verdict is "contradiction", "consistent" or "unknown" (no vantage point or no database location).
	Verdict string `json:"verdict"`
	Note    string `json:"note"`
}

// Host check verdicts.
const (
	VerdictContradiction = "contradiction"
	VerdictConsistent    = "consistent"
	VerdictUnknown       = "unknown"
)

// NewDomains builds the section from an inventory summary, the enrichment of its server addresses (nil
// when not enriched) and the RTT checks (nil when none were made), with every label renderers show.
func NewDomains(sum inventory.Summary, servers map[netip.Addr]enrich.Info, checks []HostCheck) *Domains {
	d := &Domains{Source: sum.Source, Origin: sum.Origin, Hosts: sum.Hosts, Flows: sum.Flows,
		BytesUp: sum.BytesUp, BytesDown: sum.BytesDown, Warnings: sum.Warnings,
		Servers: NewAddrInfos(servers), Checks: checks}
	for _, ds := range sum.Domains {
		dom := DomainSummary{Domain: ds.Domain, Flows: ds.Flows, Requests: ds.Requests, BytesUp: ds.BytesUp,
			BytesDown: ds.BytesDown, First: ds.First, Last: ds.Last}
		for _, hs := range ds.Hosts {
			dom.Hosts = append(dom.Hosts, newHostSummary(hs, d.Servers))
		}
		if !ds.First.IsZero() && (d.First.IsZero() || ds.First.Before(d.First)) {
			d.First = ds.First
		}
		if ds.Last.After(d.Last) {
			d.Last = ds.Last
		}
		d.Domains = append(d.Domains, dom)
	}
	return d
}

func newHostSummary(hs inventory.HostSummary, servers map[string]AddrInfo) HostSummary {
	h := HostSummary{Host: hs.Host, Domain: hs.Domain, Flows: hs.Flows, Requests: hs.Requests,
		BytesUp: hs.BytesUp, BytesDown: hs.BytesDown, First: hs.First, Last: hs.Last, Protocols: hs.Protocols,
		Ports: hs.Ports, NameSources: hs.NameSources, AskedNames: hs.AskedNames, Purpose: hs.Purpose,
		PurposeRule: hs.PurposeRule, MinHandshakeRTT: hs.MinHandshakeRTT, HasHandshakeRTT: hs.HasHandshakeRTT,
		Passthrough: hs.Passthrough, Errors: hs.Errors, CertRefusal: hs.CertRefusal}
	for _, a := range hs.Servers {
		h.Servers = append(h.Servers, a.String())
	}
	h.Note = hostNote(hs)
	h.ServerAS, h.ServerOrg, h.ServerCountry = serverColumns(h.Servers, servers)
	return h
}

// hostNote is "asked as a.example, 1 passed through, 2 errors".
func hostNote(h inventory.HostSummary) string {
	var parts []string
	switch h.CertRefusal {
	case inventory.RefusalPinned:
		parts = append(parts, "pinned: passed through from now on")
	case inventory.RefusalUntrusted:
		parts = append(parts, "client does not trust the hopscope CA: run `hopscope ca trust-help`")
	}
	if len(h.AskedNames) > 0 {
		parts = append(parts, "asked as "+strings.Join(h.AskedNames, ", "))
	}
	if h.Passthrough > 0 {
		parts = append(parts, strconv.Itoa(h.Passthrough)+" passed through")
	}
	if h.Errors > 0 {
		parts = append(parts, plural(h.Errors, "error"))
	}
	return strings.Join(parts, ", ")
}

// serverColumns joins the distinct AS numbers, operators and countries of a host's enriched servers.
func serverColumns(addrs []string, servers map[string]AddrInfo) (as, org, cc string) {
	var ases, orgs, ccs []string
	add := func(list *[]string, v string) {
		if v != "" && !slices.Contains(*list, v) {
			*list = append(*list, v)
		}
	}
	for _, a := range addrs {
		info, ok := servers[a]
		if !ok {
			continue
		}
		if info.ASN != 0 {
			add(&ases, "AS"+strconv.FormatUint(uint64(info.ASN), 10))
		}
		add(&orgs, info.ASOrg)
		if info.Special != nil && info.ASN == 0 {
			add(&orgs, info.Special.Kind)
		}
		add(&ccs, info.Country)
	}
	return strings.Join(ases, ","), strings.Join(orgs, ", "), strings.Join(ccs, ",")
}

func plural(n int, s string) string {
	if n == 1 {
		return "1 " + s
	}
	return strconv.Itoa(n) + " " + s + "s"
}
