package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/miekg/dns"

	hopdns "hopscope/internal/dns"
	"hopscope/internal/path"
	"hopscope/internal/probe"
)

func TestTraceOptions(t *testing.T) {
	base := func() traceOptions {
		return traceOptions{method: "icmp", probes: 3, firstTTL: 1, maxTTL: 30, rate: 1000, timeout: 1e9, maxSilent: 5, mode: "auto"}
	}
	tests := []struct {
		name    string
		edit    func(o *traceOptions)
		wantErr string
		check   func(t *testing.T, po probe.Options, rc hopdns.PathConfig)
	}{
		{name: "defaults", check: func(t *testing.T, po probe.Options, rc hopdns.PathConfig) {
			if po.Method != path.ProtoICMP || po.ProbesPerHop != 3 || po.Vary || rc.Family != hopdns.AnyFamily || rc.Server != "" {
				t.Errorf("options %+v", po)
			}
		}},
		{name: "tcp to 8443, IPv6, varied flows, numeric", edit: func(o *traceOptions) {
			o.method, o.port, o.ipv6, o.vary, o.noResolve = "TCP", 8443, true, true, true
		}, check: func(t *testing.T, po probe.Options, rc hopdns.PathConfig) {
			if po.Method != path.ProtoTCP || po.Port != 8443 || !po.Vary || rc.Family != hopdns.IPv6Only {
				t.Errorf("options %+v %+v", po, rc)
			}
		}},
		{name: "dns server for the target and names", edit: func(o *traceOptions) { o.dnsServer = "192.0.2.53" }, check: func(t *testing.T, _ probe.Options, rc hopdns.PathConfig) {
			if rc.Server != "192.0.2.53" || rc.Family != hopdns.AnyFamily {
				t.Errorf("resolver %+v", rc)
			}
		}},
		{name: "no early stop", edit: func(o *traceOptions) { o.maxSilent = 0 }, check: func(t *testing.T, po probe.Options, _ hopdns.PathConfig) {
			if po.MaxSilent != 30 {
				t.Errorf("max silent %d, want 30", po.MaxSilent)
			}
		}},
		{name: "unprivileged sockets", edit: func(o *traceOptions) { o.mode = "unprivileged" }, check: func(t *testing.T, po probe.Options, _ hopdns.PathConfig) {
			if po.Mode != probe.ModeUnprivileged {
				t.Errorf("mode %q", po.Mode)
			}
		}},
		{name: "unknown method", edit: func(o *traceOptions) { o.method = "sctp" }, wantErr: "--method"},
		{name: "port with icmp", edit: func(o *traceOptions) { o.port = 80 }, wantErr: "--port applies"},
		{name: "port out of range", edit: func(o *traceOptions) { o.method, o.port = "udp", 70000 }, wantErr: "--port 70000"},
		{name: "both families", edit: func(o *traceOptions) { o.ipv4, o.ipv6 = true, true }, wantErr: "-4 and -6"},
		{name: "first beyond max", edit: func(o *traceOptions) { o.firstTTL = 40 }, wantErr: "max ttl"},
		{name: "zero rate", edit: func(o *traceOptions) { o.rate = 0 }, wantErr: "--rate"},
		{name: "bad socket mode", edit: func(o *traceOptions) { o.mode = "magic" }, wantErr: "--socket"},
		{name: "negative count", edit: func(o *traceOptions) { o.count = -1 }, wantErr: "--count -1"},
		{name: "rounds without an interval", edit: func(o *traceOptions) { o.count, o.interval = 10, 0 }, wantErr: "--interval"},
		{name: "rounds with --mtu", edit: func(o *traceOptions) { o.count, o.interval, o.mtu = 10, 1e9, true }, wantErr: "--mtu"},
		{name: "unreadable dns server", edit: func(o *traceOptions) { o.dnsServer = "ftp://192.0.2.53" }, wantErr: "--dns-server"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base()
			if tc.edit != nil {
				tc.edit(&o)
			}
			po, rc, err := o.options()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tc.check(t, po, rc)
		})
	}
}

func TestTraceUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"trace"},
		{"trace", "--method", "sctp", "127.0.0.1"},
		{"trace", "--format", "yaml", "127.0.0.1"},
		{"trace", "-4", "-6", "127.0.0.1"},
		{"trace", "-c", "-2", "127.0.0.1"},
		{"trace", "--interval", "0.5", "127.0.0.1"},
		{"trace", "-c", "3", "--interval", "soon", "127.0.0.1"},
		{"trace", "--via", "globalping", "-c", "3", "--interval", "2", "example.com"}, // -c alone now runs mtr there
	} {
		var out, errb bytes.Buffer
		if code := Run(context.Background(), args, Streams{Out: &out, Err: &errb}); code != ExitBadInput {
			t.Errorf("%v: exit %d, want %d (%s)", args, code, ExitBadInput, errb.String())
		}
	}
}

// TestTraceLoopbackJSON traces 127.0.0.1 (loopback only) end to end through the CLI and reads the
// JSON report back.
func TestTraceLoopbackJSON(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for raw sockets (CI runs as root)")
	}
	for _, args := range [][]string{
		{"trace", "--json", "-n", "127.0.0.1"},
		{"trace", "--json", "-n", "-M", "udp", "-q", "2", "::1"},
		{"trace", "--format", "json", "-n", "-M", "tcp", "--socket", "unprivileged", "-p", "9", "127.0.0.1"},
	} {
		t.Run(strings.Join(args[1:], " "), func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Run(context.Background(), args, Streams{Out: &out, Err: &errb}); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			var rep struct {
				Kind string `json:"kind"`
				Path struct {
					Input  string `json:"input"`
					Target struct {
						Addr string `json:"addr"`
					} `json:"target"`
					Hops []struct {
						TTL      int `json:"ttl"`
						Answered int `json:"answered"`
					} `json:"hops"`
				} `json:"path"`
			}
			if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			dst := args[len(args)-1]
			if rep.Kind != "path" || rep.Path.Input != "hopscope" || rep.Path.Target.Addr != dst || len(rep.Path.Hops) != 1 || rep.Path.Hops[0].Answered == 0 {
				t.Errorf("report %+v", rep)
			}
		})
	}
}

