package report

import (
	"reflect"
	"slices"
	"testing"

	"hopscope/internal/explain"
	"hopscope/internal/explain/explaintest"
)

// TestFindingsMirrorStage pins that the report's findings types carry every field of the stage's, so a
// field added to the explanation cannot be silently dropped on its way to the renderers.
func TestFindingsMirrorStage(t *testing.T) {
	pairs := []struct {
		stage, report any
		skip          []string
	}{
		{explain.Findings{}, Findings{}, []string{"Hops", "Multipath"}}, // Multipath: carried whole at Path.Multipath
		{explain.ASRun{}, ASRun{}, nil},
		{explain.Stray{}, Stray{}, nil},
		{explain.Carrier{}, Carrier{}, nil},
		{explain.HandOff{}, HandOff{}, nil},
		{explain.Destination{}, Destination{}, nil},
		{explain.Source{}, Source{}, nil},
		{explain.Jump{}, Jump{}, nil},
		{explain.Spike{}, Spike{}, nil},
		{explain.FarSide{}, FarSide{}, nil},
		{explain.MPLSHop{}, MPLSHop{}, nil},
		{explain.Distance{}, Distance{}, nil},
		{explain.MultiResponder{}, MultiResponder{}, nil},
		{explain.SpecialAddr{}, SpecialAddr{}, nil},
		{explain.Contradiction{}, Contradiction{}, nil},
		{explain.RTT{}, RTT{}, nil},
		{explain.LossFinding{}, LossFinding{}, nil},
		{explain.JitterFinding{}, JitterFinding{}, nil},
		{explain.Marker{}, Marker{}, nil},
	}
	for _, p := range pairs {
		st, rt := reflect.TypeOf(p.stage), reflect.TypeOf(p.report)
		t.Run(st.Name(), func(t *testing.T) {
			for i := range st.NumField() {
				name := st.Field(i).Name
				if slices.Contains(p.skip, name) {
					continue
				}
				if _, ok := rt.FieldByName(name); !ok {
					t.Errorf("report.%s lacks %s", rt.Name(), name)
				}
			}
		})
	}
}

// TestNewFindingsCopies checks the conversion on the seed, field by field where it matters.
func TestNewFindingsCopies(t *testing.T) {
	tr, infos := explaintest.SeedTrace(), explaintest.SeedInfos()
	f := explain.Explain(tr, infos, explain.Options{})
	r := newFindings(f)
	if len(r.ASPath) != len(f.ASPath) || len(r.Carriers) != len(f.Carriers) || len(r.HandOffs) != len(f.HandOffs) ||
		len(r.Jumps) != len(f.Jumps) || len(r.Spikes) != len(f.Spikes) || len(r.MultiResponders) != len(f.MultiResponders) ||
		len(r.Special) != len(f.Special) || len(r.SilentHops) != len(f.SilentHops) || r.Summary != f.Summary {
		t.Fatalf("counts differ: %+v vs %+v", r, f)
	}
	if r.Distance == nil || r.Distance.Km != f.Distance.Km || r.Distance.From.Label != f.Distance.From.Label() {
		t.Errorf("distance = %+v", r.Distance)
	}
	if h := r.HandOffs[2]; h.Place.Label != f.HandOffs[2].Place.Label() || h.AtTTL != f.HandOffs[2].AtTTL || r.HandOffs[1].Within != f.HandOffs[1].Within || r.HandOffs[0].Entry != f.HandOffs[0].Entry {
		t.Errorf("hand-off = %+v", h)
	}
	if d := r.Destination; d.ASN != f.Destination.ASN || d.Place.Label != f.Destination.Place.Label() || d.LastRespondingTTL != f.Destination.LastRespondingTTL {
		t.Errorf("destination = %+v", d)
	}
}
