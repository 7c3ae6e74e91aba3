package netlab

import (
	"fmt"
	"strings"
	"time"
)

// Names and addresses of the article lab (see Article).
const (
	ArticleClient      = "client"                  // the traceroute source (the article's laptop in Paris)
	ArticleDestination = "dest"                    // the server in Singapore
	ArticleDNSNode     = "dns"                     // runs unbound, hanging off the ISP's first router
	ArticleTargetName  = "vweixinthumb.tc.example" // an alias (CNAME) of ArticleCanonical
	ArticleCanonical   = "socwxsns.video.example"  // has three A and two AAAA records
	ArticleTarget4     = "203.0.113.25"            // first A record of ArticleCanonical
	ArticleTarget6     = "2001:db8:ff::25"         // first AAAA record of ArticleCanonical
	ArticleResolver4   = "10.53.0.53"              // the lab's unbound (IPv4)
	ArticleResolver6   = "fd00:53::53"             // the lab's unbound (IPv6)
)

// ArticleTargets4 and ArticleTargets6 list every address of ArticleCanonical;
// all are on the destination node.
var (
	ArticleTargets4 = []string{"203.0.113.25", "203.0.113.26", "203.0.113.27"}
	ArticleTargets6 = []string{"2001:db8:ff::25", "2001:db8:ff::26"}
)

// ArticleOptions varies the article lab. The zero value is the article-like
// path whose destination answers, with DNS.
type ArticleOptions struct {
	// SilentDestination makes the destination drop every ICMP, UDP and TCP probe,
	// as in the article where the trace ends in "* * *" lines.
	SilentDestination bool
	// RateLimitedHandoff lets the carrier hand-off router (hop 8) send only
	// about one ICMP error per second, like the article's "* 6.442 ms *".
	// Off by default because it makes hop 8 vary from run to run.
	RateLimitedHandoff bool
	// MPLS makes the Tata core routers at hops 9 (paris, label 24015) and 11
	// (marseille, labels 18742 over 16001) report MPLS label stacks in their
	// time-exceeded messages (RFC 4950). Their links then run through relays.
	MPLS bool
	// Answering makes the four silent routers (hops 10, 12, 15 and 16) answer like the others: the
	// path as it would be with no router withholding ICMP.
	Answering bool
	// NoDNS leaves unbound out (faster to start; names then do not resolve).
	NoDNS bool
	// LongHaul is the one-way delay of the Marseille → Singapore link; zero
	// means 60 ms (a 120 ms round trip).
	LongHaul time.Duration
}

