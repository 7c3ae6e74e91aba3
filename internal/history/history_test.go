package history

import (
	"context"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestStoreRoundTripAndOrder(t *testing.T) {
	ctx := context.Background()
	s, err := Open(filepath.Join(t.TempDir(), "sub", "history.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	t0 := time.Date(2026, 11, 1, 12, 0, 0, 0, time.UTC)
	recs := []Record{
		{When: t0.Add(time.Hour), Kind: "trace", Host: "Img.App.test", Addr: netip.MustParseAddr("192.0.2.7"),
			ASPath: []uint32{3215, 6453, 132203}, Carriers: []string{"Orange", "Tata"}, DestASN: 132203, DestCountry: "SG",
			MinRTT: 236 * time.Millisecond, HasRTT: true, Hops: 17, Report: []byte(`{"a":1}`)},
		{When: t0, Kind: "investigate", Run: "r1", Host: "img.app.test", Reached: true},
		{When: t0, Kind: "trace", Host: "other.test"},
	}
	for _, r := range recs {
		if _, err := s.Add(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.ForHost(ctx, "IMG.app.test", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Fatalf("got %d records, want 2", len(got))
	}
	if !got[0].When.Equal(t0) || got[1].Kind != "trace" {
		t.Errorf("records not oldest first: %+v", got)
	}
	r := got[1]
	if r.Addr != recs[0].Addr || len(r.ASPath) != 3 || r.ASPath[1] != 6453 || r.Carriers[1] != "Tata" ||
		!r.HasRTT || r.MinRTT != 236*time.Millisecond || string(r.Report) != `{"a":1}` {
		t.Errorf("round trip lost data: %+v", r)
	}
	if got[0].HasRTT {
		t.Errorf("unmeasured RTT came back as measured: %+v", got[0])
	}
	last, _ := s.ForHost(ctx, "img.app.test", 1)
	if len(last) != 1 || last[0].Kind != "trace" {
		t.Errorf("limit 1 should keep the newest: %+v", last)
	}
	hosts, _ := s.Hosts(ctx)
	if strings.Join(hosts, ",") != "img.app.test,other.test" {
		t.Errorf("hosts = %v", hosts)
	}
	if _, err := s.Add(ctx, Record{}); err == nil {
		t.Error("record without host accepted")
	}
}

func TestDiff(t *testing.T) {
	base := Record{Host: "h", Addr: netip.MustParseAddr("192.0.2.1"), ASPath: []uint32{3215, 6453, 132203},
		DestASN: 132203, DestOrg: "Tencent", DestCountry: "SG", DestCity: "Singapore", MinRTT: 236 * time.Millisecond, HasRTT: true, Reached: true}
	tests := []struct {
		name  string
		mod   func(r *Record)
		kinds []string
	}{
		{"identical", func(r *Record) {}, nil},
		{"small rtt wobble", func(r *Record) { r.MinRTT += 8 * time.Millisecond }, nil},
		{"rtt drop", func(r *Record) { r.MinRTT = 20 * time.Millisecond }, []string{"rtt"}},
		{"new carrier", func(r *Record) { r.ASPath = []uint32{3215, 1299, 132203} }, []string{"new-as", "left-as"}},
		{"moved", func(r *Record) {
			r.Addr = netip.MustParseAddr("192.0.2.2")
			r.DestASN, r.DestOrg, r.DestCountry, r.DestCity = 16509, "Amazon", "DE", "Frankfurt"
		}, []string{"address", "dest-as", "location"}},
		{"went silent", func(r *Record) { r.Reached = false }, []string{"reached"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cur := base
			cur.ASPath = append([]uint32(nil), base.ASPath...)
			tc.mod(&cur)
			var kinds []string
			for _, c := range Diff(base, cur) {
				kinds = append(kinds, c.Kind)
				if c.Text == "" {
					t.Errorf("change %s without text", c.Kind)
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tc.kinds, ",") {
				t.Errorf("changes = %v, want %v", kinds, tc.kinds)
			}
		})
	}
}
