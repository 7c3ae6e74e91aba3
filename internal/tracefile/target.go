package tracefile

import (
	"fmt"

	"hopscope/internal/path"
)

// lastHopTarget takes the last hop's one responder as t's target when the input names none and the
// tool is known to stop at its target (mtr always; tracert when it said "Trace complete." or its last
// hop answered every probe before the hop limit). why says so for the warning, ending in what is taken
// ("mtr stops at its target, so the last row"). It reports whether the target was set: a target
// already known, a last hop with no responder ("???", "Request timed out.") or with several, or one
// that answered with an unreachable report (the tool stopped there because the way on was closed, not
// at its target) leave it as it is.
func lastHopTarget(t *path.Trace, why string) bool {
	if t.Target.Addr.IsValid() || t.Target.Name != "" || len(t.Hops) == 0 {
		return false
	}
	h := &t.Hops[len(t.Hops)-1]
	if len(h.Responders) != 1 {
		return false
	}
	for _, p := range h.Probes {
		if p.Status == path.StatusUnreachable && p.Unreachable != "" {
			return false
		}
	}
	r := h.Responders[0]
	if !r.Addr.IsValid() && r.Name == "" {
		return false
	}
	t.Target.Addr, t.Target.Name = r.Addr, r.Name
	who := r.Name
	if r.Addr.IsValid() {
		who = r.Addr.String()
	}
	t.Warnings = append(t.Warnings, fmt.Sprintf("the output names no target; %s (hop %d, %s) is taken as it", why, h.TTL, who))
	return true
}
