package netlab

import (
	"fmt"
	"math"
	"net/netip"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// plan is everything Start will create, computed from a Spec without touching
// the system, so that it can be checked by tests that do not run as root.
type plan struct {
	name   string
	prefix string // namespace name prefix, e.g. "hs-1234-1-"
	nodes  []*nodePlan
	byName map[string]*nodePlan
	links  []linkPlan
	dns    *dnsPlan
}

type nodePlan struct {
	spec    Node
	ns      string
	ifaces  []ifacePlan
	lo      []netip.Prefix
	routes  []routePlan
	sysctls []sysctl
	nft     string
	names   map[netip.Addr]string
}

type ifacePlan struct {
	name  string
	link  int
	addrs []netip.Prefix
	mtu   int
	tun   bool
}

type linkPlan struct {
	spec           Link
	tun            bool // a TUN pair with a relay, not a veth pair
	a, b           *nodePlan
	aIf, bIf       string
	aAddrs, bAddrs []netip.Prefix
}

type routePlan struct {
	dst netip.Prefix
	via []netip.Addr
}

type sysctl struct {
	key, value string
	optional   bool // absent on some kernels; skip when the file does not exist
}

var nodeNameRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,19}$`)

// labRanges are the only ranges lab addresses may come from, so that nothing a
// lab does could be mistaken for traffic to a real network.
var labRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("192.0.2.0/24"),
	netip.MustParsePrefix("198.51.100.0/24"),
	netip.MustParsePrefix("203.0.113.0/24"),
	netip.MustParsePrefix("2001:db8::/32"),
	netip.MustParsePrefix("fd00::/8"),
}

// checkLabRange returns an error unless prefix pf lies inside one lab range.
func checkLabRange(pf netip.Prefix) error {
	for _, r := range labRanges {
		if r.Contains(pf.Addr()) && pf.Bits() >= r.Bits() {
			return nil
		}
	}
	return fmt.Errorf("%s is outside the lab ranges (10.0.0.0/8, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, fd00::/8)", pf)
}

// buildPlan validates spec and computes namespaces, interfaces, addresses,
// routes, sysctls and firewall rules. prefix is prepended to namespace names.
func buildPlan(spec Spec, prefix string) (*plan, error) {
	p := &plan{name: spec.Name, prefix: prefix, byName: map[string]*nodePlan{}}
	if p.name == "" {
		p.name = "lab"
	}
	errf := func(format string, args ...any) error {
		return fmt.Errorf("netlab %s: "+format, append([]any{p.name}, args...)...)
	}
	if len(spec.Nodes) == 0 {
		return nil, errf("no nodes")
	}
	owner := map[netip.Addr]string{}
	claim := func(a netip.Addr, who string) error {
		if prev, ok := owner[a]; ok {
			return errf("address %s used twice: %s and %s", a, prev, who)
		}
		owner[a] = who
		return nil
	}
	for i, n := range spec.Nodes {
		if !nodeNameRE.MatchString(n.Name) {
			return nil, errf("node %d: name %q: want 1-20 characters of a-z, 0-9 and '-'", i, n.Name)
		}
		if _, dup := p.byName[n.Name]; dup {
			return nil, errf("node %d: name %q used twice", i, n.Name)
		}
		if n.ICMPPerSecond < 0 {
			return nil, errf("node %s: ICMPPerSecond %d: want 0 or more", n.Name, n.ICMPPerSecond)
		}
		if n.ForwardLoss < 0 || n.ForwardLoss > 1 || n.ICMPLoss < 0 || n.ICMPLoss > 1 || n.ICMPLimit < 0 {
			return nil, errf("node %s: ForwardLoss %v, ICMPLoss %v, ICMPLimit %d: want shares 0..1 and a limit of 0 or more", n.Name, n.ForwardLoss, n.ICMPLoss, n.ICMPLimit)
		}
		if n.ECMPHash > HashL3 {
			return nil, errf("node %s: unknown ECMPHash %d", n.Name, n.ECMPHash)
		}
		if n.SlowICMP < 0 {
			return nil, errf("node %s: negative SlowICMP %v", n.Name, n.SlowICMP)
		}
		if len(n.MPLS) > mplsEntries {
			return nil, errf("node %s: %d MPLS labels: want at most %d", n.Name, len(n.MPLS), mplsEntries)
		}
		for j, m := range n.MPLS {
			if m.Label > 0xfffff || m.TC > 7 {
				return nil, errf("node %s: MPLS[%d]: label %d or TC %d out of range (20 and 3 bits)", n.Name, j, m.Label, m.TC)
			}
		}
		np := &nodePlan{spec: n, ns: prefix + n.Name, names: map[netip.Addr]string{}}
		for j, s := range n.Addrs {
			pfx, err := netip.ParsePrefix(s)
			if err != nil {
				return nil, errf("node %s: Addrs[%d] %q: want an address with a prefix length like 203.0.113.25/32: %v", n.Name, j, s, err)
			}
			if err := checkLabRange(pfx); err != nil {
				return nil, errf("node %s: Addrs[%d]: %v", n.Name, j, err)
			}
			if err := claim(pfx.Addr(), "node "+n.Name); err != nil {
				return nil, err
			}
			np.lo = append(np.lo, pfx)
		}
		if n.NAT != nil {
			to, err := checkNAT(*n.NAT)
			if err != nil {
				return nil, errf("node %s: NAT: %v", n.Name, err)
			}
			if to.IsValid() {
				if err := claim(to, "node "+n.Name+" (NAT)"); err != nil {
					return nil, err
				}
				np.lo = append(np.lo, netip.PrefixFrom(to, 32))
			}
		}
		for a, name := range n.Names {
			addr, err := netip.ParseAddr(a)
			if err != nil {
				return nil, errf("node %s: Names key %q: want an IP address: %v", n.Name, a, err)
			}
			if !validDNSName(name) {
				return nil, errf("node %s: Names[%s] = %q: want a domain name", n.Name, a, name)
			}
			np.names[addr] = strings.TrimSuffix(name, ".")
		}
		p.nodes = append(p.nodes, np)
		p.byName[n.Name] = np
	}

	for i, l := range spec.Links {
		a, b := p.byName[l.A], p.byName[l.B]
		where := fmt.Sprintf("link %d (%s-%s)", i, l.A, l.B)
		if a == nil || b == nil {
			return nil, errf("%s: unknown node", where)
		}
		if a == b {
			return nil, errf("%s: both ends on the same node", where)
		}
		if l.Delay < 0 || l.Jitter < 0 {
			return nil, errf("%s: negative Delay or Jitter", where)
		}
		if l.Loss < 0 || l.Loss > 1 {
			return nil, errf("%s: Loss %v: want 0 to 1", where, l.Loss)
		}
		if l.MTU != 0 && (l.MTU < 1280 || l.MTU > 65535) {
			return nil, errf("%s: MTU %d: want 1280 to 65535 (IPv6 needs 1280)", where, l.MTU)
		}
		lp := linkPlan{spec: l, a: a, b: b, tun: l.shaped() || a.spec.needsRelay() || b.spec.needsRelay()}
		if len(l.AAddrs) == 0 && len(l.BAddrs) == 0 {
			if i >= 1<<14 {
				return nil, errf("%s: too many links for automatic addresses", where)
			}
			lp.aAddrs, lp.bAddrs = autoAddrs(i)
		} else {
			var err error
			if lp.aAddrs, err = parsePrefixes(l.AAddrs); err != nil {
				return nil, errf("%s: AAddrs: %v", where, err)
			}
			if lp.bAddrs, err = parsePrefixes(l.BAddrs); err != nil {
				return nil, errf("%s: BAddrs: %v", where, err)
			}
		}
		for _, is4 := range []bool{true, false} {
			pa, oka := firstOf(lp.aAddrs, is4)
			pb, okb := firstOf(lp.bAddrs, is4)
			if oka != okb {
				return nil, errf("%s: only one end has an IPv%s address", where, map[bool]string{true: "4", false: "6"}[is4])
			}
			if oka && pa.Masked() != pb.Masked() {
				return nil, errf("%s: ends %s and %s are not in one subnet", where, pa, pb)
			}
		}
		for _, pf := range lp.aAddrs {
			if err := claim(pf.Addr(), where); err != nil {
				return nil, err
			}
		}
		for _, pf := range lp.bAddrs {
			if err := claim(pf.Addr(), where); err != nil {
				return nil, err
			}
		}
		mtu := l.MTU
		if mtu == 0 {
			mtu = 1500
		}
		lp.aIf, lp.bIf = ifName(i, b.spec.Name), ifName(i, a.spec.Name)
		a.ifaces = append(a.ifaces, ifacePlan{name: lp.aIf, link: i, addrs: lp.aAddrs, mtu: mtu, tun: lp.tun})
		b.ifaces = append(b.ifaces, ifacePlan{name: lp.bIf, link: i, addrs: lp.bAddrs, mtu: mtu, tun: lp.tun})
		p.links = append(p.links, lp)
	}

	if !spec.NoAutoRoutes {
		for _, is4 := range []bool{true, false} {
			for node, rs := range autoRoutes(p, is4) {
				node.routes = append(node.routes, rs...)
			}
		}
	}
	for i, r := range spec.Routes {
		n := p.byName[r.Node]
		if n == nil {
			return nil, errf("route %d: unknown node %q", i, r.Node)
		}
		rp, err := parseRoute(r)
		if err != nil {
			return nil, errf("route %d on %s: %v", i, r.Node, err)
		}
		n.routes = slices.DeleteFunc(n.routes, func(x routePlan) bool { return x.dst == rp.dst })
		n.routes = append(n.routes, rp)
	}
	for _, n := range p.nodes {
		n.sysctls = nodeSysctls(n.spec, spec.Seed)
		lossIf := ""
		if from := n.spec.ForwardLossFrom; from != "" {
			for _, l := range p.links {
				switch {
				case l.a == n && l.b.spec.Name == from:
					lossIf = l.aIf
				case l.b == n && l.a.spec.Name == from:
					lossIf = l.bIf
				}
			}
			if lossIf == "" {
				return nil, errf("node %s: ForwardLossFrom %q: no link to that node", n.spec.Name, from)
			}
		}
		n.nft = nftRuleset(n.spec, lossIf) + natRuleset(n.spec.NAT)
	}
	if spec.DNS != nil {
		d, err := planDNS(p, *spec.DNS)
		if err != nil {
			return nil, errf("DNS: %v", err)
		}
		p.dns = d
	}
	return p, nil
}

// autoAddrs returns the automatic addresses of link i: 10.200.0.0/16 split in
// /30s and fd00:200::/48 split in /64s.
func autoAddrs(i int) (a, b []netip.Prefix) {
	base := 4 * i
	v4 := func(host int) netip.Prefix {
		return netip.PrefixFrom(netip.AddrFrom4([4]byte{10, 200, byte(base >> 8), byte(base&0xff + host)}), 30)
	}
	v6 := func(host byte) netip.Prefix {
		var x [16]byte
		x[0], x[2] = 0xfd, 0x02 // fd00:200::
		x[6], x[7] = byte(i>>8), byte(i)
		x[15] = host
		return netip.PrefixFrom(netip.AddrFrom16(x), 64)
	}
	return []netip.Prefix{v4(1), v6(1)}, []netip.Prefix{v4(2), v6(2)}
}

func ifName(link int, peer string) string {
	s := "e" + strconv.Itoa(link) + "-" + peer
	if len(s) > 15 {
		s = s[:15]
	}
	return s
}

func parsePrefixes(ss []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for j, s := range ss {
		pf, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("[%d] %q: want an address with a prefix length like 10.0.0.1/30: %v", j, s, err)
		}
		if pf.Addr().Zone() != "" {
			return nil, fmt.Errorf("[%d] %q: zones are not allowed", j, s)
		}
		if err := checkLabRange(pf); err != nil {
			return nil, fmt.Errorf("[%d]: %v", j, err)
		}
		out = append(out, pf)
	}
	return out, nil
}

func firstOf(ps []netip.Prefix, is4 bool) (netip.Prefix, bool) {
	for _, p := range ps {
		if p.Addr().Is4() == is4 {
			return p, true
		}
	}
	return netip.Prefix{}, false
}

func parseRoute(r Route) (routePlan, error) {
	var rp routePlan
	switch r.Dst {
	case "default":
		rp.dst = netip.MustParsePrefix("0.0.0.0/0")
	case "default6":
		rp.dst = netip.MustParsePrefix("::/0")
	default:
		pf, err := netip.ParsePrefix(r.Dst)
		if err != nil {
			return rp, fmt.Errorf("Dst %q: want a prefix, \"default\" or \"default6\": %v", r.Dst, err)
		}
		rp.dst = pf.Masked()
	}
	if len(r.Via) == 0 {
		return rp, fmt.Errorf("Dst %s: no Via next hop", r.Dst)
	}
	for j, v := range r.Via {
		a, err := netip.ParseAddr(v)
		if err != nil {
			return rp, fmt.Errorf("Via[%d] %q: want an IP address: %v", j, v, err)
		}
		if a.Is4() != rp.dst.Addr().Is4() {
			return rp, fmt.Errorf("Via[%d] %s: not of the family of %s", j, a, rp.dst)
		}
		rp.via = append(rp.via, a)
	}
	return rp, nil
}

func validDNSName(s string) bool {
	s = strings.TrimSuffix(s, ".")
	if s == "" || len(s) > 253 {
		return false
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range label {
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
				return false
			}
		}
	}
	return true
}

// nodeSysctls lists the sysctls written inside a node's namespace.
func nodeSysctls(n Node, seed uint64) []sysctl {
	s := []sysctl{
		{key: "net/ipv4/conf/all/rp_filter", value: "0"},
		{key: "net/ipv4/conf/default/rp_filter", value: "0"},
		{key: "net/ipv6/conf/all/accept_dad", value: "0"},
		{key: "net/ipv6/conf/default/accept_dad", value: "0"},
		{key: "net/ipv6/conf/all/accept_ra", value: "0"},
		{key: "net/ipv6/conf/default/accept_ra", value: "0"},
		{key: "net/ipv6/conf/default/router_solicitations", value: "0"},
		// Unprivileged ICMP datagram sockets (ping, probes without CAP_NET_RAW).
		{key: "net/ipv4/ping_group_range", value: "0 2147483647"},
	}
	if n.ICMPPerSecond > 0 {
		v := strconv.Itoa(n.ICMPPerSecond)
		s = append(s,
			sysctl{key: "net/ipv4/icmp_msgs_per_sec", value: v},
			sysctl{key: "net/ipv4/icmp_msgs_burst", value: v})
	} else {
		// No ICMP rate limits, so labs answer every probe, every run.
		s = append(s,
			sysctl{key: "net/ipv4/icmp_ratelimit", value: "0"},
			sysctl{key: "net/ipv4/icmp_ratemask", value: "0"},
			sysctl{key: "net/ipv6/icmp/ratelimit", value: "0"},
			sysctl{key: "net/ipv4/icmp_msgs_per_sec", value: "1000000"},
			sysctl{key: "net/ipv4/icmp_msgs_burst", value: "1000000"})
	}
	if n.Router {
		// Policy 3 hashes exactly the listed header fields. Policies 0 and 1
		// reuse a hash already attached to the packet, which for traffic from a
		// local socket crossing a veth is the socket's random hash, so flows with
		// equal headers would not stay on one branch.
		fields := "0x0037" // source and destination address, protocol, source and destination port
		if n.ECMPHash == HashL3 {
			fields = "0x000f" // source and destination address, protocol, IPv6 flow label
		}
		if seed == 0 {
			seed = 0x5eed
		}
		s = append(s,
			sysctl{key: "net/ipv4/ip_forward", value: "1"},
			sysctl{key: "net/ipv6/conf/all/forwarding", value: "1"},
			sysctl{key: "net/ipv4/fib_multipath_hash_fields", value: fields},
			sysctl{key: "net/ipv6/fib_multipath_hash_fields", value: fields},
			sysctl{key: "net/ipv4/fib_multipath_hash_policy", value: "3"},
			sysctl{key: "net/ipv6/fib_multipath_hash_policy", value: "3"},
			sysctl{key: "net/ipv4/fib_multipath_hash_seed", value: strconv.FormatUint(uint64(uint32(seed)), 10), optional: true})
	}
	return s
}

// nftRuleset returns the nftables ruleset of a node, or "" when it needs none. lossIf, when set, is
// the interface whose incoming packets ForwardLoss applies to (all forwarded packets otherwise).
func nftRuleset(n Node, lossIf string) string {
	var out, in, fwd []string
	const (
		icmpErrors    = "icmp type { destination-unreachable, time-exceeded, parameter-problem }"
		icmp6Errors   = "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem }"
		perMille      = "numgen random mod 1000 < %d drop"
		overPerSecond = "limit rate over %d/second drop"
	)
	if n.Silent {
		out = append(out, icmpErrors+" drop", icmp6Errors+" drop")
	}
	if m := perMilleOf(n.ICMPLoss); m > 0 {
		out = append(out, icmpErrors+" "+fmt.Sprintf(perMille, m), icmp6Errors+" "+fmt.Sprintf(perMille, m))
	}
	if n.ICMPLimit > 0 {
		out = append(out, icmpErrors+" "+fmt.Sprintf(overPerSecond, n.ICMPLimit), icmp6Errors+" "+fmt.Sprintf(overPerSecond, n.ICMPLimit))
	}
	if m := perMilleOf(n.ForwardLoss); m > 0 {
		r := fmt.Sprintf(perMille, m)
		if lossIf != "" {
			r = fmt.Sprintf("iifname %q %s", lossIf, r)
		}
		fwd = append(fwd, r)
	}
	if n.Drop&ICMP != 0 {
		in = append(in, "icmp type echo-request drop", "icmpv6 type echo-request drop")
	}
	if n.Drop&UDP != 0 {
		in = append(in, "meta l4proto udp drop")
	}
	if n.Drop&TCP != 0 {
		in = append(in, "meta l4proto tcp drop")
	}
	if len(out) == 0 && len(in) == 0 && len(fwd) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString("table inet hopscope_lab {\n")
	chain := func(name, hook string, rules []string) {
		if len(rules) == 0 {
			return
		}
		fmt.Fprintf(&b, "\tchain %s {\n\t\ttype filter hook %s priority 0; policy accept;\n", name, hook)
		for _, r := range rules {
			fmt.Fprintf(&b, "\t\t%s\n", r)
		}
		b.WriteString("\t}\n")
	}
	chain("output", "output", out)
	chain("input", "input", in)
	chain("forward", "forward", fwd)
	b.WriteString("}\n")
	return b.String()
}

// perMilleOf turns a share 0..1 into the per-mille threshold of an nftables numgen rule.
func perMilleOf(x float64) int { return int(math.Round(x * 1000)) }

// vethBatch returns the `ip -batch` lines, run in the host namespace, that
// create every unshaped link as a veth pair with its ends already in the nodes' namespaces.
func (p *plan) vethBatch() string {
	var b strings.Builder
	for _, l := range p.links {
		if l.tun {
			continue
		}
		fmt.Fprintf(&b, "link add %s netns %s type veth peer name %s netns %s\n", l.aIf, l.a.ns, l.bIf, l.b.ns)
	}
	return b.String()
}

// ipBatch returns the `ip -batch` lines run inside the node's namespace after
// its interfaces exist: bring them up, add addresses, add routes.
func (n *nodePlan) ipBatch() string {
	var b strings.Builder
	b.WriteString("link set dev lo up\n")
	for _, pf := range n.lo {
		fmt.Fprintf(&b, "address add %s dev lo%s\n", pf, nodad(pf))
	}
	for _, ifc := range n.ifaces {
		fmt.Fprintf(&b, "link set dev %s mtu %d up\n", ifc.name, ifc.mtu)
		for _, pf := range ifc.addrs {
			fmt.Fprintf(&b, "address add %s dev %s%s\n", pf, ifc.name, nodad(pf))
		}
	}
	for _, r := range n.routes {
		if len(r.via) == 1 {
			fmt.Fprintf(&b, "route add %s via %s\n", r.dst, r.via[0])
			continue
		}
		fmt.Fprintf(&b, "route add %s", r.dst)
		for _, v := range r.via {
			fmt.Fprintf(&b, " nexthop via %s", v)
		}
		b.WriteString("\n")
	}
	return b.String()
}

func nodad(pf netip.Prefix) string {
	if pf.Addr().Is6() {
		return " nodad"
	}
	return ""
}

// addrs returns every address of the node: loopback extras first, then link
// addresses in link order.
func (n *nodePlan) addrs() []netip.Addr {
	var out []netip.Addr
	for _, pf := range n.lo {
		out = append(out, pf.Addr())
	}
	for _, ifc := range n.ifaces {
		for _, pf := range ifc.addrs {
			out = append(out, pf.Addr())
		}
	}
	return out
}
