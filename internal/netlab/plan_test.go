package netlab

import (
	"slices"
	"strings"
	"testing"
)

func TestBuildPlanErrors(t *testing.T) {
	two := []Node{{Name: "a"}, {Name: "b"}}
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"no nodes", Spec{}, "no nodes"},
		{"bad node name", Spec{Nodes: []Node{{Name: "Bad_Name"}}}, `node 0: name "Bad_Name"`},
		{"duplicate node", Spec{Nodes: []Node{{Name: "a"}, {Name: "a"}}}, `"a" used twice`},
		{"unknown link end", Spec{Nodes: two, Links: []Link{{A: "a", B: "c"}}}, "link 0 (a-c): unknown node"},
		{"self link", Spec{Nodes: two, Links: []Link{{A: "a", B: "a"}}}, "both ends on the same node"},
		{"bad loss", Spec{Nodes: two, Links: []Link{{A: "a", B: "b", Loss: 1.5}}}, "Loss 1.5"},
		{"bad mtu", Spec{Nodes: two, Links: []Link{{A: "a", B: "b", MTU: 500}}}, "MTU 500"},
		{"bad address", Spec{Nodes: two, Links: []Link{{A: "a", B: "b", AAddrs: []string{"10.0.0.1"}, BAddrs: []string{"10.0.0.2/30"}}}}, `AAddrs: [0] "10.0.0.1"`},
		{"family on one end", Spec{Nodes: two, Links: []Link{{A: "a", B: "b", AAddrs: []string{"10.0.0.1/30", "fd00::1/64"}, BAddrs: []string{"10.0.0.2/30"}}}}, "only one end has an IPv6 address"},
		{"different subnets", Spec{Nodes: two, Links: []Link{{A: "a", B: "b", AAddrs: []string{"10.0.0.1/30"}, BAddrs: []string{"10.0.1.2/30"}}}}, "not in one subnet"},
		{"address twice", Spec{Nodes: []Node{{Name: "a", Addrs: []string{"10.0.0.1/32"}}, {Name: "b"}}, Links: []Link{{A: "a", B: "b", AAddrs: []string{"10.0.0.1/30"}, BAddrs: []string{"10.0.0.2/30"}}}}, "address 10.0.0.1 used twice"},
		{"public link address", Spec{Nodes: two, Links: []Link{{A: "a", B: "b", AAddrs: []string{"8.8.8.1/30"}, BAddrs: []string{"8.8.8.2/30"}}}}, "8.8.8.1/30 is outside the lab ranges"},
		{"private but not lab", Spec{Nodes: []Node{{Name: "a", Addrs: []string{"192.168.1.1/32"}}}}, "node a: Addrs[0]: 192.168.1.1/32 is outside"},
		{"prefix wider than range", Spec{Nodes: []Node{{Name: "a", Addrs: []string{"192.0.2.1/16"}}}}, "outside the lab ranges"},
		{"bad PTR key", Spec{Nodes: []Node{{Name: "a", Names: map[string]string{"x": "a.example"}}}}, `Names key "x"`},
		{"bad PTR name", Spec{Nodes: []Node{{Name: "a", Names: map[string]string{"10.0.0.1": "a..example"}}}}, `Names[10.0.0.1] = "a..example"`},
		{"route to unknown node", Spec{Nodes: two, Routes: []Route{{Node: "z", Dst: "default", Via: []string{"10.0.0.1"}}}}, `route 0: unknown node "z"`},
		{"route family mismatch", Spec{Nodes: two, Routes: []Route{{Node: "a", Dst: "default6", Via: []string{"10.0.0.1"}}}}, "not of the family"},
		{"route without via", Spec{Nodes: two, Routes: []Route{{Node: "a", Dst: "10.9.0.0/16"}}}, "no Via"},
		{"dns on unknown node", Spec{Nodes: two, DNS: &DNSSpec{Node: "z"}}, `DNS: Node "z"`},
		{"dns node without address", Spec{Nodes: two, DNS: &DNSSpec{Node: "a"}}, "no address to listen on"},
		{"bad record", Spec{Nodes: two, Links: []Link{{A: "a", B: "b"}}, DNS: &DNSSpec{Node: "a", Records: []string{"x.example. IN A nope"}}}, "Records[0]"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := buildPlan(tc.spec, "hs-0-0-")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("buildPlan error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

// diamond is src - r1 - {ra, rb} - r2 - dst, with a host hanging off ra.
func diamond() Spec {
	return Spec{
		Nodes: []Node{
			{Name: "src"}, {Name: "r1", Router: true}, {Name: "ra", Router: true}, {Name: "rb", Router: true},
			{Name: "r2", Router: true}, {Name: "dst", Addrs: []string{"203.0.113.9/32"}}, {Name: "side"},
		},
		Links: []Link{
			{A: "src", B: "r1"}, {A: "r1", B: "ra"}, {A: "r1", B: "rb"}, {A: "ra", B: "r2"}, {A: "rb", B: "r2"},
			{A: "r2", B: "dst"}, {A: "ra", B: "side"},
		},
	}
}

func routesOf(t *testing.T, p *plan, node string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, r := range p.byName[node].routes {
		var via []string
		for _, v := range r.via {
			via = append(via, v.String())
		}
		out[r.dst.String()] = strings.Join(via, ",")
	}
	return out
}

func TestAutoRoutes(t *testing.T) {
	p, err := buildPlan(diamond(), "t-")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, node, dst, want string
	}{
		{"host uses its only neighbour", "src", "203.0.113.9/32", "10.200.0.2"},
		{"ecmp toward the destination", "r1", "203.0.113.9/32", "10.200.0.6,10.200.0.10"},
		{"ecmp v6 too", "r1", "fd00:200:0:5::/64", "fd00:200:0:1::2,fd00:200:0:2::2"},
		{"ecmp back to the source", "r2", "10.200.0.0/30", "10.200.0.13,10.200.0.17"},
		{"single shortest path", "r1", "10.200.0.12/30", "10.200.0.6"},
		{"no transit through a host", "dst", "10.200.0.24/30", "10.200.0.21"},
		{"connected subnet has no route", "r1", "10.200.0.0/30", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := routesOf(t, p, tc.node)[tc.dst]; got != tc.want {
				t.Errorf("%s route to %s via %q, want %q (all: %v)", tc.node, tc.dst, got, tc.want, routesOf(t, p, tc.node))
			}
		})
	}
	// The side host is a leaf: nobody routes through it, and it reaches the
	// destination through ra only.
	if got := routesOf(t, p, "side")["203.0.113.9/32"]; got != "10.200.0.25" {
		t.Errorf("side route to dst via %q, want 10.200.0.25", got)
	}
}

