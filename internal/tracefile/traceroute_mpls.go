package tracefile

import (
	"net/netip"

	"hopscope/internal/path"
)

// probesByFrom lists, for the hop being read, where its probes from each responder are, so that an
// MPLS line on its own line (BSD, JunOS) gives its labels to the last responder's probes without a
// scan of the whole hop for each such line. It is built at the first such line of a hop and checked
// against the hop's Probes on every use: another hop's slice, or one that moved (appended to
// elsewhere), is indexed afresh; one that grew is indexed further. A line taken back (restore) must
// call truncate, since the next line appends over the same positions. The zero value is ready to use.
type probesByFrom struct {
	base  *path.Probe
	from  []netip.Addr         // From of each indexed probe, by position
	at    map[netip.Addr][]int // positions of each responder's probes, in order
	valid []int                // positions of the probes with a responder, in order
}

// sync brings the index up to date with h.Probes (which is not empty). Its cost is the number of
// probes appended since the last call, or all of them when the slice moved.
func (x *probesByFrom) sync(h *path.Hop) {
	ps := h.Probes
	if x.base != &ps[0] || len(x.from) > len(ps) {
		*x = probesByFrom{base: &ps[0], at: map[netip.Addr][]int{}}
	}
	work(len(ps) - len(x.from))
	for k := len(x.from); k < len(ps); k++ {
		a := ps[k].From
		x.from = append(x.from, a)
		if a.IsValid() {
			x.at[a] = append(x.at[a], k)
			x.valid = append(x.valid, k)
		}
	}
}

// truncate forgets the probes from position n on, which the caller cut from h.Probes.
func (x *probesByFrom) truncate(h *path.Hop, n int) {
	if len(h.Probes) == 0 || x.base != &h.Probes[0] || len(x.from) <= n {
		return // another hop's index (sync starts afresh), or nothing indexed was cut
	}
	work(len(x.from) - n)
	for k := len(x.from) - 1; k >= n; k-- {
		a := x.from[k]
		if !a.IsValid() {
			continue
		}
		x.at[a] = x.at[a][:len(x.at[a])-1]
		x.valid = x.valid[:len(x.valid)-1]
	}
	x.from = x.from[:n]
}

// lastResponderProbes returns the positions of the probes of h from the responder of its last probe
// that has one, in order; none when no probe has a responder.
func (x *probesByFrom) lastResponderProbes(h *path.Hop) []int {
	x.sync(h)
	work(1)
	if len(x.valid) == 0 {
		return nil
	}
	return x.at[x.from[x.valid[len(x.valid)-1]]]
}
