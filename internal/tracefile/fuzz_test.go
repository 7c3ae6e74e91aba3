package tracefile

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"hopscope/internal/path"
)

// addSeeds seeds f with every corpus file, the lab captures and inputs like the table tests'.
func addSeeds(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "corpus", "*.txt"))
	lab, _ := filepath.Glob(filepath.Join("testdata", "lab", "*.txt"))
	for _, name := range append(files, lab...) {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n 1  [AS64500] r (198.51.100.2) <MPLS:L=1,E=0,S=1,T=1>  5.1 ms !H * 198.51.100.3  1 ms !<10>\n    x.example (192.0.2.5)  2.0 ms\n"))
	f.Add([]byte("traceroute to a (192.0.2.9), 64 hops max, 40 byte packets\n 1  b (192.0.2.1)  1.0 ms MPLS Label=1 CoS=0 TTL=1 S=0  *\n     MPLS Label=2 CoS=0 TTL=1 S=1\n"))
	f.Add([]byte("Tracing route to a [192.0.2.1]\nover a maximum of 30 hops:\n  1    <1 ms     *        2 ms  192.0.2.1  reports: Destination net unreachable.\n"))
	f.Add([]byte(" 1?: [LOCALHOST]  pmtu 1500\n 1:  a (192.0.2.1)  1.0ms asymm 2\n 2:  no reply\n 1:  192.0.2.1  900.0ms pmtu 1400\n     Resume: pmtu 1400 hops 2 back 2\n"))
	f.Add([]byte("Start: 2024-01-02T03:04:05+0000\nHOST: h  Loss% Drop Rcv Snt Last Avg Best Wrst StDev\n  1. AS1 a (192.0.2.1)  0.0% 0 2 2 1 1 1 1 0\n    |  `|-- 192.0.2.3\n"))
	f.Add([]byte("x 0 1\nd 0 a\nh 0 192.0.2.1\np 0 100 1\nt 0 1 2\n"))
	f.Add([]byte(`[{"type":"traceroute","dst_addr":"192.0.2.9","result":[{"hop":1,"error":"x"},{"hop":2,"result":[{"from":"192.0.2.2","rtt":1,"err":"A","dup":true},{"from":"192.0.2.2","err":3,"late":1}]}]}]`))
	f.Add([]byte(`{"type":"tracelb","dst":"2001:db8::9","nodes":[{"addr":"2001:db8::1","links":[[{"addr":"*"},{"addr":"2001:db8::3","probes":[{"ttl":3,"flowid":1,"replies":[]}]}]]}]}`))
}

// checkResult asserts the invariants every import must hold.
func checkResult(t *testing.T, format string, trs []*path.Trace, err error) {
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) {
			t.Fatalf("error is not a *ParseError: %v", err)
		}
		if trs != nil {
			t.Fatalf("traces returned with error %v", err)
		}
		if pe.Error() == "" || pe.Expected == "" {
			t.Fatalf("empty error text: %#v", pe)
		}
		return
	}
	if len(trs) == 0 {
		t.Fatalf("%s: no error and no trace", format)
	}
	for _, tr := range trs {
		if tr.Source == "" {
			t.Fatalf("trace without Source")
		}
		for i, h := range tr.Hops {
			if h.TTL < 1 || h.TTL > 255 || (i > 0 && h.TTL <= tr.Hops[i-1].TTL) {
				t.Fatalf("hop TTLs out of order or range: %d after %v", h.TTL, i)
			}
			seen := map[string]bool{}
			for _, r := range h.Responders {
				key := r.Addr.String() + "|" + r.Name
				if r.Addr.IsValid() {
					key = r.Addr.String()
				}
				if seen[key] {
					t.Fatalf("hop %d: responder %s listed twice", h.TTL, key)
				}
				seen[key] = true
				if !r.Addr.IsValid() && r.Name == "" {
					t.Fatalf("hop %d: responder with neither address nor name", h.TTL)
				}
			}
			for _, p := range h.Probes {
				if p.From.IsValid() && h.Responder(p.From) == nil {
					t.Fatalf("hop %d: probe from %v not among responders", h.TTL, p.From)
				}
				if p.RTT < 0 || (!p.HasRTT && p.RTT != 0) {
					t.Fatalf("hop %d: bad RTT %+v", h.TTL, p)
				}
				if (p.Status == path.StatusTimeout) && (p.From.IsValid() || p.HasRTT) {
					t.Fatalf("hop %d: timeout with a reply %+v", h.TTL, p)
				}
			}
		}
	}
	if _, err := json.Marshal(trs); err != nil {
		t.Fatalf("marshal: %v", err)
	}
}

func fuzzFormat(f *testing.F, format string) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		trs, err := Parse(data, format)
		checkResult(t, format, trs, err)
	})
}

// FuzzParse fuzzes detection followed by the detected importer.
func FuzzParse(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		format, derr := Detect(data)
		trs, err := Parse(data, "")
		if derr != nil && err == nil {
			t.Fatalf("Detect failed (%v) but Parse succeeded", derr)
		}
		checkResult(t, format, trs, err)
	})
}

func FuzzTraceroute(f *testing.F)       { fuzzFormat(f, FormatTraceroute) }
func FuzzTracerouteBSD(f *testing.F)    { fuzzFormat(f, FormatTracerouteBSD) }
func FuzzTracerouteHuawei(f *testing.F) { fuzzFormat(f, FormatTracerouteHuawei) }
func FuzzPathping(f *testing.F)         { fuzzFormat(f, FormatPathping) }
func FuzzTracert(f *testing.F)          { fuzzFormat(f, FormatTracert) }
func FuzzTracepath(f *testing.F)        { fuzzFormat(f, FormatTracepath) }
func FuzzMTRReport(f *testing.F)        { fuzzFormat(f, FormatMTRReport) }
func FuzzMTRJSON(f *testing.F)          { fuzzFormat(f, FormatMTRJSON) }
func FuzzMTRRaw(f *testing.F)           { fuzzFormat(f, FormatMTRRaw) }
func FuzzRIPEAtlas(f *testing.F)        { fuzzFormat(f, FormatRIPEAtlas) }
func FuzzScamper(f *testing.F)          { fuzzFormat(f, FormatScamper) }
