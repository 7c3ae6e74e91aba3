package netlab

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/miekg/dns"
)

// dnsPlan is the unbound configuration of a lab: where it runs, which
// addresses it listens on, and the zones it serves.
type dnsPlan struct {
	node   *nodePlan
	listen []netip.Addr
	zones  map[string][]string // zone (absolute) → record lines
}

func planDNS(p *plan, spec DNSSpec) (*dnsPlan, error) {
	n := p.byName[spec.Node]
	if n == nil {
		return nil, fmt.Errorf("Node %q: no such node", spec.Node)
	}
	d := &dnsPlan{node: n, listen: n.addrs(), zones: map[string][]string{}}
	if len(d.listen) == 0 {
		return nil, fmt.Errorf("node %s has no address to listen on", n.spec.Name)
	}
	for _, np := range p.nodes {
		addrs := make([]netip.Addr, 0, len(np.names))
		for a := range np.names {
			addrs = append(addrs, a)
		}
		slices.SortFunc(addrs, netip.Addr.Compare)
		for _, a := range addrs {
			rev, err := dns.ReverseAddr(a.String())
			if err != nil {
				return nil, fmt.Errorf("node %s: reverse name of %s: %v", np.spec.Name, a, err)
			}
			z := reverseZone(a)
			d.zones[z] = append(d.zones[z], fmt.Sprintf("%s 300 IN PTR %s.", rev, np.names[a]))
		}
	}
	for i, line := range spec.Records {
		rr, err := dns.NewRR(line)
		if err != nil {
			return nil, fmt.Errorf("Records[%d] %q: %v", i, line, err)
		}
		if rr == nil {
			return nil, fmt.Errorf("Records[%d] %q: no record", i, line)
		}
		name := rr.Header().Name
		labels := dns.SplitDomainName(name)
		if len(labels) < 2 {
			return nil, fmt.Errorf("Records[%d] %q: owner %s: want a name below a top-level domain", i, line, name)
		}
		z := dns.Fqdn(labels[len(labels)-1])
		d.zones[z] = append(d.zones[z], rr.String())
	}
	return d, nil
}

// reverseZone returns the reverse zone an address's PTR record lives in:
// 10.in-addr.arpa and d.f.ip6.arpa for the lab ranges, else the /24 (IPv4) or
// the /32 (IPv6), which covers the documentation ranges 192.0.2.0/24,
// 198.51.100.0/24, 203.0.113.0/24 and 2001:db8::/32. unbound's built-in empty
// zones of the same names are replaced by ours.
func reverseZone(a netip.Addr) string {
	a = a.Unmap()
	if a.Is4() {
		b := a.As4()
		if b[0] == 10 {
			return "10.in-addr.arpa."
		}
		return fmt.Sprintf("%d.%d.%d.in-addr.arpa.", b[2], b[1], b[0])
	}
	b := a.As16()
	if b[0] == 0xfd {
		return "d.f.ip6.arpa."
	}
	var sb strings.Builder
	for i := 3; i >= 0; i-- {
		fmt.Fprintf(&sb, "%x.%x.", b[i]&0xf, b[i]>>4)
	}
	sb.WriteString("ip6.arpa.")
	return sb.String()
}

// zoneNames returns the zones in a stable order.
func (d *dnsPlan) zoneNames() []string {
	zs := make([]string, 0, len(d.zones))
	for z := range d.zones {
		zs = append(zs, z)
	}
	slices.Sort(zs)
	return zs
}

// zoneFile returns the text of one zone file: SOA, NS and the records.
func (d *dnsPlan) zoneFile(zone string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "$TTL 300\n%s 300 IN SOA ns.lab.test. hostmaster.lab.test. 1 3600 600 86400 60\n", zone)
	fmt.Fprintf(&b, "%s 300 IN NS ns.lab.test.\n", zone)
	for _, r := range d.zones[zone] {
		b.WriteString(r)
		b.WriteString("\n")
	}
	return b.String()
}

// zoneFileName returns the file name of a zone inside the lab's directory.
func zoneFileName(zone string) string {
	z := strings.TrimSuffix(zone, ".")
	if z == "" {
		z = "root"
	}
	return z + ".zone"
}

// unboundConf returns unbound.conf for a lab whose files live in dir. unbound
// refuses every name outside the lab's zones, so it never recurses.
func (d *dnsPlan) unboundConf(dir string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `server:
	username: ""
	chroot: ""
	directory: %q
	pidfile: %q
	do-daemonize: no
	use-syslog: no
	logfile: ""
	verbosity: 1
	num-threads: 1
	port: 53
	do-ip4: yes
	do-ip6: yes
	so-reuseport: no
	module-config: "iterator"
	unblock-lan-zones: yes
	insecure-lan-zones: yes
	access-control: 0.0.0.0/0 allow
	access-control: ::/0 allow
	local-zone: "." refuse
`, dir, dir+"/unbound.pid")
	// Wildcard sockets that answer from the address asked, so unbound can
	// start before the node's addresses exist.
	b.WriteString("\tinterface: 0.0.0.0\n\tinterface: ::0\n\tinterface-automatic: yes\n")
	for _, z := range d.zoneNames() {
		fmt.Fprintf(&b, "\tlocal-zone: %q transparent\n", z)
	}
	for _, z := range d.zoneNames() {
		fmt.Fprintf(&b, "\nauth-zone:\n\tname: %q\n\tzonefile: %q\n\tfor-downstream: yes\n\tfor-upstream: no\n\tfallback-enabled: no\n", z, dir+"/"+zoneFileName(z))
	}
	b.WriteString("\nremote-control:\n\tcontrol-enable: no\n")
	return b.String()
}
