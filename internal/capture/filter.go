package capture

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Filter is a packet filter in a subset of the pcap-filter(7) language, evaluated on decoded packets
// (so it works the same on files and live capture, for every link type).
//
// Supported: "tcp", "udp", "ip", "ip6"; "[src|dst] host ADDR"; "[src|dst] net CIDR";
// "[tcp|udp] [src|dst] port N"; "[tcp|udp] [src|dst] portrange N-M"; combined with "and"/"&&",
// "or"/"||", "not"/"!" and parentheses. Adjacent primitives without an operator are joined by "and".
type Filter struct {
	expr string
	root node
}

// String returns the expression the filter was parsed from.
func (f *Filter) String() string { return f.expr }

type node interface{ match(p *packet) bool }

type andNode struct{ l, r node }
type orNode struct{ l, r node }
type notNode struct{ n node }

func (n andNode) match(p *packet) bool { return n.l.match(p) && n.r.match(p) }
func (n orNode) match(p *packet) bool  { return n.l.match(p) || n.r.match(p) }
func (n notNode) match(p *packet) bool { return !n.n.match(p) }

// dirSel says which end a primitive applies to.
type dirSel uint8

const (
	dirAny dirSel = iota
	dirSrc
	dirDst
)

type protoNode struct {
	proto uint8 // 0: any
	v6    int8  // -1: any, 0: IPv4, 1: IPv6
}

func (n protoNode) match(p *packet) bool {
	if n.proto != 0 && p.proto != n.proto {
		return false
	}
	switch n.v6 {
	case 0:
		return !p.v6
	case 1:
		return p.v6
	}
	return true
}

type netNode struct {
	dir    dirSel
	prefix netip.Prefix
}

func (n netNode) match(p *packet) bool {
	src, dst := addrOf(p.src, p.v6), addrOf(p.dst, p.v6)
	switch n.dir {
	case dirSrc:
		return n.prefix.Contains(src)
	case dirDst:
		return n.prefix.Contains(dst)
	}
	return n.prefix.Contains(src) || n.prefix.Contains(dst)
}

type portNode struct {
	dir    dirSel
	proto  uint8 // 0: tcp or udp
	lo, hi uint16
}

func (n portNode) match(p *packet) bool {
	if p.proto != protoTCP && p.proto != protoUDP {
		return false
	}
	if n.proto != 0 && p.proto != n.proto {
		return false
	}
	in := func(x uint16) bool { return x >= n.lo && x <= n.hi }
	switch n.dir {
	case dirSrc:
		return in(p.sport)
	case dirDst:
		return in(p.dport)
	}
	return in(p.sport) || in(p.dport)
}

// ParseFilter parses a filter expression; the empty expression gives nil (match everything).
func ParseFilter(expr string) (*Filter, error) {
	toks := tokenize(expr)
	if len(toks) == 0 {
		return nil, nil
	}
	ps := &filterParser{toks: toks}
	n, err := ps.or()
	if err != nil {
		return nil, fmt.Errorf("filter %q: %w", expr, err)
	}
	if ps.i < len(toks) {
		return nil, fmt.Errorf("filter %q: unexpected %q at word %d", expr, toks[ps.i], ps.i+1)
	}
	return &Filter{expr: expr, root: n}, nil
}

func (f *Filter) match(p *packet) bool { return f == nil || f.root.match(p) }

func tokenize(s string) []string {
	var out []string
	cur := strings.Builder{}
	flush := func() {
		if cur.Len() > 0 {
			out = append(out, cur.String())
			cur.Reset()
		}
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n':
			flush()
		case c == '(' || c == ')':
			flush()
			out = append(out, string(c))
		case c == '!' && (i+1 >= len(s) || s[i+1] != '='):
			flush()
			out = append(out, "!")
		case (c == '&' || c == '|') && i+1 < len(s) && s[i+1] == c:
			flush()
			out = append(out, s[i:i+2])
			i++
		default:
			cur.WriteByte(c)
		}
	}
	flush()
	return out
}

type filterParser struct {
	toks []string
	i    int
}

func (ps *filterParser) peek() string {
	if ps.i < len(ps.toks) {
		return strings.ToLower(ps.toks[ps.i])
	}
	return ""
}

