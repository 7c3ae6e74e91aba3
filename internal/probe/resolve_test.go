package probe

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/miekg/dns"
)

// zoneServer answers from zone-file lines on a loopback UDP port. When aliasOnly is set it answers
// a query for an alias with the CNAME alone, so the resolver has to ask again for the canonical name.
func zoneServer(t *testing.T, aliasOnly bool, lines ...string) string {
	t.Helper()
	var rrs []dns.RR
	for _, l := range lines {
		rr, err := dns.NewRR(l)
		if err != nil {
			t.Fatal(err)
		}
		rrs = append(rrs, rr)
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		name, qt := q.Question[0].Name, q.Question[0].Qtype
		for hop := 0; hop < 8; hop++ {
			next := ""
			for _, rr := range rrs {
				h := rr.Header()
				if !strings.EqualFold(h.Name, name) {
					continue
				}
				if h.Rrtype == qt {
					m.Answer = append(m.Answer, rr)
				} else if cn, ok := rr.(*dns.CNAME); ok {
					m.Answer = append(m.Answer, rr)
					next = cn.Target
				}
			}
			if next == "" || aliasOnly {
				break
			}
			name = next
		}
		if len(m.Answer) == 0 {
			m.Rcode = dns.RcodeNameError
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	t.Cleanup(func() { srv.Shutdown() })
	return pc.LocalAddr().String()
}

func TestResolveTarget(t *testing.T) {
	zone := []string{
		"vweixinthumb.tc.example. 300 IN CNAME socwxsns.video.example.",
		"socwxsns.video.example. 300 IN A 203.0.113.25",
		"socwxsns.video.example. 300 IN A 203.0.113.26",
		"socwxsns.video.example. 300 IN AAAA 2001:db8:ff::25",
		"v6only.example. 300 IN AAAA 2001:db8::6",
		"one.example. 300 IN A 192.0.2.1",
	}
	for _, aliasOnly := range []bool{false, true} {
		server := zoneServer(t, aliasOnly, zone...)
		for _, tc := range []struct {
			name, host string
			fam        Family
			wantAddr   string
			wantChain  []string
			wantOther  int
			wantWarn   bool
			wantErr    error
		}{
			{name: "alias with several addresses", host: "vweixinthumb.tc.example", wantAddr: "203.0.113.25",
				wantChain: []string{"socwxsns.video.example"}, wantOther: 2, wantWarn: true},
			{name: "IPv6 only", host: "vweixinthumb.tc.example.", fam: IPv6Only, wantAddr: "2001:db8:ff::25",
				wantChain: []string{"socwxsns.video.example"}, wantOther: 2, wantWarn: true},
			{name: "single address", host: "one.example", wantAddr: "192.0.2.1"},
			{name: "IPv6 when there is no IPv4", host: "v6only.example", wantAddr: "2001:db8::6"},
			{name: "no IPv4 address", host: "v6only.example", fam: IPv4Only, wantErr: ErrNoAddress},
			{name: "address literal", host: "198.51.100.9", wantAddr: "198.51.100.9"},
			{name: "bracketed IPv6 literal", host: "[2001:db8::1]", wantAddr: "2001:db8::1"},
			{name: "literal of the wrong family", host: "198.51.100.9", fam: IPv6Only, wantErr: ErrNoAddress},
		} {
			t.Run(tc.name+map[bool]string{false: "", true: " (alias-only answers)"}[aliasOnly], func(t *testing.T) {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				tgt, warns, err := ResolveTarget(ctx, tc.host, ResolveConfig{Server: server, Family: tc.fam})
				if tc.wantErr != nil {
					if !errors.Is(err, tc.wantErr) {
						t.Fatalf("err %v, want %v", err, tc.wantErr)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if tgt.Addr != netip.MustParseAddr(tc.wantAddr) || !slices.Equal(tgt.Aliases, tc.wantChain) || len(tgt.OtherAddrs) != tc.wantOther {
					t.Errorf("target %+v", tgt)
				}
				if len(tc.wantChain) > 0 && tgt.Canonical != tc.wantChain[len(tc.wantChain)-1] {
					t.Errorf("canonical %q", tgt.Canonical)
				}
				if (len(warns) == 1) != tc.wantWarn || tc.wantWarn && !strings.Contains(warns[0], "has multiple addresses; using "+tc.wantAddr) {
					t.Errorf("warnings %q", warns)
				}
			})
		}
	}
}

func TestResolveDNSResolvConfErrors(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty.conf")
	if err := os.WriteFile(empty, []byte("# no servers\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ name, file, want string }{
		{"missing file", filepath.Join(dir, "missing"), "read "},
		{"no nameserver", empty, "lists no nameserver"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := resolveDNS(context.Background(), "one.example", ResolveConfig{ResolvConf: tc.file})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestNamesCacheAndTimeout(t *testing.T) {
	var calls atomic.Int32
	a, slow := netip.MustParseAddr("192.0.2.6"), netip.MustParseAddr("192.0.2.7")
	n := &Names{Timeout: 50 * time.Millisecond, Lookup: func(ctx context.Context, x netip.Addr) (string, error) {
		calls.Add(1)
		if x == slow {
			<-ctx.Done()
			return "", ctx.Err()
		}
		return "lag-10.nenly00z.rbci.orange.example.", nil
	}}
	var wg sync.WaitGroup
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if got := n.Name(context.Background(), a); got != "lag-10.nenly00z.rbci.orange.example" {
				t.Errorf("name %q", got)
			}
		}()
	}
	wg.Wait()
	if got := n.Name(context.Background(), slow); got != "" {
		t.Errorf("slow lookup gave %q", got)
	}
	if calls.Load() != 2 {
		t.Errorf("%d lookups, want one per address", calls.Load())
	}
	if n.Name(context.Background(), netip.Addr{}) != "" {
		t.Error("name for the zero address")
	}
}

func TestPTRFrom(t *testing.T) {
	server := zoneServer(t, false, "6.2.0.192.in-addr.arpa. 300 IN PTR lag-10.nenly00z.rbci.orange.example.")
	got, err := PTRFrom(server)(context.Background(), netip.MustParseAddr("192.0.2.6"))
	if err != nil || got != "lag-10.nenly00z.rbci.orange.example." {
		t.Errorf("got %q, %v", got, err)
	}
	if withPort("2001:db8::53") != "[2001:db8::53]:53" || withPort("192.0.2.53:5353") != "192.0.2.53:5353" {
		t.Error("withPort")
	}
}
