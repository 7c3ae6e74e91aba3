package inventory

import (
	"bufio"
	"fmt"
	"io"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/net/publicsuffix"
)

// HostSummary is everything an inventory holds about one host name (or, for unnamed flows, one server address).
type HostSummary struct {
	Host string `json:"host"`
	// Domain is the registrable domain (eTLD+1 by the public suffix list); the host itself when it has none
	// (an address, a single label).
	Domain    string       `json:"domain"`
	Flows     int          `json:"flows"`
	Requests  int          `json:"requests"`
	BytesUp   int64        `json:"bytes_up"`
	BytesDown int64        `json:"bytes_down"`
	First     time.Time    `json:"first,omitzero"`
	Last      time.Time    `json:"last,omitzero"`
	Protocols []string     `json:"protocols"`
	Servers   []netip.Addr `json:"servers,omitempty"`
	// Ports are the server ports seen, ascending.
	Ports []uint16 `json:"ports,omitempty"`
	// NameSources says how the flows were named ("sni", "dns", ...), ascending.
	NameSources []string `json:"name_sources,omitempty"`
	// AskedNames are the names the app asked DNS for that led to this host (a CNAME target), ascending;
	// empty when the app used the host's own name.
	AskedNames []string `json:"asked_names,omitempty"`
	// Purpose is a guess from the name ("pictures", "mini programs"); empty when no rule matched.
	Purpose string `json:"purpose,omitempty"`
	// PurposeRule is the pattern that produced Purpose.
	PurposeRule string `json:"purpose_rule,omitempty"`
	// MinHandshakeRTT is the smallest handshake RTT of the host's flows; meaningful when HasHandshakeRTT.
	MinHandshakeRTT time.Duration `json:"min_handshake_rtt_ns,omitempty"`
	HasHandshakeRTT bool          `json:"has_handshake_rtt,omitempty"`
	// Passthrough counts flows the proxy did not intercept; Errors counts flows with an error.
	Passthrough int `json:"passthrough,omitempty"`
	Errors      int `json:"errors,omitempty"`
	// CertRefusal is RefusalPinned when any flow was pinned, else RefusalUntrusted when a client
	// refused the proxy's certificate; "" when no client did.
	CertRefusal string `json:"cert_refusal,omitempty"`
}

// DomainSummary groups the hosts of one registrable domain.
type DomainSummary struct {
	Domain    string        `json:"domain"`
	Hosts     []HostSummary `json:"hosts"`
	Flows     int           `json:"flows"`
	Requests  int           `json:"requests"`
	BytesUp   int64         `json:"bytes_up"`
	BytesDown int64         `json:"bytes_down"`
	First     time.Time     `json:"first,omitzero"`
	Last      time.Time     `json:"last,omitzero"`
}

// Summary is the inventory grouped by registrable domain, largest traffic first.
type Summary struct {
	Source    string          `json:"source"`
	Origin    string          `json:"origin,omitempty"`
	Domains   []DomainSummary `json:"domains"`
	Hosts     int             `json:"hosts"`
	Flows     int             `json:"flows"`
	BytesUp   int64           `json:"bytes_up"`
	BytesDown int64           `json:"bytes_down"`
	Warnings  []string        `json:"warnings,omitempty"`
}

// PurposeRule maps host names matching Pattern to a purpose.
type PurposeRule struct {
	Pattern *regexp.Regexp
	Purpose string
}

