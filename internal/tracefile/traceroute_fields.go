package tracefile

import (
	"strconv"
	"strings"

	"hopscope/internal/path"
)

// wrapGap is the run of spaces that marks a line the terminal wrapped and the copy padded: a word
// cut there ("6." … "357 ms", "xe-0-0-0-10g" … ".M120-2-MURM.example.net") is far longer apart than
// traceroute's own two-space separators.
const wrapGap = 8

// rejoinWrapped joins the two halves of a number or a host name that a terminal's wrap cut apart with
// a long run of spaces (a copy from a fixed-width console pads the wrapped line): a token ending in
// "." followed by digits, or a token followed by one opening with ".".
func rejoinWrapped(toks []token) []token {
	out := toks[:0]
	for i := 0; i < len(toks); i++ {
		t := toks[i]
		if n := len(out); n > 0 {
			prev := &out[n-1]
			gap := t.col - (prev.col + len(prev.s))
			cutNumber := strings.HasSuffix(prev.s, ".") && isInt(t.s) && startsWithDigit(prev.s)
			cutName := strings.HasPrefix(t.s, ".") && len(t.s) > 1 && looksLikeHostname(prev.s) && !startsRTT([]token{*prev})
			if gap >= wrapGap && (cutNumber || cutName) {
				prev.s += t.s
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// isDottedHostname reports whether s is a dotted host name with a letter in it (not an address,
// which ParseAddr reads, nor a number).
func isDottedHostname(s string) bool {
	if !looksLikeHostname(s) || strings.IndexByte(s, '.') < 0 || s[0] == '.' || s[0] == '-' {
		return false
	}
	return strings.ContainsAny(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// startsRTT reports whether toks open with an RTT: "3.402 ms" or "3.402ms".
func startsRTT(toks []token) bool {
	s := toks[0].s
	if v, ok := strings.CutSuffix(s, "ms"); ok && v != "" {
		_, ok := parseMillis(v)
		return ok
	}
	if _, ok := parseMillis(s); ok && len(toks) > 1 && toks[1].s == "ms" {
		return true
	}
	return false
}

// annotation maps traceroute's "!H", "!N", "!X", "!F-1500", "!<10>", "!10" to the model's code.
func annotation(s string) (string, bool) {
	c := s[1:]
	switch {
	case c == "":
		return "", false
	case strings.HasPrefix(c, "<") && strings.HasSuffix(c, ">"):
		if _, ok := parseUint(c[1:len(c)-1], 1<<16); ok { // "!<500>" in pastes, too
			return c[1 : len(c)-1], true
		}
		return "", false
	case strings.HasPrefix(c, "F"):
		return "F", true // "!F-1500": fragmentation needed, with the next-hop MTU
	}
	if _, ok := parseUint(c, 255); ok {
		return c, true
	}
	if len(c) == 1 && c[0] >= 'A' && c[0] <= 'Z' {
		return c, true
	}
	return "", false
}

// asnToken parses "[AS15169]", "[AS15169/AS36040]" (first wins), "[*]" or "[AS0]" (no AS: 0).
func asnToken(s string) (uint32, bool) {
	if len(s) < 3 || s[len(s)-1] != ']' {
		return 0, false
	}
	in := s[1 : len(s)-1]
	if in == "*" || in == "" {
		return 0, true
	}
	if i := strings.IndexAny(in, "/,"); i >= 0 {
		in = in[:i]
	}
	if !strings.HasPrefix(in, "AS") && !strings.HasPrefix(in, "as") {
		return 0, false
	}
	n, err := strconv.ParseUint(in[2:], 10, 32)
	if err != nil {
		return 0, false
	}
	return uint32(n), true
}

// mplsToken parses Linux traceroute's "<MPLS:L=24001,E=0,S=1,T=1/L=...>" extension.
func mplsToken(s string) ([]path.MPLSLabel, bool) {
	if !strings.HasSuffix(s, ">") || !strings.HasPrefix(s, "<MPLS:") {
		return nil, strings.HasSuffix(s, ">") && len(s) > 2 // other extensions are accepted and ignored
	}
	var out []path.MPLSLabel
	for _, ent := range strings.Split(s[6:len(s)-1], "/") {
		var l path.MPLSLabel
		for _, kv := range strings.Split(ent, ",") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, false
			}
			n, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, false
			}
			switch k {
			case "L":
				if n >= 1<<20 {
					return nil, false
				}
				l.Label = uint32(n)
			case "E", "TC":
				l.TC = uint8(n & 7)
			case "S":
				l.S = n != 0
			case "T":
				l.TTL = uint8(n & 0xff)
			default:
				return nil, false
			}
		}
		out = append(out, l)
	}
	return out, len(out) > 0
}

// isTracerouteCommand reports whether a prompt line runs traceroute.
func isTracerouteCommand(line string) bool {
	for _, w := range strings.Fields(line) {
		if b := toolBase(w); b == "traceroute" || b == "traceroute6" {
			return true
		}
	}
	return false
}

// applyTracerouteCommand sets the probe protocol from a copied "traceroute ..." command line:
// no method option means classic UDP with a new destination port per probe (FlowsVaried);
// -I/--icmp is ICMP echo, -T/--tcp TCP SYN and -U/--udp UDP to one fixed port (Linux), -P PROTO (BSD)
// and -M METHOD (Linux) name the protocol. Run through the Globalping CLI ("globalping traceroute"),
// the protocol is ICMP unless --protocol says otherwise. The target it names stands until a header says.
func applyTracerouteCommand(t *path.Trace, line string) {
	words := strings.Fields(line)
	at := -1
	for i, w := range words {
		if b := toolBase(w); b == "traceroute" || b == "traceroute6" {
			at = i
			break
		}
	}
	if at < 0 {
		return
	}
	setMeta(t, "command", strings.Join(words[at:], " "))
	if target, ok := commandTarget(line, []string{"traceroute", "traceroute6"}, tracerouteValueOptions); ok && !t.Target.Addr.IsValid() && t.Target.Name == "" {
		// The target when no "traceroute to" header follows (a header replaces it).
		t.Target = target
	}
	if at > 0 && toolBase(words[at-1]) == "globalping" {
		// "globalping traceroute TARGET from WHERE [--protocol P]": the probes' traceroute runs
		// ICMP unless told otherwise, with a fixed flow.
		t.Protocol, t.FlowsVaried = path.ProtoICMP, false
		for i := at + 1; i+1 < len(words); i++ {
			if words[i] == "--protocol" {
				switch strings.ToLower(words[i+1]) {
				case "tcp":
					t.Protocol = path.ProtoTCP
				case "udp":
					t.Protocol = path.ProtoUDP
				}
			}
		}
		return
	}
	proto, varied := path.ProtoUDP, true
	for i := at + 1; i < len(words); i++ {
		w := words[i]
		next := ""
		if i+1 < len(words) {
			next = strings.ToLower(words[i+1])
		}
		switch {
		case w == "|" || w == ">" || w == ";" || w == "&&":
			i = len(words)
		case w == "--icmp":
			proto, varied = path.ProtoICMP, false
		case w == "--tcp":
			proto, varied = path.ProtoTCP, false
		case w == "--udp":
			proto, varied = path.ProtoUDP, false
		case w == "-M" || w == "-P":
			switch {
			case strings.HasPrefix(next, "icmp"):
				proto, varied = path.ProtoICMP, false
			case strings.HasPrefix(next, "tcp"):
				proto, varied = path.ProtoTCP, false
			case strings.HasPrefix(next, "udp"):
				proto = path.ProtoUDP
			}
			i++
		case len(w) > 1 && w[0] == '-' && w[1] != '-':
			switch {
			case strings.ContainsRune(w, 'I'):
				proto, varied = path.ProtoICMP, false
			case strings.ContainsRune(w, 'T'):
				proto, varied = path.ProtoTCP, false
			case strings.ContainsRune(w, 'U'):
				proto, varied = path.ProtoUDP, false
			}
		}
	}
	t.Protocol, t.FlowsVaried = proto, varied
}

// bsdMPLS parses "Label=N CoS=N TTL=N S=N" (CoS may be "Exp"); n is the number of tokens used.
func bsdMPLS(toks []token) (l path.MPLSLabel, n int, ok bool) {
	for n < len(toks) && n < 4 {
		k, v, found := strings.Cut(toks[n].s, "=")
		if !found {
			break
		}
		x, err := strconv.ParseUint(v, 10, 32)
		if err != nil {
			return l, n, false
		}
		switch k {
		case "Label":
			if x >= 1<<20 {
				return l, n, false
			}
			l.Label = uint32(x)
		case "CoS", "Exp", "TC":
			l.TC = uint8(x & 7)
		case "TTL":
			l.TTL = uint8(x & 0xFF)
		case "S":
			l.S = x != 0
		default:
			return l, n, false
		}
		n++
	}
	return l, n, n > 0
}