// TestTraceAllAddresses resolves a name through a loopback DNS server (CNAME, two A, one AAAA, all
// loopback addresses) and traces every address at once.
func TestTraceAllAddresses(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for raw sockets (CI runs as root)")
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	zone := map[uint16][]string{
		dns.TypeA:    {"multi.example. 60 IN CNAME lo.example.", "lo.example. 60 IN A 127.0.0.1", "lo.example. 60 IN A 127.0.0.2"},
		dns.TypeAAAA: {"multi.example. 60 IN CNAME lo.example.", "lo.example. 60 IN AAAA ::1"},
	}
	srv := &dns.Server{PacketConn: pc, Handler: dns.HandlerFunc(func(w dns.ResponseWriter, q *dns.Msg) {
		m := new(dns.Msg)
		m.SetReply(q)
		if q.Question[0].Name == "multi.example." {
			for _, l := range zone[q.Question[0].Qtype] {
				rr, _ := dns.NewRR(l)
				m.Answer = append(m.Answer, rr)
			}
		}
		w.WriteMsg(m)
	})}
	go srv.ActivateAndServe()
	defer srv.Shutdown()

	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"trace", "--json", "-n", "--all-addresses", "--dns-server", pc.LocalAddr().String(), "multi.example"},
		Streams{Out: &out, Err: &errb})
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	var rep struct {
		Paths []struct {
			Target struct {
				Addr      string   `json:"addr"`
				Canonical string   `json:"canonical"`
				Other     []string `json:"other_addrs"`
			} `json:"target"`
			Hops []struct {
				Answered int `json:"answered"`
			} `json:"hops"`
			Warnings []string `json:"warnings"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, p := range rep.Paths {
		addrs = append(addrs, p.Target.Addr)
		if p.Target.Canonical != "lo.example" || len(p.Target.Other) != 2 || len(p.Hops) != 1 || p.Hops[0].Answered != 3 {
			t.Errorf("path %+v", p)
		}
		if len(p.Warnings) == 0 || p.Warnings[0] != "multi.example has multiple addresses; using 127.0.0.1" {
			t.Errorf("warnings %q, want the multiple-addresses warning first", p.Warnings)
		}
	}
	if strings.Join(addrs, " ") != "127.0.0.1 127.0.0.2 ::1" {
		t.Errorf("traced %v", addrs)
	}
}

// TestTraceRoundsLoopback runs three rounds to 127.0.0.1 (loopback only), saves the JSON report and
// reads it back with analyze: the rounds' statistics travel in the report and survive the trip.
func TestTraceRoundsLoopback(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root for raw sockets (CI runs as root)")
	}
	file := t.TempDir() + "/rounds.json"
	var out, errb bytes.Buffer
	args := []string{"trace", "--json", "-n", "-c", "3", "--interval", "0.05", "-o", file, "127.0.0.1"}
	if code := Run(context.Background(), args, Streams{Out: &out, Err: &errb}); code != ExitOK {
		t.Fatalf("%v: exit %d: %s", args, code, errb.String())
	}
	type hop struct {
		TTL        int `json:"ttl"`
		Sent       int `json:"sent"`
		Answered   int `json:"answered"`
		Responders []struct {
			Addr string   `json:"addr"`
			Loss *float64 `json:"loss"`
		} `json:"responders"`
	}
	var rep struct {
		Path struct {
			Hops  []hop `json:"hops"`
			Trace struct {
				Rounds int `json:"rounds"`
				Hops   []struct {
					Responders []struct {
						Stats *path.Stats `json:"stats"`
					} `json:"responders"`
					Rounds []path.RoundSample `json:"rounds"`
				} `json:"hops"`
			} `json:"trace"`
		} `json:"path"`
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	p := rep.Path
	if p.Trace.Rounds != 3 || len(p.Hops) != 1 || p.Hops[0].Sent != 3 || p.Hops[0].Answered != 3 || len(p.Hops[0].Responders) != 1 ||
		p.Hops[0].Responders[0].Loss == nil || *p.Hops[0].Responders[0].Loss != 0 {
		t.Fatalf("report of three rounds to loopback:\n%s", b)
	}
	st := p.Trace.Hops[0].Responders[0].Stats
	if st == nil || st.Sent != 3 || st.Received != 3 || len(st.Samples) != 3 || len(p.Trace.Hops[0].Rounds) != 3 || st.Best > st.Avg || st.Avg > st.Worst {
		t.Errorf("model stats %+v, rounds %+v", st, p.Trace.Hops[0].Rounds)
	}
	out.Reset()
	errb.Reset()
	if code := Run(context.Background(), []string{"analyze", "--json", file}, Streams{Out: &out, Err: &errb}); code != ExitOK {
		t.Fatalf("analyze: exit %d: %s", code, errb.String())
	}
	var back struct {
		Path struct {
			Hops  []hop `json:"hops"`
			Trace struct {
				Rounds int `json:"rounds"`
			} `json:"trace"`
		} `json:"path"`
	}
	if err := json.Unmarshal(out.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Path.Trace.Rounds != 3 || len(back.Path.Hops) != 1 || back.Path.Hops[0].Sent != 3 || back.Path.Hops[0].Answered != 3 {
		t.Errorf("analyze read the rounds back as:\n%s", out.String())
	}
}
