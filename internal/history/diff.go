package history

import (
	"fmt"
	"slices"
	"time"
)

// Change is one difference between two measurements of the same host.
type Change struct {
	// Kind is "address", "as-path", "new-as", "left-as", "dest-as", "location", "rtt", "reached".
	Kind string
	Text string
}

// RTTShift is the smallest RTT change reported: both this absolute amount and RTTShiftRatio must be exceeded.
const RTTShift = 10 * time.Millisecond

// RTTShiftRatio is the smallest relative RTT change reported.
const RTTShiftRatio = 0.2

// Diff lists what changed from prev to cur.
func Diff(prev, cur Record) []Change {
	var out []Change
	add := func(kind, format string, args ...any) { out = append(out, Change{kind, fmt.Sprintf(format, args...)}) }
	if prev.Addr.IsValid() && cur.Addr.IsValid() && prev.Addr != cur.Addr {
		add("address", "address changed from %s to %s", prev.Addr, cur.Addr)
	}
	for _, a := range cur.ASPath {
		if a != 0 && !slices.Contains(prev.ASPath, a) {
			add("new-as", "path now crosses AS%d", a)
		}
	}
	for _, a := range prev.ASPath {
		if a != 0 && !slices.Contains(cur.ASPath, a) {
			add("left-as", "path no longer crosses AS%d", a)
		}
	}
	if prev.DestASN != 0 && cur.DestASN != 0 && prev.DestASN != cur.DestASN {
		add("dest-as", "server moved from AS%d %s to AS%d %s", prev.DestASN, prev.DestOrg, cur.DestASN, cur.DestOrg)
	}
	if place(prev) != "" && place(cur) != "" && place(prev) != place(cur) {
		add("location", "server location changed from %s to %s", place(prev), place(cur))
	}
	if prev.Reached != cur.Reached {
		if cur.Reached {
			add("reached", "destination answers now (it did not before)")
		} else {
			add("reached", "destination no longer answers")
		}
	}
	if prev.HasRTT && cur.HasRTT {
		d := cur.MinRTT - prev.MinRTT
		ad := d
		if ad < 0 {
			ad = -ad
		}
		if ad > RTTShift && float64(ad) > RTTShiftRatio*float64(prev.MinRTT) {
			dir := "rose"
			if d < 0 {
				dir = "fell"
			}
			add("rtt", "RTT %s from %s to %s", dir, prev.MinRTT.Round(100*time.Microsecond), cur.MinRTT.Round(100*time.Microsecond))
		}
	}
	return out
}

func place(r Record) string {
	switch {
	case r.DestCity != "" && r.DestCountry != "":
		return r.DestCity + ", " + r.DestCountry
	default:
		return r.DestCountry
	}
}
