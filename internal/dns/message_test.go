package dns

import (
	"encoding/binary"
	"errors"
	"net/netip"
	"testing"

	mdns "github.com/miekg/dns"
)

func TestBuildQuery(t *testing.T) {
	tests := []struct {
		name       string
		opts       queryOpts
		wantFamily uint16
		wantMask   uint8
		wantAddr   string
	}{
		{"plain recursive", queryOpts{recurse: true}, 0, 0, ""},
		{"ecs v4 masked", queryOpts{recurse: true, subnet: netip.MustParsePrefix("203.0.113.77/24")}, 1, 24, "203.0.113.0"},
		{"ecs v6", queryOpts{subnet: netip.MustParsePrefix("2001:db8:aa::/48")}, 2, 48, "2001:db8:aa::"},
		{"cd and nsid", queryOpts{recurse: true, cd: true, nsid: true}, 0, 0, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := buildQuery(0x1234, "Example.TEST", mdns.TypeAAAA, tc.opts)
			if m.Id != 0x1234 || m.RecursionDesired != tc.opts.recurse || m.CheckingDisabled != tc.opts.cd {
				t.Fatalf("header = id %x rd %v cd %v", m.Id, m.RecursionDesired, m.CheckingDisabled)
			}
			if q := m.Question[0]; q.Name != "Example.TEST." || q.Qtype != mdns.TypeAAAA {
				t.Fatalf("question = %v", q)
			}
			opt := m.IsEdns0()
			if opt == nil || !opt.Do() || opt.UDPSize() != ednsSize {
				t.Fatalf("EDNS = %v, want DO and size %d", opt, ednsSize)
			}
			wire, err := m.Pack()
			if err != nil {
				t.Fatal(err)
			}
			back := new(mdns.Msg)
			if err := back.Unpack(wire); err != nil {
				t.Fatal(err)
			}
			e, ok := subnetOf(back)
			if tc.wantFamily == 0 {
				if ok {
					t.Fatalf("unexpected ECS option %v", e)
				}
				return
			}
			if !ok || e.Family != tc.wantFamily || e.SourceNetmask != tc.wantMask || e.Address.String() != tc.wantAddr {
				t.Fatalf("ECS = %+v, want family %d /%d %s", e, tc.wantFamily, tc.wantMask, tc.wantAddr)
			}
		})
	}
}

func packed(t testing.TB, m *mdns.Msg) []byte {
	t.Helper()
	b, err := m.Pack()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParseReply(t *testing.T) {
	q := buildQuery(0xbeef, "www.example.test.", mdns.TypeA, queryOpts{recurse: true})
	good := reply(q, mdns.RcodeSuccess, false, rrs("www.example.test. 60 IN A 192.0.2.1"), nil, nil)
	goodWire := packed(t, good)
	wrongID := append([]byte(nil), goodWire...)
	binary.BigEndian.PutUint16(wrongID, 0xbef0)
	notResponse := packed(t, q)
	other := reply(buildQuery(0xbeef, "other.test.", mdns.TypeA, queryOpts{}), 0, false, nil, nil, nil)
	tcReply := reply(q, 0, false, nil, nil, nil)
	tcReply.Truncated = true
	tcWire := packed(t, tcReply)
	binary.BigEndian.PutUint16(tcWire[6:], 3) // announces 3 answers that are not there
	tests := []struct {
		name       string
		in         []byte
		notOurs    bool
		malformed  string
		truncated  bool
		wantAnswer int
	}{
		{"good", goodWire, false, "", false, 1},
		{"empty datagram", nil, true, "", false, 0},
		{"one byte", []byte{0xbe}, true, "", false, 0},
		{"wrong id", wrongID, true, "", false, 0},
		{"short header", goodWire[:7], false, "shorter than a DNS header", false, 0},
		{"query echoed", notResponse, false, "QR bit clear", false, 0},
		{"cut in answer", goodWire[:len(goodWire)-3], false, "cannot parse", false, 0},
		{"cut after header", goodWire[:12], false, "message ends early", false, 0},
		{"other question", packed(t, other), false, "reply is for other.test. A", false, 0},
		{"truncated flag unparseable", tcWire, false, "", true, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, err := parseReply(tc.in, q)
			switch {
			case tc.notOurs:
				if !errors.Is(err, errNotOurs) {
					t.Fatalf("err = %v, want not-ours", err)
				}
			case tc.malformed != "":
				var me *MalformedError
				if !errors.As(err, &me) || !contains(me.Reason, tc.malformed) {
					t.Fatalf("err = %v, want malformed %q", err, tc.malformed)
				}
			default:
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				if m.Truncated != tc.truncated || len(m.Answer) != tc.wantAnswer {
					t.Fatalf("got tc=%v answers=%d", m.Truncated, len(m.Answer))
				}
			}
		})
	}
}

func TestParseType(t *testing.T) {
	tests := []struct {
		in   string
		want uint16
		err  bool
	}{
		{"a", mdns.TypeA, false}, {"AAAA", mdns.TypeAAAA, false}, {" mx ", mdns.TypeMX, false}, {"txt", mdns.TypeTXT, false},
		{"PTR", mdns.TypePTR, false}, {"type65", 65, false}, {"TYPE65534", 65534, false},
		{"", 0, true}, {"bogus", 0, true}, {"TYPE", 0, true}, {"TYPE99999", 0, true}, {"TYPE01", 0, true}, {"OPT", 0, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseType(tc.in)
			if (err != nil) != tc.err || got != tc.want {
				t.Fatalf("ParseType(%q) = %d, %v", tc.in, got, err)
			}
		})
	}
}

func TestToRecord(t *testing.T) {
	tests := []struct {
		rr, typ, data string
		addr          bool
	}{
		{"a.test. 60 IN A 192.0.2.1", "A", "192.0.2.1", true},
		{"a.test. 60 IN AAAA 2001:db8::1", "AAAA", "2001:db8::1", true},
		{"a.test. 60 IN MX 10 mail.a.test.", "MX", "10 mail.a.test.", false},
		{`a.test. 60 IN TXT "v=spf1 -all"`, "TXT", `"v=spf1 -all"`, false},
		{"a.test. 60 IN CNAME b.test.", "CNAME", "b.test.", false},
		{"1.2.0.192.in-addr.arpa. 60 IN PTR a.test.", "PTR", "a.test.", false},
	}
	for _, tc := range tests {
		t.Run(tc.typ, func(t *testing.T) {
			r := toRecord(rrs(tc.rr)[0])
			if r.Type != tc.typ || r.Data != tc.data || r.TTL != 60 || r.Addr.IsValid() != tc.addr {
				t.Fatalf("toRecord(%q) = %+v", tc.rr, r)
			}
		})
	}
}

func TestDecodeNSID(t *testing.T) {
	for in, want := range map[string]string{"756e626f756e64": "unbound", "00ff": "00ff", "zz": "zz", "": ""} {
		if got := decodeNSID(in); got != want {
			t.Errorf("decodeNSID(%q) = %q, want %q", in, got, want)
		}
	}
}
