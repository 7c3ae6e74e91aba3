package dns_test

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	mdns "github.com/miekg/dns"

	"hopscope/internal/dns"
	"hopscope/internal/dns/dnstest"
)

// referrer answers every query with a referral to zone, listing name servers with glue.
func referrer(zone string, glue map[string]netip.Addr) mdns.HandlerFunc {
	return func(w mdns.ResponseWriter, req *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(req)
		for ns, a := range glue {
			m.Ns = append(m.Ns, &mdns.NS{Hdr: mdns.RR_Header{Name: zone, Rrtype: mdns.TypeNS, Class: mdns.ClassINET, Ttl: 300}, Ns: ns})
			m.Extra = append(m.Extra, &mdns.A{Hdr: mdns.RR_Header{Name: ns, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 300}, A: a.AsSlice()})
		}
		_ = w.WriteMsg(m)
	}
}

// authority answers every A query authoritatively with addr.
func authority(addr netip.Addr) mdns.HandlerFunc {
	return func(w mdns.ResponseWriter, req *mdns.Msg) {
		m := new(mdns.Msg)
		m.SetReply(req)
		m.Authoritative = true
		if req.Question[0].Qtype == mdns.TypeA {
			m.Answer = []mdns.RR{&mdns.A{Hdr: mdns.RR_Header{Name: req.Question[0].Name, Rrtype: mdns.TypeA, Class: mdns.ClassINET, Ttl: 60}, A: addr.AsSlice()}}
		}
		_ = w.WriteMsg(m)
	}
}

// TestTraceSilentServer walks an in-process hierarchy where the first server of test. never answers:
// the trace records the timeout, naming the server and the wait, and goes on to the next server.
func TestTraceSilentServer(t *testing.T) {
	root, silent, good := netip.MustParseAddr("127.0.0.21"), netip.MustParseAddr("127.0.0.22"), netip.MustParseAddr("127.0.0.23")
	port := dnstest.FreePort(t, root, silent, good)
	dnstest.Serve(t, netip.AddrPortFrom(root, port), referrer("test.", map[string]netip.Addr{"ns0.nic.test.": silent, "ns1.nic.test.": good}))
	dnstest.StartGarbage(t, netip.AddrPortFrom(silent, port), dnstest.GarbageSilent)
	dnstest.Serve(t, netip.AddrPortFrom(good, port), authority(netip.MustParseAddr("192.0.2.7")))
	r := newResolver(t, dns.Config{Roots: []netip.AddrPort{netip.AddrPortFrom(root, port)}, TracePort: port, Timeout: 300 * time.Millisecond})
	res, err := r.Trace(context.Background(), "www.slow.test", mdns.TypeA)
	if err != nil {
		t.Fatal(err)
	}
	if a := res.Chain.Addrs(); len(a) != 1 || a[0].String() != "192.0.2.7" {
		t.Fatalf("addresses %v", a)
	}
	var kinds []string
	for _, s := range res.Steps {
		kinds = append(kinds, s.ServerName+" "+s.Kind)
		if s.Kind == "error" && !strings.Contains(s.Detail, "timeout: no answer from 127.0.0.22:") {
			t.Fatalf("error step %+v does not name the silent server", s)
		}
	}
	if got := strings.Join(kinds, ", "); got != "root referral, ns0.nic.test. error, ns1.nic.test. answer" {
		t.Fatalf("steps: %s", got)
	}
	if !strings.HasPrefix(res.AnsweredBy, "ns1.nic.test. (127.0.0.23:") || !res.Authoritative {
		t.Fatalf("answered by %q aa %v", res.AnsweredBy, res.Authoritative)
	}
}

// TestTraceAllSilent: when no server of a zone answers, the error names the zone and every server tried.
func TestTraceAllSilent(t *testing.T) {
	root, silent := netip.MustParseAddr("127.0.0.24"), netip.MustParseAddr("127.0.0.25")
	port := dnstest.FreePort(t, root, silent)
	dnstest.Serve(t, netip.AddrPortFrom(root, port), referrer("test.", map[string]netip.Addr{"ns0.nic.test.": silent}))
	dnstest.StartGarbage(t, netip.AddrPortFrom(silent, port), dnstest.GarbageWrongID)
	r := newResolver(t, dns.Config{Roots: []netip.AddrPort{netip.AddrPortFrom(root, port)}, TracePort: port, Timeout: 300 * time.Millisecond})
	_, err := r.Trace(context.Background(), "www.slow.test", mdns.TypeA)
	if err == nil || !strings.Contains(err.Error(), "no server for test. answered") || !strings.Contains(err.Error(), "ns0.nic.test. (127.0.0.25:") || !strings.Contains(err.Error(), "ID mismatch") {
		t.Fatalf("err = %v", err)
	}
}
