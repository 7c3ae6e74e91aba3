package probe

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"hopscope/internal/netlab"
	"hopscope/internal/path"
)

// natSpec is a 5-hop path whose second router rewrites the client's source address as nat says
// (nil: no NAT).
//
//	client - r1 - r2(nat) -5ms- r3 - r4 - server
func natSpec(nat *netlab.NAT) netlab.Spec {
	return netlab.Spec{
		Name: "nat",
		Nodes: []netlab.Node{
			{Name: "client"}, {Name: "r1", Router: true}, {Name: "r2", Router: true, NAT: nat},
			{Name: "r3", Router: true}, {Name: "r4", Router: true},
			{Name: "server", Addrs: []string{"203.0.113.25/32"}},
		},
		Links: []netlab.Link{
			{A: "client", B: "r1", AAddrs: []string{"10.1.0.2/30"}, BAddrs: []string{"10.1.0.1/30"}},
			{A: "r1", B: "r2"},
			{A: "r2", B: "r3", Delay: 5 * time.Millisecond},
			{A: "r3", B: "r4"},
			{A: "r4", B: "server"},
		},
	}
}

// TestLabNAT traces through a router that rewrites the source address without translating the
// quoted packet (a stateless nftables rewrite): the NAT is reported at hop 3, the first whose ICMP
// errors quote the rewritten probe. The same path without it, or with a conntrack masquerade (which
// translates the quote back, RFC 5508), reports none; every hop answers in all three.
func TestLabNAT(t *testing.T) {
	client := "10.1.0.2"
	for _, tc := range []struct {
		name    string
		nat     *netlab.NAT
		wantTTL int
	}{
		{"stateless source rewrite", &netlab.NAT{Source: client, To: "198.51.100.99"}, 3},
		{"no NAT", nil, 0},
		{"conntrack masquerade", &netlab.NAT{Source: client, Masquerade: true}, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := netlab.New(t, natSpec(tc.nat))
			dst := netip.MustParseAddr("203.0.113.25")
			for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
				var tr *path.Trace
				err := l.Run("client", func() error {
					ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
					defer cancel()
					var err error
					tr, err = Run(ctx, path.Target{Addr: dst}, Options{Method: m, Mode: ModeRaw,
						Config: Config{MinWait: 500 * time.Millisecond, Timeout: 2 * time.Second}})
					return err
				})
				if err != nil {
					t.Fatalf("%s: %v", m, err)
				}
				if ok, ttl := tr.Reached(); !ok || ttl != 5 || len(tr.Hops) != 5 {
					t.Errorf("%s: reached %v at %d with %d hops, want the server at hop 5", m, ok, ttl, len(tr.Hops))
				}
				for _, h := range tr.Hops {
					// Behind the masquerade, conntrack lets only one of the pinned flow's three SYNs
					// through to hops beyond the NAT; every hop must still show.
					want := 3
					if tc.nat != nil && tc.nat.Masquerade && m == path.ProtoTCP && h.TTL > 2 {
						want = 1
					}
					if h.Silent() || h.Answered() < want {
						t.Errorf("%s: hop %d answered %d of 3, want at least %d (%v)", m, h.TTL, h.Answered(), want, h.Responders)
					}
				}
				switch {
				case tc.wantTTL == 0 && tr.NAT != nil:
					t.Errorf("%s: NAT %+v reported, want none", m, tr.NAT)
				case tc.wantTTL != 0 && (tr.NAT == nil || tr.NAT.TTL != tc.wantTTL):
					t.Errorf("%s: NAT %+v, want one at hop %d", m, tr.NAT, tc.wantTTL)
				case tr.NAT != nil:
					t.Logf("%s: NAT at hop %d (%v): %v", m, tr.NAT.TTL, tr.NAT.From, tr.NAT.Changes)
				}
			}
			// Path MTU discovery beside the NAT: behind a stateless rewrite no error from beyond it
			// reaches the probe's socket, and the note must say why rather than suspect a black hole.
			var tr *path.Trace
			if err := l.Run("client", func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
				defer cancel()
				var err error
				tr, err = Run(ctx, path.Target{Addr: dst}, Options{Method: path.ProtoICMP, Mode: ModeRaw, PathMTU: true,
					Config: Config{MinWait: 500 * time.Millisecond, Timeout: 2 * time.Second}})
				return err
			}); err != nil {
				t.Fatalf("--mtu: %v", err)
			}
			m := tr.PathMTU
			switch {
			case m == nil || m.MTU != 1500:
				t.Errorf("path MTU %+v, want 1500 as far as seen", m)
			case tc.wantTTL != 0 && (m.Complete || !strings.Contains(m.Note, "NAT before hop 3")):
				t.Errorf("path MTU behind the NAT: %+v, want incomplete with a note naming the NAT", m)
			case tc.wantTTL == 0 && (!m.Complete || m.Note != ""):
				t.Errorf("path MTU %+v, want complete with no note", m)
			}
		})
	}
}
