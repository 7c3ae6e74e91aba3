package report

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"hopscope/internal/explain"
	"hopscope/internal/path"
	"hopscope/internal/tracefile"
)

// TestMultipathMirrorsStage pins that the report's multipath types carry every field of explain's,
// so a field added to the analysis cannot be dropped on its way to the renderers.
func TestMultipathMirrorsStage(t *testing.T) {
	pairs := []struct {
		stage, report any
		renamed       map[string]string // stage field -> report field
	}{
		{explain.MultipathFinding{}, Multipath{}, map[string]string{"Links": "Links"}},
		{explain.Diamond{}, Diamond{}, map[string]string{"DivergenceTTL": "Divergence", "ConvergenceTTL": "Convergence"}},
		{explain.Branch{}, DiamondBranch{}, map[string]string{"HasRTT": "MinMs"}},
	}
	for _, p := range pairs {
		st, rt := reflect.TypeOf(p.stage), reflect.TypeOf(p.report)
		t.Run(st.Name(), func(t *testing.T) {
			for i := range st.NumField() {
				name := st.Field(i).Name
				if r, ok := p.renamed[name]; ok {
					name = r
				}
				if _, ok := rt.FieldByName(name); !ok {
					t.Errorf("report.%s lacks %s", rt.Name(), name)
				}
			}
		})
	}
}

// readLab imports one of the scamper tracelb captures of the ECMP labs.
func readLab(t *testing.T, file string) *path.Trace {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "tracefile", "testdata", "tracelb", file))
	if err != nil {
		t.Fatal(err)
	}
	trs, err := tracefile.Parse(data, "")
	if err != nil {
		t.Fatal(err)
	}
	return trs[0]
}

func TestBuildPathMultipath(t *testing.T) {
	tests := []struct {
		name, file string
		width      int
		nested     bool
		linksKnown bool
		links      int
		line       string
	}{
		{"two branches from JSON", "lab-diamond2.json", 2, false, true, 6, "load balancing: 2 parallel paths between hop 1 (10.200.0.2) and hop 4 (203.0.113.25), found at 95% confidence with 24 probes"},
		{"four branches from text", "lab-diamond4.txt", 4, false, false, 8, "which interface leads to which is not known"},
		{"nested from JSON", "lab-nested.json", 3, true, true, 14, "a nested diamond 2 wide from hop 2 (10.200.0.6) to hop 4 (10.200.0.26); the branches cross (meshed)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tr := readLab(t, tc.file)
			p := BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{}))
			m := p.Multipath
			if m == nil || len(m.Diamonds) != 1 {
				t.Fatalf("multipath %+v", m)
			}
			d := m.Diamonds[0]
			if d.Width != tc.width || d.Nested != tc.nested || d.LinksKnown != tc.linksKnown || len(m.Links) != tc.links || m.Confidence != 0.95 || m.Probes == 0 {
				t.Errorf("diamond %+v, %d links, confidence %v, %d probes", d, len(m.Links), m.Confidence, m.Probes)
			}
			if d.Convergence == nil || d.Convergence.Addr != "203.0.113.25" || d.Divergence.Addr != "10.200.0.2" {
				t.Errorf("ends %+v %+v", d.Divergence, d.Convergence)
			}
			var sec *Section
			for i := range p.Sections {
				if p.Sections[i].Label == "Multipath" {
					sec = &p.Sections[i]
				}
			}
			for _, s := range p.Sections {
				if s.Label == "Responders" {
					t.Errorf("a Responders section beside the diamonds: %q", s.Lines)
				}
			}
			if !strings.Contains(p.Summary, "Flows split over") {
				t.Errorf("summary %q lacks the load balancing", p.Summary)
			}
			if sec == nil || !strings.Contains(strings.Join(sec.Lines, "\n"), tc.line) {
				t.Errorf("sections %+v, want a Multipath line with %q", p.Sections, tc.line)
			}
			b, err := json.Marshal(p)
			if err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(string(b), `"multipath":{"confidence":0.95`) || !strings.Contains(string(b), `"diamonds":[{"divergence":{"ttl":1,"addr":"10.200.0.2"}`) {
				t.Errorf("JSON lacks the multipath section: %.400s", b[strings.Index(string(b), `"multipath"`):])
			}
		})
	}
}

func TestBuildPathWithoutMultipath(t *testing.T) {
	tr := &path.Trace{Hops: []path.Hop{{TTL: 1}}}
	p := BuildPath(tr, nil, explain.Explain(tr, nil, explain.Options{}))
	if p.Multipath != nil {
		t.Errorf("multipath %+v on a single-flow trace", p.Multipath)
	}
	b, _ := json.Marshal(p)
	if strings.Contains(string(b), `"multipath":{`) {
		t.Error("the report JSON has a multipath section for a single-flow trace")
	}
}