func TestExplicitRouteReplacesComputed(t *testing.T) {
	s := diamond()
	s.Routes = []Route{{Node: "r1", Dst: "203.0.113.9/32", Via: []string{"10.200.0.10"}}, {Node: "src", Dst: "default", Via: []string{"10.200.0.2"}}}
	p, err := buildPlan(s, "t-")
	if err != nil {
		t.Fatal(err)
	}
	if got := routesOf(t, p, "r1")["203.0.113.9/32"]; got != "10.200.0.10" {
		t.Errorf("r1 route = %q, want the explicit 10.200.0.10", got)
	}
	if got := routesOf(t, p, "src")["0.0.0.0/0"]; got != "10.200.0.2" {
		t.Errorf("src default = %q, want 10.200.0.2", got)
	}
	s.NoAutoRoutes = true
	p, _ = buildPlan(s, "t-")
	if got := len(p.byName["r2"].routes); got != 0 {
		t.Errorf("NoAutoRoutes: r2 has %d routes, want 0", got)
	}
}

func TestBatches(t *testing.T) {
	s := diamond()
	s.Links[1].Delay = 1 // shaped: a TUN link, not in the veth batch
	p, err := buildPlan(s, "hs-1-2-")
	if err != nil {
		t.Fatal(err)
	}
	veth := p.vethBatch()
	if !strings.Contains(veth, "link add e0-r1 netns hs-1-2-src type veth peer name e0-src netns hs-1-2-r1\n") {
		t.Errorf("veth batch lacks the src-r1 pair:\n%s", veth)
	}
	if strings.Contains(veth, "e1-") {
		t.Errorf("veth batch has the shaped link 1:\n%s", veth)
	}
	r1 := p.byName["r1"].ipBatch()
	for _, want := range []string{
		"link set dev lo up\n",
		"link set dev e1-ra mtu 1500 up\n",
		"address add fd00:200:0:1::1/64 dev e1-ra nodad\n",
		"address add 10.200.0.5/30 dev e1-ra\n",
		"route add 203.0.113.9/32 nexthop via 10.200.0.6 nexthop via 10.200.0.10\n",
	} {
		if !strings.Contains(r1, want) {
			t.Errorf("r1 batch lacks %q:\n%s", want, r1)
		}
	}
	if !strings.Contains(p.byName["dst"].ipBatch(), "address add 203.0.113.9/32 dev lo\n") {
		t.Errorf("dst batch lacks its loopback address:\n%s", p.byName["dst"].ipBatch())
	}
}

