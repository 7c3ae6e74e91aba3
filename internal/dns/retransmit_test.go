package dns_test

import (
	"context"
	"errors"
	"net"
	"sync/atomic"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns"
)

// lossyServer answers on 127.0.0.1 but drops the first drop datagrams of each query type, as a lossy
// link to a resolver would; it counts the A queries' datagrams.
func lossyServer(t *testing.T, drop int32) (dns.Server, *atomic.Int32) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	var seen atomic.Int32
	go func() {
		buf := make([]byte, 1500)
		perType := map[uint16]int32{}
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(mdns.Msg)
			if q.Unpack(buf[:n]) != nil || len(q.Question) != 1 {
				continue
			}
			qt := q.Question[0].Qtype
			if qt == mdns.TypeA {
				seen.Add(1)
			}
			if perType[qt]++; perType[qt] <= drop {
				continue
			}
			m := new(mdns.Msg)
			m.SetReply(q)
			m.Authoritative = true
			if q.Question[0].Qtype == mdns.TypeA {
				rr, _ := mdns.NewRR(q.Question[0].Name + " 60 IN A 198.51.100.7")
				m.Answer = append(m.Answer, rr)
			}
			b, _ := m.Pack()
			_, _ = pc.WriteTo(b, from)
		}
	}()
	port := uint16(pc.LocalAddr().(*net.UDPAddr).Port)
	return dns.Server{Transport: dns.TransportUDP, Host: "127.0.0.1", Port: port}, &seen
}

func TestUDPRetransmits(t *testing.T) {
	tests := []struct {
		name     string
		drop     int32
		tries    int
		wantOK   bool
		wantSent int32
	}{
		{"no loss, one datagram", 0, 3, true, 1},
		{"two lost, the third try answers", 2, 3, true, 3},
		{"one try only, lost", 1, 1, false, 1},
		{"every try lost", 5, 3, false, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv, seen := lossyServer(t, tc.drop)
			r := newResolver(t, dns.Config{Server: srv, Timeout: 1400 * time.Millisecond, Tries: tc.tries, NoAuthority: true})
			c, err := r.Addresses(context.Background(), "a.retry.test.")
			var te *dns.TimeoutError
			switch {
			case tc.wantOK && (err != nil || len(c.Addrs()) != 1):
				t.Fatalf("Addresses = %+v, %v", c, err)
			case !tc.wantOK && !errors.As(err, &te):
				t.Fatalf("err = %v, want a timeout", err)
			}
			if got := seen.Load(); got != tc.wantSent {
				t.Errorf("the server saw %d datagrams, want %d", got, tc.wantSent)
			}
		})
	}
}

func TestRetransmitTimesWithinTimeout(t *testing.T) {
	_, err := dns.New(dns.Config{Tries: -1})
	if err == nil {
		t.Error("negative tries accepted")
	}
}