func (ps *filterParser) next() string {
	t := ps.peek()
	ps.i++
	return t
}

func (ps *filterParser) or() (node, error) {
	l, err := ps.and()
	if err != nil {
		return nil, err
	}
	for ps.peek() == "or" || ps.peek() == "||" {
		ps.i++
		r, err := ps.and()
		if err != nil {
			return nil, err
		}
		l = orNode{l, r}
	}
	return l, nil
}

func (ps *filterParser) and() (node, error) {
	l, err := ps.unary()
	if err != nil {
		return nil, err
	}
	for {
		t := ps.peek()
		switch {
		case t == "and" || t == "&&":
			ps.i++
		case t == "" || t == "or" || t == "||" || t == ")":
			return l, nil
		}
		r, err := ps.unary()
		if err != nil {
			return nil, err
		}
		l = andNode{l, r}
	}
}

func (ps *filterParser) unary() (node, error) {
	switch ps.peek() {
	case "not", "!":
		ps.i++
		n, err := ps.unary()
		if err != nil {
			return nil, err
		}
		return notNode{n}, nil
	case "(":
		ps.i++
		n, err := ps.or()
		if err != nil {
			return nil, err
		}
		if ps.next() != ")" {
			return nil, fmt.Errorf("missing ')'")
		}
		return n, nil
	case "":
		return nil, fmt.Errorf("expression ends early")
	}
	return ps.primitive()
}

func (ps *filterParser) primitive() (node, error) {
	var proto uint8
	switch ps.peek() {
	case "tcp":
		proto = protoTCP
	case "udp":
		proto = protoUDP
	case "ip":
		ps.i++
		return protoNode{v6: 0}, nil
	case "ip6":
		ps.i++
		return protoNode{v6: 1}, nil
	}
	if proto != 0 {
		ps.i++
		switch ps.peek() {
		case "port", "portrange", "src", "dst":
		default:
			return protoNode{proto: proto, v6: -1}, nil
		}
	}
	dir := dirAny
	switch ps.peek() {
	case "src":
		dir = dirSrc
		ps.i++
	case "dst":
		dir = dirDst
		ps.i++
	}
	kw := ps.next()
	switch kw {
	case "host", "net":
		if proto != 0 {
			return nil, fmt.Errorf("%q after a protocol is not supported", kw)
		}
		arg := ps.next()
		if arg == "" {
			return nil, fmt.Errorf("%s needs an address", kw)
		}
		var pf netip.Prefix
		var err error
		if kw == "host" {
			var a netip.Addr
			a, err = netip.ParseAddr(arg)
			if err == nil {
				pf = netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen())
			}
		} else {
			pf, err = netip.ParsePrefix(arg)
			pf = pf.Masked()
		}
		if err != nil {
			return nil, fmt.Errorf("%s %q: want an IP address (host names are not resolved)", kw, arg)
		}
		return netNode{dir: dir, prefix: pf}, nil
	case "port", "portrange":
		arg := ps.next()
		lo, hi, err := portArg(arg, kw == "portrange")
		if err != nil {
			return nil, err
		}
		return portNode{dir: dir, proto: proto, lo: lo, hi: hi}, nil
	case "":
		return nil, fmt.Errorf("expression ends early")
	}
	return nil, fmt.Errorf("unsupported word %q (supported: tcp udp ip ip6 host net port portrange src dst and or not)", kw)
}

func portArg(s string, isRange bool) (uint16, uint16, error) {
	if isRange {
		a, b, ok := strings.Cut(s, "-")
		if !ok {
			return 0, 0, fmt.Errorf("portrange %q: want N-M", s)
		}
		lo, err1 := strconv.ParseUint(a, 10, 16)
		hi, err2 := strconv.ParseUint(b, 10, 16)
		if err1 != nil || err2 != nil || lo > hi {
			return 0, 0, fmt.Errorf("portrange %q: want N-M with 0 ≤ N ≤ M ≤ 65535", s)
		}
		return uint16(lo), uint16(hi), nil
	}
	v, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0, 0, fmt.Errorf("port %q: want a number 0-65535", s)
	}
	return uint16(v), uint16(v), nil
}
