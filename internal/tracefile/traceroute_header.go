package tracefile

import (
	"net/netip"
	"strings"

	"hopscope/internal/path"
)

// toolMessage records a warning the tool printed, such as
// "traceroute: Warning: example.com has multiple addresses; using 192.0.2.1".
func (p *trParser) toolMessage(body string) {
	msg := strings.TrimSpace(body)
	if i := strings.Index(msg, " has multiple addresses; using "); i >= 0 {
		head := msg[:i]
		if j := strings.LastIndexByte(head, ' '); j >= 0 {
			head = head[j+1:]
		}
		using := strings.TrimSpace(msg[i+len(" has multiple addresses; using "):])
		if k := strings.IndexAny(using, " ,;"); k >= 0 {
			using = using[:k]
		}
		p.multi = head
		p.multiTo, _ = netip.ParseAddr(using)
	}
	if p.cur != nil && len(p.cur.Hops) == 0 {
		p.cur.Warnings = append(p.cur.Warnings, msg)
		return
	}
	p.pending = append(p.pending, msg)
}

// isHeaderTail reports whether s is the second half of a wrapped "traceroute to" header:
// "(192.0.2.1), 30 hops max, 60 byte packets", "60 byte packets", "packets", or Huawei's "RL_C to break".
func isHeaderTail(s string) bool {
	return strings.Contains(s, "hops max") || strings.Contains(s, "byte packets") || strings.HasSuffix(s, "to break") ||
		strings.HasPrefix(s, "(") || s == "packets" || s == "byte packets"
}

// newHeader starts a trace from a "traceroute to" header line.
func (p *trParser) newHeader(body string, start int) error {
	t := p.newTrace()
	p.header, p.marked = body, true
	return p.fillHeader(t, body, start)
}

// isScamperTextHeader reports whether body is the header scamper's text output (scamper -O text,
// sc_warts2text) prints: "traceroute from 192.0.2.1 to 198.51.100.9".
func isScamperTextHeader(body string) bool {
	if !strings.HasPrefix(body, "traceroute from ") {
		return false // the cheap test first: this runs on every line
	}
	f := strings.Fields(body)
	if len(f) != 5 || f[0] != "traceroute" || f[1] != "from" || f[3] != "to" {
		return false
	}
	_, err1 := netip.ParseAddr(f[2])
	_, err2 := netip.ParseAddr(f[4])
	return err1 == nil && err2 == nil
}

// scamperHeader starts a trace from scamper's "traceroute from SRC to DST" header; its hop lines
// are traceroute's (" 1  192.0.2.254  0.512 ms"), its MPLS lines BSD's ("MPLS Label=16 TC=0 S=1 TTL=1").
func (p *trParser) scamperHeader(body string, start int) error {
	t := p.newTrace()
	p.marked = true
	f := strings.Fields(body)
	t.From, _ = netip.ParseAddr(f[2])
	t.Target = path.Target{}
	t.Target.Addr, _ = netip.ParseAddr(f[4])
	return nil
}

// fillHeader parses "traceroute to NAME (ADDR)[ from SRC], N hops max, M byte packets" into t.
func (p *trParser) fillHeader(t *path.Trace, body string, start int) error {
	t.Target = path.Target{}
	rest := body[strings.Index(body, " to ")+4:]
	rest = strings.TrimLeft(rest, " ")
	sp := strings.IndexByte(rest, ' ')
	name := rest
	if sp >= 0 {
		name, rest = rest[:sp], strings.TrimLeft(rest[sp:], " ")
	} else {
		rest = ""
	}
	name = strings.TrimSuffix(name, ",")
	if k := strings.IndexByte(name, '('); k > 0 && strings.HasSuffix(name, ")") {
		// Huawei VRP's "traceroute to  10.1.1.1(10.1.1.1), max hops: 30 ,packet length: 40": no space
		// before the address.
		name, rest = name[:k], name[k:]+" "+rest
	}
	if strings.HasPrefix(rest, "(") {
		end := strings.IndexByte(rest, ')')
		if end < 0 {
			return p.errf(start+1, `an address in parentheses after the target name`, rest)
		}
		a, err := netip.ParseAddr(rest[1:end])
		if err != nil {
			return p.errf(start+1, `an IP address in parentheses after the target name`, rest[:end+1])
		}
		t.Target.Addr = a
		rest = rest[end+1:]
	}
	if a, err := netip.ParseAddr(name); err == nil {
		if !t.Target.Addr.IsValid() {
			t.Target.Addr = a
		}
	} else {
		t.Target.Name = name
	}
	if p.multi != "" && (!p.multiTo.IsValid() || p.multiTo == t.Target.Addr) {
		if p.multi != t.Target.Name && t.Target.Name != "" {
			t.Target.Canonical = t.Target.Name
		}
		t.Target.Name = p.multi
		p.multi, p.multiTo = "", netip.Addr{}
	}
	for _, part := range strings.Split(rest, ",") {
		part = strings.TrimSpace(part)
		f := strings.Fields(part)
		switch {
		case huaweiHeaderField(t, f):
		case len(f) == 2 && f[0] == "from":
			if a, err := netip.ParseAddr(f[1]); err == nil {
				t.From = a
			}
		case len(f) == 3 && f[1] == "hops" && f[2] == "max":
			if n, ok := parseUint(f[0], 1<<16); ok {
				t.MaxTTL = n
			}
		case len(f) == 3 && f[1] == "byte" && f[2] == "packets":
			if n, ok := parseUint(f[0], 1<<20); ok {
				t.PacketSize = n
			}
		}
	}
	return nil
}

// globalpingCLIProbe reads the line the Globalping CLI prints before each probe's raw output,
// "> EU, DE, Frankfurt, ASN:210546" or "> NA, US, (NC), Raleigh, ASN:11426, Charter Communications
// Inc", into the probe's Meta (continent, country, state, city, ASN, network).
func globalpingCLIProbe(body string) (map[string]string, bool) {
	rest, ok := strings.CutPrefix(body, "> ")
	if !ok {
		return nil, false
	}
	f := strings.Split(rest, ", ")
	if len(f) < 4 || len(f[0]) != 2 || len(f[1]) != 2 || strings.ToUpper(f[1]) != f[1] {
		return nil, false
	}
	meta := map[string]string{MetaProbeContinent: f[0], MetaProbeCountry: f[1]}
	i := 2
	if st := f[i]; len(st) == 4 && st[0] == '(' && st[3] == ')' {
		meta[MetaProbeState] = st[1:3]
		i++
	}
	if i+1 >= len(f) || !strings.HasPrefix(f[i+1], "ASN:") {
		return nil, false
	}
	asn, ok := parseUint(strings.TrimPrefix(f[i+1], "ASN:"), 1<<32-1)
	if !ok || f[i] == "" {
		return nil, false
	}
	meta[MetaProbeCity] = f[i]
	meta[MetaProbeASN] = itoa(asn)
	if i+2 < len(f) {
		meta[MetaProbeNetwork] = strings.Join(f[i+2:], ", ")
	}
	return meta, true
}
