package netlab

import (
	"fmt"
	"net/netip"
)

// checkNAT validates a Node.NAT and returns the stateless rewrite's To address (invalid with Masquerade).
func checkNAT(n NAT) (netip.Addr, error) {
	src, err := netip.ParseAddr(n.Source)
	if err != nil || !src.Is4() {
		return netip.Addr{}, fmt.Errorf("Source %q: want an IPv4 address", n.Source)
	}
	if n.Masquerade {
		return netip.Addr{}, nil
	}
	to, err := netip.ParseAddr(n.To)
	if err != nil || !to.Is4() {
		return netip.Addr{}, fmt.Errorf("To %q: want an IPv4 address (or Masquerade)", n.To)
	}
	if err := checkLabRange(netip.PrefixFrom(to, 32)); err != nil {
		return netip.Addr{}, fmt.Errorf("To: %v", err)
	}
	return to, nil
}

// natRuleset returns the nftables table of a node's NAT, or "" when it has none. The stateless
// rewrite uses filter hooks (no connection tracking, so ICMP errors are not translated); the
// masquerade a nat hook (connection tracking, which translates them).
func natRuleset(n *NAT) string {
	if n == nil {
		return ""
	}
	if n.Masquerade {
		return fmt.Sprintf("table ip hopscope_nat {\n"+
			"\tchain post {\n\t\ttype nat hook postrouting priority 100; policy accept;\n\t\tip saddr %s masquerade\n\t}\n}\n", n.Source)
	}
	return fmt.Sprintf("table ip hopscope_nat {\n"+
		"\tchain pre {\n\t\ttype filter hook prerouting priority -300; policy accept;\n\t\tip daddr %[2]s ip daddr set %[1]s\n\t}\n"+
		"\tchain post {\n\t\ttype filter hook postrouting priority 300; policy accept;\n\t\tip saddr %[1]s ip saddr set %[2]s\n\t}\n}\n",
		n.Source, n.To)
}
