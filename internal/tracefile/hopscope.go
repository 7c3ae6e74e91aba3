package tracefile

import (
	"bytes"
	"encoding/json"
	"fmt"

	"hopscope/internal/path"
)

// FormatHopscope is hopscope's own JSON report ("hopscope trace --json", "analyze --json", "investigate --json"),
// read back losslessly from the trace each path section carries.
const FormatHopscope = "hopscope-json"

// hopscopeSchema is report.Schema; repeated here to keep importers free of the report stage.
const hopscopeSchema = "hopscope/report"

// detectHopscope is certain of JSON that names hopscope's report schema.
func detectHopscope(s *sniff) confidence {
	if s.json && (s.has(`"schema": "hopscope/report"`) || s.has(`"schema":"hopscope/report"`)) {
		return certain
	}
	return notMine
}

type hopscopePath struct {
	Trace *path.Trace `json:"trace"`
}

type hopscopeReport struct {
	Schema        string          `json:"schema"`
	SchemaVersion int             `json:"schema_version"`
	Kind          string          `json:"kind"`
	Path          *hopscopePath   `json:"path"`
	Paths         []*hopscopePath `json:"paths"`
	Investigation *struct {
		Hosts []struct {
			Path *hopscopePath `json:"path"`
		} `json:"hosts"`
	} `json:"investigation"`
}

// parseHopscope returns the traces inside a hopscope JSON report.
func parseHopscope(data []byte) ([]*path.Trace, error) {
	var r hopscopeReport
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&r); err != nil {
		line := 0
		if se, ok := err.(*json.SyntaxError); ok {
			line = 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		}
		return nil, &ParseError{Format: FormatHopscope, Line: line, Expected: "a hopscope JSON report", Got: shorten(err.Error())}
	}
	if r.Schema != hopscopeSchema {
		return nil, &ParseError{Format: FormatHopscope, Line: 1, Expected: fmt.Sprintf("\"schema\": %q", hopscopeSchema), Got: shorten(r.Schema)}
	}
	var ps []*hopscopePath
	if r.Path != nil {
		ps = append(ps, r.Path)
	}
	ps = append(ps, r.Paths...)
	if r.Investigation != nil {
		for _, h := range r.Investigation.Hosts {
			if h.Path != nil {
				ps = append(ps, h.Path)
			}
		}
	}
	var out []*path.Trace
	for _, p := range ps {
		if p != nil && p.Trace != nil {
			out = append(out, p.Trace)
		}
	}
	if len(out) == 0 {
		return nil, &ParseError{Format: FormatHopscope, Expected: "a path report that carries its trace (saved by hopscope trace or analyze --json)",
			Got: "a " + r.Kind + " report without one"}
	}
	for _, t := range out {
		for i := range t.Hops {
			if t.Hops[i].TTL <= 0 {
				return nil, &ParseError{Format: FormatHopscope, Expected: "hops with a positive TTL", Got: fmt.Sprint(t.Hops[i].TTL)}
			}
		}
	}
	return out, nil
}