func TestIfNameFits(t *testing.T) {
	tests := []struct {
		link int
		peer string
		want string
	}{
		{0, "r1", "e0-r1"},
		{12, "averyveryverylongname", "e12-averyveryve"},
	}
	for _, tc := range tests {
		if got := ifName(tc.link, tc.peer); got != tc.want || len(got) > 15 {
			t.Errorf("ifName(%d, %q) = %q, want %q", tc.link, tc.peer, got, tc.want)
		}
	}
}

func TestNftRuleset(t *testing.T) {
	tests := []struct {
		name    string
		node    Node
		want    []string
		notWant []string
	}{
		{"plain node has none", Node{}, nil, []string{"table"}},
		{"silent router", Node{Silent: true}, []string{"hook output", "icmp type { destination-unreachable, time-exceeded, parameter-problem } drop", "icmpv6 type"}, []string{"hook input"}},
		{"silent destination", Node{Drop: AllProbes}, []string{"hook input", "icmp type echo-request drop", "icmpv6 type echo-request drop", "meta l4proto udp drop", "meta l4proto tcp drop"}, []string{"hook output"}},
		{"udp only", Node{Drop: UDP}, []string{"meta l4proto udp drop"}, []string{"tcp", "echo-request"}},
		{"forwarded loss", Node{ForwardLoss: 0.2}, []string{"hook forward", "numgen random mod 1000 < 200 drop"}, []string{"hook output", "hook input"}},
		{"half its ICMP dropped", Node{ICMPLoss: 0.5}, []string{"hook output", "icmp type { destination-unreachable, time-exceeded, parameter-problem } numgen random mod 1000 < 500 drop", "icmpv6 type { destination-unreachable, packet-too-big, time-exceeded, parameter-problem } numgen random mod 1000 < 500 drop"}, []string{"hook forward"}},
		{"ICMP rate limit", Node{ICMPLimit: 5}, []string{"hook output", "time-exceeded, parameter-problem } limit rate over 5/second drop"}, []string{"numgen"}},
		{"tiny loss rounds to nothing", Node{ForwardLoss: 0.0001}, nil, []string{"table"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := nftRuleset(tc.node, "")
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("ruleset lacks %q:\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("ruleset has %q:\n%s", w, got)
				}
			}
		})
	}
}

