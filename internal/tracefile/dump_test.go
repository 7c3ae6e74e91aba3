package tracefile

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDump(t *testing.T) {
	if os.Getenv("DUMP") == "" {
		t.Skip()
	}
	files, _ := filepath.Glob("testdata/corpus/*.txt")
	for _, f := range files {
		if os.Getenv("DUMP") != "1" && !strings.Contains(f, os.Getenv("DUMP")) {
			continue
		}
		data, _ := os.ReadFile(f)
		format, err := Detect(data)
		fmt.Printf("=== %s: %s %v\n", filepath.Base(f), format, err)
		trs, err := Parse(data, "")
		if err != nil {
			fmt.Println("ERR", err)
			continue
		}
		for _, tr := range trs {
			fmt.Printf("trace src=%s proto=%s target=%+v from=%v max=%d size=%d pph=%d varied=%v started=%v\n  warn=%q meta=%v\n", tr.Source, tr.Protocol, tr.Target, tr.From, tr.MaxTTL, tr.PacketSize, tr.ProbesPerHop, tr.FlowsVaried, tr.Started, tr.Warnings, tr.Meta)
			for _, h := range tr.Hops {
				var rs []string
				for _, r := range h.Responders {
					s := r.Addr.String() + "/" + r.Name
					if r.ReportedASN != 0 {
						s += fmt.Sprintf("/AS%d", r.ReportedASN)
					}
					if r.Stats != nil {
						s += fmt.Sprintf("/%+v", *r.Stats)
					}
					rs = append(rs, s)
				}
				var ps []string
				for _, p := range h.Probes {
					s := string(p.Status)[:1]
					if p.HasRTT {
						s += p.RTT.String()
					}
					if p.Unreachable != "" {
						s += "!" + p.Unreachable
					}
					if p.Late {
						s += "L"
					}
					if len(p.MPLS) > 0 {
						s += fmt.Sprint(p.MPLS)
					}
					ps = append(ps, s)
				}
				st := ""
				if h.Stats != nil {
					st = fmt.Sprintf(" hopstats=%+v", *h.Stats)
				}
				fmt.Printf("  %3d %v %v%s\n", h.TTL, rs, ps, st)
			}
		}
	}
}
