package netlab

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// namePrefix starts the name of every namespace a lab makes:
// "hs-<pid>-<lab number>-<node>". Sweep relies on it.
const namePrefix = "hs-"

// Spec returns the spec the lab was started from.
func (l *Lab) Spec() Spec { return l.spec }

// Netns returns the name of node's namespace (for `ip netns exec`), or "" when
// there is no such node.
func (l *Lab) Netns(node string) string {
	if n := l.plan.byName[node]; n != nil {
		return n.ns
	}
	return ""
}

// Nodes returns the node names in spec order.
func (l *Lab) Nodes() []string {
	out := make([]string, 0, len(l.plan.nodes))
	for _, n := range l.plan.nodes {
		out = append(out, n.spec.Name)
	}
	return out
}

// Addrs returns every address of node: its loopback extras (Node.Addrs) first,
// then its link addresses in link order; nil when there is no such node.
func (l *Lab) Addrs(node string) []netip.Addr {
	if n := l.plan.byName[node]; n != nil {
		return n.addrs()
	}
	return nil
}

// Addr returns node's first IPv4 (v6 false) or IPv6 (v6 true) address, as
// Addrs orders them; ok is false when it has none.
func (l *Lab) Addr(node string, v6 bool) (netip.Addr, bool) {
	for _, a := range l.Addrs(node) {
		if a.Is6() == v6 {
			return a, true
		}
	}
	return netip.Addr{}, false
}

// Routes returns the routes installed on node, as "dst via a[,b...]" strings
// in install order (useful in test failure messages).
func (l *Lab) Routes(node string) []string {
	n := l.plan.byName[node]
	if n == nil {
		return nil
	}
	var out []string
	for _, r := range n.routes {
		s := r.dst.String() + " via "
		for i, v := range r.via {
			if i > 0 {
				s += ","
			}
			s += v.String()
		}
		out = append(out, s)
	}
	return out
}

// Resolvers returns the addresses (port 53) where the lab's unbound answers,
// IPv4 first; nil when the lab has no DNS.
func (l *Lab) Resolvers() []netip.AddrPort {
	if l.plan.dns == nil {
		return nil
	}
	addrs := slices.Clone(l.plan.dns.listen)
	slices.SortStableFunc(addrs, func(a, b netip.Addr) int {
		switch {
		case a.Is4() && !b.Is4():
			return -1
		case !a.Is4() && b.Is4():
			return 1
		}
		return 0
	})
	out := make([]netip.AddrPort, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, netip.AddrPortFrom(a, 53))
	}
	return out
}

// Resolver returns the first IPv4 (v6 false) or IPv6 (v6 true) resolver
// address; ok is false when the lab has no DNS or none of that family.
func (l *Lab) Resolver(v6 bool) (netip.AddrPort, bool) {
	for _, a := range l.Resolvers() {
		if a.Addr().Is6() == v6 {
			return a, true
		}
	}
	return netip.AddrPort{}, false
}

// staleOwner parses a namespace name made by a lab ("hs-<pid>-<n>-<node>") and
// returns the pid of the process that made it; ok is false for other names.
func staleOwner(name string) (pid int, ok bool) {
	rest, found := strings.CutPrefix(name, namePrefix)
	if !found {
		return 0, false
	}
	parts := strings.SplitN(rest, "-", 3)
	if len(parts) != 3 || parts[2] == "" {
		return 0, false
	}
	pid, err := strconv.Atoi(parts[0])
	if err != nil || pid <= 0 {
		return 0, false
	}
	if _, err := strconv.ParseUint(parts[1], 10, 64); err != nil {
		return 0, false
	}
	return pid, true
}
