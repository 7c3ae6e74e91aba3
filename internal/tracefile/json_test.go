package tracefile

import (
	"strings"
	"testing"

	"hopscope/internal/path"
)

func TestParseJSONVariants(t *testing.T) {
	const atlasA = `{"type":"traceroute","af":4,"dst_addr":"192.0.2.9","dst_name":"dst.example","proto":"TCP","paris_id":0,"msm_id":1,"prb_id":2,"src_addr":"198.51.100.1","timestamp":1700000000,"size":48,` +
		`"result":[{"hop":1,"result":[{"from":"192.0.2.1","rtt":1.5,"ttl":64},{"from":"192.0.2.1","rtt":1.6,"ttl":64,"dup":true},{"x":"*"}]},` +
		`{"hop":2,"error":"sendto failed"},` +
		`{"hop":3,"result":[{"from":"192.0.2.3","rtt":9.0,"err":"H"},{"from":"192.0.2.3","rtt":9.1,"err":"A"},{"from":"192.0.2.3","rtt":9.2,"err":13}]}]}`
	const atlasB = `{"type":"traceroute","dst_addr":"2001:db8::9","proto":"ICMP","result":[{"hop":1,"result":[{"from":"2001:db8::1","rtt":0.5}]}]}`
	tests := []variantCase{
		{
			name: "atlas one object", input: atlasA, traces: 1,
			want: []string{
				"1 192.0.2.1 | 1.5m 1.6m *",
				"2  | E",
				"3 192.0.2.3 | 9m!H 9.1m!X 9.2m!13",
			},
			check: func(t *testing.T, trs []*path.Trace) {
				tr := trs[0]
				if tr.Protocol != path.ProtoTCP || !tr.FlowsVaried || tr.Target.Name != "dst.example" || tr.PacketSize != 48 || tr.Started.Unix() != 1700000000 {
					t.Errorf("header %+v proto %q varied %v", tr.Target, tr.Protocol, tr.FlowsVaried)
				}
				if !tr.Hops[0].Probes[1].Dup || tr.Hops[0].Probes[0].ReplyTTL != 64 {
					t.Errorf("dup/ttl not kept: %+v", tr.Hops[0].Probes)
				}
				wantWarning(t, tr, "hop 2: sendto failed")
			},
		},
		{name: "atlas list", input: "[" + atlasA + ",\n" + atlasB + "]", traces: 2, want: []string{"1 192.0.2.1 | 1.5m 1.6m *"}},
		{
			name: "atlas JSON lines", input: atlasB + "\n" + atlasA + "\n", traces: 2, want: []string{"1 2001:db8::1 | 500µ"},
			check: func(t *testing.T, trs []*path.Trace) {
				if trs[0].Protocol != path.ProtoICMP || trs[1].Target.Addr != addr("192.0.2.9") {
					t.Errorf("traces %+v %+v", trs[0].Target, trs[1].Target)
				}
			},
		},
		{
			name: "mtr json new format with numbers and ASN", format: FormatMTRJSON,
			input: `{"report":{"mtr":{"src":"h","dst":"192.0.2.9","tos":0,"tests":5,"psize":"64","bitpattern":"0x00"},` +
				`"hubs":[{"count":1,"host":"192.0.2.1","ASN":"AS64500","Loss%":0.0,"Snt":5,"Last":1.0,"Avg":1.1,"Best":0.9,"Wrst":1.3,"StDev":0.1},` +
				`{"count":2,"host":"???","ASN":"AS???","Loss%":100.0,"Snt":5,"Last":0.0,"Avg":0.0,"Best":0.0,"Wrst":0.0,"StDev":0.0},` +
				`{"count":3,"host":"dst.example (192.0.2.9)","Loss%":40.0,"Snt":5,"Last":9,"Avg":9,"Best":9,"Wrst":9,"StDev":0}]}}`,
			traces: 1, want: []string{"1 192.0.2.1@AS64500 |", "2  |", "3 192.0.2.9=dst.example |"},
			check: func(t *testing.T, trs []*path.Trace) {
				tr := trs[0]
				if tr.Target.Addr != addr("192.0.2.9") || tr.ProbesPerHop != 5 {
					t.Errorf("target %+v pph %d", tr.Target, tr.ProbesPerHop)
				}
				if s := tr.Hops[1].Stats; s == nil || s.Sent != 5 || s.Received != 0 {
					t.Errorf("??? stats %+v", s)
				}
				if s := tr.Hops[2].Responders[0].Stats; s.Received != 3 {
					t.Errorf("hop 3 received %d, want 3", s.Received)
				}
			},
		},
		{
			name: "scamper udp trace with MPLS, unreachable and silent hops", format: FormatScamper,
			input: `{"type":"cycle-start","list_name":"l","id":7,"hostname":"m","start_time":1}` + "\n" +
				`{"type":"trace","method":"udp-paris","src":"198.51.100.1","dst":"192.0.2.9","dport":33435,"attempts":1,"hoplimit":30,"firsthop":1,"hop_count":4,"probe_size":60,"start":{"sec":1700000000,"usec":5},` +
				`"hops":[{"addr":"192.0.2.1","probe_ttl":1,"rtt":1.25,"reply_ttl":64,"icmp_type":11,"icmp_code":0,"icmp_q_ttl":1,"icmpext":[{"ie_cn":1,"ie_ct":1,"ie_dl":4,"mpls_labels":[{"mpls_ttl":1,"mpls_s":1,"mpls_exp":0,"mpls_label":24001}]}]},` +
				`{"addr":"192.0.2.3","probe_ttl":3,"rtt":3.5,"icmp_type":3,"icmp_code":13,"icmp_q_ttl":1}]}` + "\n" +
				`{"type":"ping","src":"198.51.100.1","dst":"192.0.2.9"}` + "\n" +
				`{"type":"cycle-stop","list_name":"l","id":7,"hostname":"m","stop_time":2}` + "\n",
			traces: 1, want: []string{"1 192.0.2.1 | 1.25m<24001>", "2  |", "3 192.0.2.3 | 3.5m!X", "4  |"},
			check: func(t *testing.T, trs []*path.Trace) {
				tr := trs[0]
				if tr.Protocol != path.ProtoUDP || tr.FlowsVaried || tr.Target.Port != 33435 || tr.MaxTTL != 30 || tr.ProbesPerHop != 1 || tr.Meta["cycle_id"] != "7" {
					t.Errorf("header %+v meta %v", tr.Target, tr.Meta)
				}
			},
		},
		{
			name: "scamper tracelb v4 with two branches", format: FormatScamper,
			input: `{"type":"tracelb","method":"udp-dport","src":"198.51.100.1","dst":"192.0.2.9","firsthop":1,"nodes":[` +
				`{"addr":"192.0.2.1","links":[[{"addr":"192.0.2.2","probes":[{"ttl":2,"flowid":1,"replies":[{"ttl":62,"rtt":2.0,"icmp_type":11,"icmp_code":0}]}]}],` +
				`[{"addr":"192.0.2.22","probes":[{"ttl":2,"flowid":2,"replies":[{"ttl":62,"rtt":2.2,"icmp_type":11,"icmp_code":0}]},{"ttl":2,"flowid":3,"replies":[]}]}]]},` +
				`{"addr":"192.0.2.2","links":[[{"addr":"*"},{"addr":"192.0.2.9","probes":[{"ttl":4,"flowid":1,"replies":[{"ttl":60,"rtt":4.0,"icmp_type":3,"icmp_code":3}]}]}]]}]}`,
			traces: 1, want: []string{"1 192.0.2.1 |", "2 192.0.2.2,192.0.2.22 | 2m 2.2m *", "3  |", "4 192.0.2.9 | 4m"},
			check: func(t *testing.T, trs []*path.Trace) {
				if p := trs[0].Hops[1].Probes[1]; p.FlowID != 2 || p.ReplyTTL != 62 {
					t.Errorf("probe %+v", p)
				}
				if ok, ttl := trs[0].Reached(); !ok || ttl != 4 {
					t.Errorf("reached %v %d", ok, ttl)
				}
			},
		},
	}
	runVariants(t, tests)
}

func TestJSONErrorPosition(t *testing.T) {
	in := "$ curl https://atlas.example/results\n[\n  {\"type\":\"traceroute\",\"result\":[]},\n  {\"type\":\"traceroute\",\"dst_addr\":\"10.0.0.999\",\"result\":[]}\n]\n"
	_, err := Parse([]byte(in), "")
	if err == nil || !strings.Contains(err.Error(), "ripe-atlas: line 4: expected an IP address in \"dst_addr\"") {
		t.Errorf("err = %v", err)
	}
}
