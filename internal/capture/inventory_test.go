package capture

import (
	"slices"
	"testing"
)

func TestStartOrder(t *testing.T) {
	tests := []struct {
		name string
		// first and seq of each flow, in creation order
		flows [][2]int64
		want  []int // indexes into flows
	}{
		{"already in order", [][2]int64{{10, 1}, {20, 2}, {20, 3}}, []int{0, 1, 2}},
		{"time goes back", [][2]int64{{30, 1}, {10, 2}, {20, 3}}, []int{1, 2, 0}},
		{"ties keep capture order", [][2]int64{{20, 5}, {10, 2}, {20, 3}}, []int{1, 2, 0}},
		{"shards concatenated", [][2]int64{{10, 1}, {30, 4}, {20, 2}, {40, 3}}, []int{0, 2, 1, 3}},
		{"empty", nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			order := make([]*flow, len(tt.flows))
			for i, fs := range tt.flows {
				order[i] = &flow{first: fs[0], seq: fs[1]}
			}
			got := startOrder(order)
			var idx []int
			for _, f := range got {
				idx = append(idx, slices.Index(order, f))
			}
			if !slices.Equal(idx, tt.want) {
				t.Errorf("order %v, want %v", idx, tt.want)
			}
		})
	}
}

func TestFlowIDs(t *testing.T) {
	ids := flowIDs(12)
	if len(ids) != 12 || ids[0] != "c1" || ids[8] != "c9" || ids[9] != "c10" || ids[11] != "c12" {
		t.Errorf("flowIDs(12) = %q", ids)
	}
	if len(flowIDs(0)) != 0 {
		t.Error("flowIDs(0) is not empty")
	}
}