// Article returns the lab that mirrors the path of the seed article (a
// traceroute from Paris to a Tencent server in Singapore), with .example names
// and documentation addresses. ExpectedHops(Article(o), ArticleClient,
// ArticleDestination) gives the hops a trace should find:
//
//	TTL node       IPv4 (IPv6 2001:db8:1xx::2)  PTR name                                          one-way delay
//	 1  home       10.1.1.1 (fd00:1:1::1)      -                                                  -
//	 2  isp        192.0.2.1                   -                                                  2 ms access line
//	 3  lag10      192.0.2.6                   lag-10.nenly00z.rbci.orange.example
//	 4  ncidf304   192.0.2.10                  ae91-0.ncidf304.rbci.orange.example
//	 5  niidf302   192.0.2.14                  ae42-0.niidf302.rbci.orange.example
//	 6  niidf301   192.0.2.18                  ae40-0.niidf301.rbci.orange.example
//	 7  opentr     192.0.2.22                  -   (carrier edge, no PTR)
//	 8  handoff    192.0.2.26                  tatateleglobe-8.gw.opentransit.example             1 ms
//	 9  paris      198.51.100.2                if-ae-39-2.tcore1.pvu-paris.as6453.example
//	10  silent10   198.51.100.6                silent (no ICMP errors)                            2 ms
//	11  marseille  198.51.100.10               if-be-7-2.ecore1.emrs2-marseille.as6453.example    3 ms
//	12  silent12   198.51.100.14               silent                                             60 ms long haul
//	13  sga | sgb  198.51.100.18 | .22         if-ae-2-2.tcore2.svw-singapore.as6453.example |
//	                                           if-be-45-2.ecore2.esin4-singapore.as6453.example   (ECMP)
//	14  una | unb  10.28.188.149 | 10.28.189.85 -  (like the article's unannounced 11.28.x)       (ECMP)
//	15  silent15   203.0.113.2 / .6            silent
//	16  silent16   203.0.113.10                silent
//	17  dest       203.0.113.25 (+.26, .27)    -                                                  15 ms
//
// So the destination is 17 hops away with 4 silent hops and a round trip of
// about 166 ms of configured delay; hop 13 shows ~136 ms. Multipath routes
// split the path at silent12 (toward sga/sgb) and rejoin at silent15; with
// the L4 hash, UDP and TCP probes with varying ports see both branches.
// Every link also has IPv6 (2001:db8:1xx::/64 per link, fd00:1:1::/64 in the
// home, fd00:28:18x::/64 for the unannounced-like hop), and the destination has
// 2001:db8:ff::25 and ::26. The DNS node (10.53.0.53, fd00:53::53) hangs off
// isp and serves PTR names for both families and
//
//	vweixinthumb.tc.example. CNAME socwxsns.video.example.
//	socwxsns.video.example.  A 203.0.113.25, 203.0.113.26, 203.0.113.27; AAAA 2001:db8:ff::25, ::26
func Article(o ArticleOptions) Spec {
	longHaul := o.LongHaul
	if longHaul == 0 {
		longHaul = 60 * time.Millisecond
	}
	nodes := []Node{{Name: ArticleClient}}
	for _, r := range []string{"home", "isp", "lag10", "ncidf304", "niidf302", "niidf301", "opentr", "handoff",
		"paris", "silent10", "marseille", "silent12", "sga", "sgb", "una", "unb", "silent15", "silent16"} {
		nodes = append(nodes, Node{Name: r, Router: true, Silent: !o.Answering && strings.HasPrefix(r, "silent")})
	}
	dest := Node{Name: ArticleDestination}
	for _, a := range ArticleTargets4 {
		dest.Addrs = append(dest.Addrs, a+"/32")
	}
	for _, a := range ArticleTargets6 {
		dest.Addrs = append(dest.Addrs, a+"/128")
	}
	if o.SilentDestination {
		dest.Drop = AllProbes
	}
	nodes = append(nodes, dest)
	if !o.NoDNS {
		nodes = append(nodes, Node{Name: ArticleDNSNode})
	}
	byName := map[string]*Node{}
	for i := range nodes {
		byName[nodes[i].Name] = &nodes[i]
	}
	if o.RateLimitedHandoff {
		byName["handoff"].ICMPPerSecond = 1
	}
	if o.MPLS {
		byName["paris"].MPLS = []MPLSLabel{{Label: 24015}}
		byName["marseille"].MPLS = []MPLSLabel{{Label: 18742}, {Label: 16001}}
	}
	names := map[string]string{
		"lag10": "lag-10.nenly00z.rbci.orange.example", "ncidf304": "ae91-0.ncidf304.rbci.orange.example",
		"niidf302": "ae42-0.niidf302.rbci.orange.example", "niidf301": "ae40-0.niidf301.rbci.orange.example",
		"handoff": "tatateleglobe-8.gw.opentransit.example", "paris": "if-ae-39-2.tcore1.pvu-paris.as6453.example",
		"marseille": "if-be-7-2.ecore1.emrs2-marseille.as6453.example",
		"sga":       "if-ae-2-2.tcore2.svw-singapore.as6453.example", "sgb": "if-be-45-2.ecore2.esin4-singapore.as6453.example",
	}

	var links []Link
	// link adds an A(upstream) → B(downstream) link; b4/b6 are B's ingress
	// addresses, which its time-exceeded messages come from.
	link := func(a, b, a4, b4, a6, b6 string, delay time.Duration) {
		links = append(links, Link{A: a, B: b, AAddrs: []string{a4, a6}, BAddrs: []string{b4, b6}, Delay: delay})
		if name, ok := names[b]; ok {
			n := byName[b]
			if n.Names == nil {
				n.Names = map[string]string{}
			}
			n.Names[trimPrefix(b4)] = name
			n.Names[trimPrefix(b6)] = name
		}
	}
	// chain adds the k-th TEST-NET style /30 link with IPv6 2001:db8:1<k>::/64.
	k := 0
	chain := func(a, b, net4 string, base int, delay time.Duration) {
		k++
		link(a, b,
			fmt.Sprintf("%s.%d/30", net4, base+1), fmt.Sprintf("%s.%d/30", net4, base+2),
			fmt.Sprintf("2001:db8:1%02x::1/64", k), fmt.Sprintf("2001:db8:1%02x::2/64", k), delay)
	}
	link(ArticleClient, "home", "10.1.1.10/24", "10.1.1.1/24", "fd00:1:1::10/64", "fd00:1:1::1/64", 0)
	// home → isp: the box's WAN side is .2, the ISP's edge .1.
	k++
	link("home", "isp", "192.0.2.2/30", "192.0.2.1/30", "2001:db8:101::1/64", "2001:db8:101::2/64", 2*time.Millisecond)
	chain("isp", "lag10", "192.0.2", 4, 0)
	chain("lag10", "ncidf304", "192.0.2", 8, 0)
	chain("ncidf304", "niidf302", "192.0.2", 12, 0)
	chain("niidf302", "niidf301", "192.0.2", 16, 0)
	chain("niidf301", "opentr", "192.0.2", 20, 0)
	chain("opentr", "handoff", "192.0.2", 24, time.Millisecond)
	chain("handoff", "paris", "198.51.100", 0, 0)
	chain("paris", "silent10", "198.51.100", 4, 2*time.Millisecond)
	chain("silent10", "marseille", "198.51.100", 8, 3*time.Millisecond)
	chain("marseille", "silent12", "198.51.100", 12, longHaul)
	chain("silent12", "sga", "198.51.100", 16, 0)
	chain("silent12", "sgb", "198.51.100", 20, 0)
	link("sga", "una", "10.28.188.150/30", "10.28.188.149/30", "fd00:28:188::2/64", "fd00:28:188::1/64", 0)
	link("sgb", "unb", "10.28.189.86/30", "10.28.189.85/30", "fd00:28:189::2/64", "fd00:28:189::1/64", 0)
	chain("una", "silent15", "203.0.113", 0, 0)
	chain("unb", "silent15", "203.0.113", 4, 0)
	chain("silent15", "silent16", "203.0.113", 8, 0)
	chain("silent16", ArticleDestination, "203.0.113", 12, 15*time.Millisecond)

	spec := Spec{Name: "article", Nodes: nodes, Links: links}
	if !o.NoDNS {
		links = append(links, Link{A: "isp", B: ArticleDNSNode,
			AAddrs: []string{"10.53.0.1/24", "fd00:53::1/64"},
			BAddrs: []string{ArticleResolver4 + "/24", ArticleResolver6 + "/64"}})
		spec.Links = links
		recs := []string{ArticleTargetName + ". 300 IN CNAME " + ArticleCanonical + "."}
		for _, a := range ArticleTargets4 {
			recs = append(recs, ArticleCanonical+". 300 IN A "+a)
		}
		for _, a := range ArticleTargets6 {
			recs = append(recs, ArticleCanonical+". 300 IN AAAA "+a)
		}
		spec.DNS = &DNSSpec{Node: ArticleDNSNode, Records: recs}
	}
	return spec
}

// trimPrefix returns the address part of "addr/len".
func trimPrefix(cidr string) string {
	addr, _, _ := strings.Cut(cidr, "/")
	return addr
}