// defaultRules are tried after the user's rules. Each pattern is matched against the whole lower-case host.
// tok() makes a pattern that matches a whole name token (labels split at '.' and '-').
var defaultRules = []struct{ pattern, purpose string }{
	{tok("mp") + "|" + tok("miniprogram") + "|" + tok("wxa"), "mini programs"},
	{tok("channels") + "|" + tok("finder"), "video channels"},
	{`qpic`, "pictures"},
	{`qlogo`, "avatars and logos"},
	{`(^|[.-])(img|image|images|pic|pics|photo|photos|thumb)[0-9]*([.-]|$)|thumb`, "images"},
	{`(^|[.-])(video|vod|live|stream|media)[0-9]*([.-]|$)`, "video and media"},
	{`(^|[.-])(log|logs|stat|stats|analytics|beacon|report|metrics|telemetry|track|tracking|collect)[0-9]*([.-]|$)`, "telemetry"},
	{`(^|[.-])(ad|ads|adservice|doubleclick|adsystem)[0-9]*([.-]|$)`, "advertising"},
	{`(^|[.-])(login|auth|oauth|sso|account|accounts|passport|id)[0-9]*([.-]|$)`, "authentication"},
	{`(^|[.-])(pay|payment|payments|wallet)[0-9]*([.-]|$)`, "payments"},
	{`(^|[.-])(push|notify|notification|mqtt)[0-9]*([.-]|$)`, "push notifications"},
	{`(^|[.-])(dl|download|update|updates|upgrade)[0-9]*([.-]|$)`, "downloads and updates"},
	{`(^|[.-])(static|assets|res|resource|resources|cdn|fonts?)[0-9]*([.-]|$)`, "static content"},
	{`(^|[.-])(short|long|szshort|szlong|hkshort|hklong|sgshort|sglong|dns)[0-9]*([.-]|$)`, "messaging and long connections"},
	{`(^|[.-])(api|apis|gateway|gw)[0-9]*([.-]|$)`, "API"},
	{`(^|[.-])(search|so|sou)[0-9]*([.-]|$)`, "search"},
	{`(^|[.-])(map|maps)[0-9]*([.-]|$)`, "maps"},
	{`(^|[.-])(ws|wss|socket|websocket)[0-9]*([.-]|$)`, "realtime"},
}

func tok(s string) string { return `(^|[.-])` + s + `([.-]|$)` }

// DefaultRules returns the built-in purpose rules.
func DefaultRules() []PurposeRule {
	out := make([]PurposeRule, 0, len(defaultRules))
	for _, r := range defaultRules {
		out = append(out, PurposeRule{Pattern: regexp.MustCompile(r.pattern), Purpose: r.purpose})
	}
	return out
}

