package report

import (
	"fmt"
	"math"
	"strings"
)

// Thresholds of the vantage summary: an origin is "slow" against another when its RTT is more than
// slowMinMs and slowRatio times the other's; a stretch is "worse" beyond stretchRatio times the other's;
// a shared segment "adds about the same" when the two origins' times across it differ by less than
// sharedSlackMs.
const (
	slowMinMs     = 20.0
	slowRatio     = 1.5
	stretchRatio  = 1.3
	sharedSlackMs = 5.0
)

// summary answers "slow from here, not from there, because ...", stating only what the origins' facts
// support and "unknown" where they do not.
func (v *Vantages) summary() string {
	var measured int
	for _, o := range v.Origins {
		if o.HasRTT {
			measured++
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%d vantage points", len(v.Origins))
	if off := len(v.Origins) - measured; off > 0 {
		fmt.Fprintf(&sb, " (%d without a measurement)", off)
	}
	sb.WriteString(": ")
	if v.Slowest < 0 {
		sb.WriteString("fewer than two origins measured an RTT, so which is slower is unknown.")
		return sb.String()
	}
	s, f := &v.Origins[v.Slowest], &v.Origins[v.Fastest]
	// An origin whose destination did not answer has only a lower bound (its last responding hop):
	// that bound can show it slower than an origin that was answered, never faster or alike.
	if !f.Reached {
		fmt.Fprintf(&sb, "which is slower is unknown: the destination did not answer from %s, so its %.1f ms (at the last hop that answered) is only a lower bound", f.Label, f.MinRTTMs)
		if !s.Reached {
			fmt.Fprintf(&sb, ", as is %.1f ms from %s", s.MinRTTMs, s.Label)
		}
		sb.WriteString(".")
		return sb.String()
	}
	if s.MinRTTMs-f.MinRTTMs <= slowMinMs || s.MinRTTMs <= slowRatio*f.MinRTTMs {
		if !s.Reached {
			fmt.Fprintf(&sb, "at least as slow from %s (≥ %.1f ms, the destination did not answer) as from %s (%.1f ms); how much slower is unknown.", s.Label, s.MinRTTMs, f.Label, f.MinRTTMs)
			return sb.String()
		}
		fmt.Fprintf(&sb, "similar from every origin (%.1f ms from %s to %.1f ms from %s).", f.MinRTTMs, f.Label, s.MinRTTMs, s.Label)
		return sb.String()
	}
	v.Differs = true
	fmt.Fprintf(&sb, "slow from %s (%s), not from %s (%s)", s.Label, s.RTTLabel(), f.Label, f.RTTLabel())
	v.Reasons = v.reasons(s, f)
	if len(v.Reasons) == 0 {
		sb.WriteString("; why is unknown: no located hops, distances or shared routers to compare.")
		return sb.String()
	}
	sb.WriteString(", because " + strings.Join(v.Reasons, "; ") + ".")
	return sb.String()
}

// reasons lists the supported explanations of s being slower than f, most telling first.
func (v *Vantages) reasons(s, f *Origin) []string {
	var out []string
	if s.Dest != "" && f.Dest != "" && s.Dest != f.Dest {
		out = append(out, fmt.Sprintf("the two reach different addresses (%s from %s, %s from %s)",
			placed(s.Dest, s.DestPlace), s.Label, placed(f.Dest, f.DestPlace), f.Label))
	}
	diff := s.MinRTTMs - f.MinRTTMs
	if s.HasDistance && f.HasDistance {
		light := s.LightMinMs - f.LightMinMs
		switch {
		case light <= 0:
			out = append(out, fmt.Sprintf("not distance: the destination is no farther from %s (%s km) than from %s (%s km)",
				s.Label, GroupDigits(s.DistanceKm), f.Label, GroupDigits(f.DistanceKm)))
		case s.Stretch > 0 && f.Stretch > 0 && s.Stretch <= stretchRatio*f.Stretch:
			out = append(out, fmt.Sprintf("distance: the destination is %s km from %s against %s km from %s, and both paths run at about the same multiple of the light-speed minimum (%.1f× and %.1f×)",
				GroupDigits(s.DistanceKm), s.Label, GroupDigits(f.DistanceKm), f.Label, s.Stretch, f.Stretch))
		default:
			clause := fmt.Sprintf("distance accounts for %.1f ms of the %.1f ms difference (the light-speed minimum over %s km from %s against %s km from %s)",
				light, diff, GroupDigits(s.DistanceKm), s.Label, GroupDigits(f.DistanceKm), f.Label)
			if s.Stretch > 0 && f.Stretch > 0 {
				// What is left is the path's, not the distance's: a longer route than the great circle, or
				// queues; the data do not tell which.
				clause += fmt.Sprintf("; the path from %s takes %.1f× that minimum against %.1f× from %s, so the other %.1f ms come from the path itself (a longer route than the great circle, or queueing)",
					s.Label, s.Stretch, f.Stretch, f.Label, math.Max(0, diff-light))
			}
			out = append(out, clause)
		}
	}
	if s.Detour != nil {
		clause := fmt.Sprintf("the path from %s detours through %s (hop %d, %s km away, farther than the destination at %s km)",
			s.Label, s.Detour.Place, s.Detour.TTL, GroupDigits(s.Detour.Km), GroupDigits(s.DistanceKm))
		if s.Exit != nil && s.Exit.Place != s.Detour.Place {
			clause += fmt.Sprintf(", leaving %s at hop %d in %s", s.Place.Country, s.Exit.TTL, s.Exit.Place)
		}
		out = append(out, clause)
	}
	// A rise too small to carry a good part of the difference explains nothing of it.
	if j := s.Jump; j != nil && j.DeltaMs >= diff/4 {
		clause := fmt.Sprintf("its largest rise is +%.1f ms between hops %d and %d", j.DeltaMs, j.FromTTL, j.ToTTL)
		if from, to := j.FromPlace.LabelOf(), j.ToPlace.LabelOf(); from != "" && to != "" && from != to {
			clause += fmt.Sprintf(" (%s → %s)", from, to)
		}
		out = append(out, clause)
	}
	if seg := v.Shared; seg != nil && s.Join != nil && f.Join != nil && s.Join.HasMs && f.Join.HasMs && s.Reached && f.Reached {
		across := (s.MinRTTMs - s.Join.MinMs) - (f.MinRTTMs - f.Join.MinMs)
		if math.Abs(across) < sharedSlackMs {
			out = append(out, fmt.Sprintf("both paths end through the same routers from %s on, reached at %.1f ms from %s and %.1f ms from %s: the difference lies before that shared segment",
				seg.First, s.Join.MinMs, s.Label, f.Join.MinMs, f.Label))
		} else {
			out = append(out, fmt.Sprintf("the shared segment from %s takes %.1f ms more from %s than from %s",
				seg.First, across, s.Label, f.Label))
		}
	}
	return out
}

func placed(addr, place string) string {
	if place == "" {
		return addr
	}
	return addr + " in " + place
}