func TestNodeSysctls(t *testing.T) {
	get := func(n Node) map[string]string {
		m := map[string]string{}
		for _, s := range nodeSysctls(n, 0) {
			m[s.key] = s.value
		}
		return m
	}
	tests := []struct {
		name      string
		node      Node
		key, want string
	}{
		{"host does not forward", Node{}, "net/ipv4/ip_forward", ""},
		{"router forwards v4", Node{Router: true}, "net/ipv4/ip_forward", "1"},
		{"router forwards v6", Node{Router: true}, "net/ipv6/conf/all/forwarding", "1"},
		{"custom hash policy", Node{Router: true}, "net/ipv4/fib_multipath_hash_policy", "3"},
		{"l4 hash by default", Node{Router: true}, "net/ipv4/fib_multipath_hash_fields", "0x0037"},
		{"l3 hash", Node{Router: true, ECMPHash: HashL3}, "net/ipv6/fib_multipath_hash_fields", "0x000f"},
		{"no icmp limit by default", Node{}, "net/ipv4/icmp_ratelimit", "0"},
		{"icmp budget", Node{ICMPPerSecond: 2}, "net/ipv4/icmp_msgs_per_sec", "2"},
		{"unprivileged ping", Node{}, "net/ipv4/ping_group_range", "0 2147483647"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := get(tc.node)[tc.key]; got != tc.want {
				t.Errorf("%s = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

func TestStaleOwner(t *testing.T) {
	tests := []struct {
		name   string
		pid    int
		wantOK bool
	}{
		{"hs-1234-1-client", 1234, true},
		{"hs-1234-17-r-1", 1234, true},
		{"hs-1234-1-", 0, false},
		{"hs-x-1-client", 0, false},
		{"hs-1234-x-client", 0, false},
		{"other-1234-1-client", 0, false},
		{"hstest-a", 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pid, ok := staleOwner(tc.name)
			if ok != tc.wantOK || (ok && pid != tc.pid) {
				t.Errorf("staleOwner(%q) = %d, %v; want %d, %v", tc.name, pid, ok, tc.pid, tc.wantOK)
			}
		})
	}
}

func TestSpecTools(t *testing.T) {
	tests := []struct {
		name string
		spec Spec
		want string
	}{
		{"plain", Spec{Nodes: []Node{{Name: "a"}}}, ""},
		{"silent needs nft", Spec{Nodes: []Node{{Name: "a", Silent: true}, {Name: "b", Drop: UDP}}}, "nft"},
		{"dns needs unbound", Spec{Nodes: []Node{{Name: "a"}}, DNS: &DNSSpec{Node: "a"}}, "unbound"},
		{"article", Article(ArticleOptions{}), "nft unbound"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := strings.Join(tc.spec.tools(), " "); got != tc.want {
				t.Errorf("tools = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestLossPlan(t *testing.T) {
	tests := []struct {
		name    string
		node    Node
		wantErr bool
	}{
		{"forwarded loss", Node{ForwardLoss: 0.2}, false},
		{"ICMP loss and limit", Node{ICMPLoss: 0.5, ICMPLimit: 10}, false},
		{"loss above one", Node{ForwardLoss: 1.5}, true},
		{"negative ICMP loss", Node{ICMPLoss: -0.1}, true},
		{"negative limit", Node{ICMPLimit: -1}, true},
		{"one direction", Node{ForwardLoss: 0.2, ForwardLossFrom: "src"}, false},
		{"from a node it has no link to", Node{ForwardLoss: 0.2, ForwardLossFrom: "nobody"}, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := diamond()
			n := tc.node
			n.Name, n.Router = s.Nodes[1].Name, true
			s.Nodes[1] = n
			p, err := buildPlan(s, "t-")
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if err == nil && p.byName[n.Name].nft == "" {
				t.Error("no nftables ruleset for the node")
			}
			if err == nil && n.ForwardLossFrom != "" && !strings.Contains(p.byName[n.Name].nft, `iifname "`) {
				t.Errorf("one-direction loss without an iifname match:\n%s", p.byName[n.Name].nft)
			}
			if err == nil && !slices.Contains(s.tools(), "nft") {
				t.Error("the spec does not ask for nft")
			}
		})
	}
}