// ParseRules reads purpose rules, one per line: a Go regular expression matched against the lower-case
// host name, whitespace, then the purpose. Blank lines and lines starting with '#' are ignored.
// name is used in errors.
func ParseRules(r io.Reader, name string) ([]PurposeRule, error) {
	var out []PurposeRule
	sc := bufio.NewScanner(r)
	line := 0
	for sc.Scan() {
		line++
		s := strings.TrimSpace(sc.Text())
		if s == "" || strings.HasPrefix(s, "#") {
			continue
		}
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return nil, fmt.Errorf("%s:%d: want \"PATTERN PURPOSE\", got %q", name, line, s)
		}
		re, err := regexp.Compile(s[:i])
		if err != nil {
			return nil, fmt.Errorf("%s:%d: bad pattern: %w", name, line, err)
		}
		out = append(out, PurposeRule{Pattern: re, Purpose: strings.TrimSpace(s[i:])})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// GuessPurpose returns the purpose of the first rule matching host, and the rule's pattern.
func GuessPurpose(host string, rules []PurposeRule) (purpose, pattern string) {
	h := strings.ToLower(host)
	for _, r := range rules {
		if r.Pattern.MatchString(h) {
			return r.Purpose, r.Pattern.String()
		}
	}
	return "", ""
}

// RegistrableDomain returns the eTLD+1 of host, or host itself when it is an address or has no public suffix parent.
func RegistrableDomain(host string) string {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if _, err := netip.ParseAddr(h); err == nil {
		return h
	}
	d, err := publicsuffix.EffectiveTLDPlusOne(h)
	if err != nil {
		return h
	}
	return d
}

// Summarize groups inv by host and registrable domain. rules are tried in order, before the defaults;
// nil means defaults only. Unnamed flows are grouped under their server address.
func Summarize(inv *Inventory, rules []PurposeRule) Summary {
	all := append(slices.Clone(rules), DefaultRules()...)
	hosts := map[string]*HostSummary{}
	var order []string
	addrKeys := map[netip.Addr]string{} // unnamed flows are keyed by their server address, formatted once
	for i := range inv.Flows {
		f := &inv.Flows[i]
		key := strings.TrimSuffix(strings.ToLower(f.Host), ".")
		named := key != ""
		if !named {
			if f.Server.IsValid() {
				a := f.Server.Addr()
				if key = addrKeys[a]; key == "" {
					key = a.String()
					addrKeys[a] = key
				}
			} else {
				key = "(unknown)"
			}
		}
		h := hosts[key]
		if h == nil {
			h = &HostSummary{Host: key, Domain: key}
			if named { // an address has neither a registrable domain nor a purpose in its name
				h.Domain = RegistrableDomain(key)
				h.Purpose, h.PurposeRule = GuessPurpose(key, all)
			}
			hosts[key] = h
			order = append(order, key)
		}
		h.Flows++
		if f.HTTP != nil {
			h.Requests++
		}
		h.BytesUp += f.BytesUp
		h.BytesDown += f.BytesDown
		if !f.Start.IsZero() {
			end := f.Start.Add(f.Duration)
			if h.First.IsZero() || f.Start.Before(h.First) {
				h.First = f.Start
			}
			if end.After(h.Last) {
				h.Last = end
			}
		}
		if f.Protocol != "" && !slices.Contains(h.Protocols, f.Protocol) {
			h.Protocols = append(h.Protocols, f.Protocol)
		}
		if f.Server.IsValid() {
			if a := f.Server.Addr(); !slices.Contains(h.Servers, a) {
				h.Servers = append(h.Servers, a)
			}
			if p := f.Server.Port(); !slices.Contains(h.Ports, p) {
				h.Ports = append(h.Ports, p)
			}
		}
		if a := strings.TrimSuffix(strings.ToLower(f.AskedName), "."); a != "" && a != key && !slices.Contains(h.AskedNames, a) {
			h.AskedNames = append(h.AskedNames, a)
		}
		if f.NameSource != "" && !slices.Contains(h.NameSources, f.NameSource) {
			h.NameSources = append(h.NameSources, f.NameSource)
		}
		if f.HasHandshakeRTT && (!h.HasHandshakeRTT || f.HandshakeRTT < h.MinHandshakeRTT) {
			h.MinHandshakeRTT, h.HasHandshakeRTT = f.HandshakeRTT, true
		}
		if f.Passthrough != "" {
			h.Passthrough++
		}
		if f.Error != "" {
			h.Errors++
		}
		if f.CertRefusal != "" && h.CertRefusal != RefusalPinned {
			h.CertRefusal = f.CertRefusal
		}
	}
	doms := map[string]*DomainSummary{}
	var dorder []string
	s := Summary{Source: inv.Source, Origin: inv.Origin, Warnings: inv.Warnings}
	for _, k := range order {
		h := hosts[k]
		slices.Sort(h.Protocols)
		slices.Sort(h.Ports)
		slices.Sort(h.NameSources)
		slices.Sort(h.AskedNames)
		slices.SortFunc(h.Servers, func(a, b netip.Addr) int { return a.Compare(b) })
		d := doms[h.Domain]
		if d == nil {
			d = &DomainSummary{Domain: h.Domain}
			doms[h.Domain] = d
			dorder = append(dorder, h.Domain)
		}
		d.Hosts = append(d.Hosts, *h)
		d.Flows += h.Flows
		d.Requests += h.Requests
		d.BytesUp += h.BytesUp
		d.BytesDown += h.BytesDown
		if !h.First.IsZero() && (d.First.IsZero() || h.First.Before(d.First)) {
			d.First = h.First
		}
		if h.Last.After(d.Last) {
			d.Last = h.Last
		}
		s.Hosts++
		s.Flows += h.Flows
		s.BytesUp += h.BytesUp
		s.BytesDown += h.BytesDown
	}
	for _, k := range dorder {
		d := doms[k]
		slices.SortStableFunc(d.Hosts, func(a, b HostSummary) int {
			if c := cmpInt64(b.BytesUp+b.BytesDown, a.BytesUp+a.BytesDown); c != 0 {
				return c
			}
			return strings.Compare(a.Host, b.Host)
		})
		s.Domains = append(s.Domains, *d)
	}
	slices.SortStableFunc(s.Domains, func(a, b DomainSummary) int {
		if c := cmpInt64(b.BytesUp+b.BytesDown, a.BytesUp+a.BytesDown); c != 0 {
			return c
		}
		if c := b.Flows - a.Flows; c != 0 {
			return c
		}
		return strings.Compare(a.Domain, b.Domain)
	})
	return s
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
