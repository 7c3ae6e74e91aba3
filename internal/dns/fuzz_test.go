package dns

import (
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	mdns "github.com/miekg/dns"
)

var update = flag.Bool("update", false, "rewrite the fuzz seed files in testdata/replies")

// seedQuery is the query every reply seed answers.
func seedQuery() *mdns.Msg {
	return buildQuery(0x4242, "vweixinthumb.tc.qq.test.", mdns.TypeA, queryOpts{recurse: true})
}

// seedReplies are the replies written to testdata/replies by -update.
func seedReplies(t testing.TB) map[string][]byte {
	q := seedQuery()
	answer := reply(q, 0, false, rrs("vweixinthumb.tc.qq.test. 600 IN CNAME socwxsns.video.qq.test.",
		"socwxsns.video.qq.test. 60 IN A 198.51.100.25", "socwxsns.video.qq.test. 60 IN A 198.51.100.26"), nil, nil)
	answer.RecursionAvailable = true
	opt := &mdns.OPT{Hdr: mdns.RR_Header{Name: ".", Rrtype: mdns.TypeOPT}}
	opt.SetUDPSize(1232)
	opt.Option = []mdns.EDNS0{&mdns.EDNS0_NSID{Code: mdns.EDNS0NSID, Nsid: "756e626f756e64"},
		&mdns.EDNS0_SUBNET{Code: mdns.EDNS0SUBNET, Family: 1, SourceNetmask: 24, SourceScope: 24, Address: []byte{203, 0, 113, 0}}}
	answer.Extra = []mdns.RR{opt}
	referral := reply(q, 0, false, nil, rrs("qq.test. 300 IN NS ns1.qq.test.", "qq.test. 300 IN NS ns.other.test."),
		rrs("ns1.qq.test. 300 IN A 127.0.0.4", "ns1.qq.test. 300 IN AAAA 2001:db8::4"))
	nx := reply(q, mdns.RcodeNameError, true, nil, rrs("qq.test. 60 IN SOA ns1.qq.test. h.qq.test. 1 2 3 4 60"), nil)
	servfail := reply(q, mdns.RcodeServerFailure, false, nil, nil, nil)
	sfOpt := &mdns.OPT{Hdr: mdns.RR_Header{Name: ".", Rrtype: mdns.TypeOPT}}
	sfOpt.Option = []mdns.EDNS0{&mdns.EDNS0_EDE{InfoCode: mdns.ExtendedErrorCodeDNSBogus, ExtraText: "signature crypto failed"}}
	servfail.Extra = []mdns.RR{sfOpt}
	loop := reply(q, 0, true, rrs("vweixinthumb.tc.qq.test. 60 IN CNAME a.qq.test.", "a.qq.test. 60 IN CNAME vweixinthumb.tc.qq.test."), nil, nil)
	out := map[string][]byte{}
	for name, m := range map[string]*mdns.Msg{"answer": answer, "referral": referral, "nxdomain": nx, "servfail-ede": servfail, "loop": loop} {
		b, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		out[name+".bin"] = b
	}
	out["cut.bin"] = out["answer.bin"][:len(out["answer.bin"])-9]
	return out
}

func TestReplySeeds(t *testing.T) {
	dir := filepath.Join("testdata", "replies")
	seeds := seedReplies(t)
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seeds {
			if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Every seed reads back as the kind of reply it was written as.
	q := seedQuery()
	for name := range seeds {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		m, err := parseReply(b, q)
		if (name == "cut.bin") != (err != nil) {
			t.Fatalf("%s: err %v", name, err)
		}
		if name == "servfail-ede.bin" && !strings.Contains(extendedError(m), "signature crypto failed") {
			t.Fatalf("EDE = %q", extendedError(m))
		}
		if name == "answer.bin" && (nsidOf(m) != "unbound") {
			t.Fatalf("NSID = %q", nsidOf(m))
		}
	}
}

func addReplySeeds(f *testing.F) {
	entries, err := os.ReadDir(filepath.Join("testdata", "replies"))
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join("testdata", "replies", e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// FuzzParseReply feeds arbitrary bytes through everything that reads a reply.
func FuzzParseReply(f *testing.F) {
	addReplySeeds(f)
	q := seedQuery()
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := parseReply(b, q)
		if err != nil {
			if m != nil {
				t.Fatal("message and error together")
			}
			return
		}
		for _, sec := range [][]mdns.RR{m.Answer, m.Ns, m.Extra} {
			for _, rr := range sec {
				_ = toRecord(rr)
			}
		}
		_, _ = subnetOf(m)
		_, _ = nsidOf(m), extendedError(m)
		_ = negativeSOA(m)
		_ = countRRSIG(m)
		seen := map[string]bool{"vweixinthumb.tc.qq.test.": true}
		_, _, _, _, _ = follow("vweixinthumb.tc.qq.test.", mdns.TypeA, m.Answer, seen, []string{"vweixinthumb.tc.qq.test."}, 16)
		for _, zone := range []string{".", "test.", "qq.test."} {
			kind, _, child := classify(m, zone, "vweixinthumb.tc.qq.test.")
			switch kind {
			case "answer", "cname", "nxdomain", "nodata", "lame":
				if child != nil {
					t.Fatalf("%s with a referral", kind)
				}
			case "referral":
				if child == nil || !mdns.IsSubDomain(zone, child.Zone) || child.Zone == zone {
					t.Fatalf("referral from %s to %+v", zone, child)
				}
			default:
				t.Fatalf("unknown kind %q", kind)
			}
		}
	})
}

// FuzzParseServer checks that any accepted server string prints back to itself.
func FuzzParseServer(f *testing.F) {
	for _, s := range []string{"192.0.2.53", "[::1]:5353", "udp://192.0.2.1", "tcp://192.0.2.1:5300", "tls://dns.example",
		"https://dns.example/dns-query", "https://[2001:db8::1]:8443/q", "quic://x", "tls://", "https://u@h/?x", "a:b:c", "[fe80::1%eth0]:53"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		srv, err := ParseServer(s)
		if err != nil {
			return
		}
		if srv.Port == 0 || srv.Host == "" {
			t.Fatalf("%q: accepted without host or port: %+v", s, srv)
		}
		back, err := ParseServer(srv.String())
		if err != nil || back != srv {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, srv, srv.String(), back, err)
		}
	})
}

// FuzzParseType checks that accepted types name themselves back.
func FuzzParseType(f *testing.F) {
	for _, s := range []string{"A", "aaaa", "TYPE65", "TYPE0", "mx", "TYPE-1", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := ParseType(s)
		if err != nil {
			return
		}
		if back, err := ParseType(typeName(ty)); err != nil || back != ty {
			t.Fatalf("%q → %d → %q → %d, %v", s, ty, typeName(ty), back, err)
		}
	})
}
