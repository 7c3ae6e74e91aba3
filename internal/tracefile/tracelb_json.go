package tracefile

import (
	"encoding/json"
	"net/netip"
	"strconv"

	"hopscope/internal/path"
)

// tracelbJSON is the part of a scamper tracelb JSON object that says how its nodes link: every node
// with links, and per link either the hops up to the next node (one link) or the next nodes (several).
type tracelbJSON struct {
	Confidence int `json:"confidence"`
	Probec     int `json:"probec"`
	ProbecMax  int `json:"probec_max"`
	Nodec      int `json:"nodec"`
	Linkc      int `json:"linkc"`
	Nodes      []struct {
		Addr  string `json:"addr"`
		Linkc int    `json:"linkc"`
		Links [][]struct {
			Addr   string `json:"addr"`
			Probes []struct {
				TTL int `json:"ttl"`
			} `json:"probes"`
		} `json:"links"`
	} `json:"nodes"`
}

// tracelbLevel is the interfaces seen at one hop of a link, at TTL ttl (0 when no probe said).
type tracelbLevel struct {
	addrs []netip.Addr
	ttl   int
}

// addTracelbMultipath sets t.Multipath from a scamper tracelb JSON object whose hops and probes
// scamperToTrace has already read. scamper writes a node with one link as the list of hops to the
// next node (each hop the interfaces that answered there, or "*"), and a node with several links as
// one list of the next nodes. Links between two hops of several interfaces each come from the probe
// flows (a flow that reached a at TTL t and b at t+1 links a to b); an interface no flow reaches is
// left unlinked, with a warning.
func addTracelbMultipath(t *path.Trace, raw []byte) {
	var lb tracelbJSON
	if err := json.Unmarshal(raw, &lb); err != nil {
		return // scamperToTrace read the same object; a shape it tolerated but this does not adds no links
	}
	mp := &path.Multipath{Probes: lb.Probec}
	if lb.Confidence > 0 && lb.Confidence <= 100 {
		mp.Confidence = float64(lb.Confidence) / 100
	}
	setMeta(t, "nodes", strconv.Itoa(lb.Nodec))
	setMeta(t, "links", strconv.Itoa(lb.Linkc))
	if lb.ProbecMax > 0 && lb.Probec >= lb.ProbecMax {
		t.Warnings = append(t.Warnings, "tracelb spent its whole probe budget ("+strconv.Itoa(lb.ProbecMax)+" probes): some load-balanced paths may be missing")
	}
	g := newMPGraph(t)
	unlinked := 0
	for _, n := range lb.Nodes {
		from, err := netip.ParseAddr(n.Addr)
		if err != nil {
			continue // a "*" node: nothing to link from
		}
		fromTTL := nodeTTL(t, n.Addr)
		if n.Linkc > 1 && len(n.Links) == 1 {
			// Several links: one element per next node.
			for _, e := range n.Links[0] {
				lv := tracelbLevelOf(t, []tracelbElemJSON{{e.Addr, probeTTLs(e.Probes)}})
				if fromTTL == 0 && lv.ttl > 0 {
					fromTTL = lv.ttl - 1
				}
				if fromTTL > 0 && lv.ttl > fromTTL {
					g.connect([]netip.Addr{from}, fromTTL, lv.addrs, lv.ttl)
				}
			}
			continue
		}
		prev := tracelbLevel{addrs: []netip.Addr{from}, ttl: fromTTL}
		for i, hop := range n.Links {
			elems := make([]tracelbElemJSON, len(hop))
			for j, e := range hop {
				elems[j] = tracelbElemJSON{e.Addr, probeTTLs(e.Probes)}
			}
			lv := tracelbLevelOf(t, elems)
			if prev.ttl == 0 && i == 0 && lv.ttl > 0 {
				prev.ttl = lv.ttl - 1
			}
			if len(lv.addrs) == 0 {
				continue // a silent hop: the next hop that answered links across it (its probes give its TTL)
			}
			if prev.ttl > 0 && lv.ttl > prev.ttl {
				unlinked += len(g.connect(prev.addrs, prev.ttl, lv.addrs, lv.ttl))
			}
			prev = lv
		}
	}
	if unlinked > 0 {
		t.Warnings = append(t.Warnings, strconv.Itoa(unlinked)+" interfaces could not be linked to the hop before: no probe flow was seen at both")
	}
	mp.Links = answeredLinks(t, g.sorted())
	mp.Flows = g.distinctFlows()
	t.Multipath = mp
}

// tracelbElemJSON is one interface of a hop ("*" for silence) and the TTLs of its probes.
type tracelbElemJSON struct {
	addr string
	ttls []int
}

func probeTTLs(ps []struct {
	TTL int `json:"ttl"`
}) []int {
	out := make([]int, 0, len(ps))
	for _, p := range ps {
		out = append(out, p.TTL)
	}
	return out
}

// tracelbLevelOf reads one hop of a link: its interfaces and the TTL their probes were sent with
// (or, for an interface listed without probes, the TTL where the trace saw it answer).
func tracelbLevelOf(t *path.Trace, elems []tracelbElemJSON) tracelbLevel {
	var lv tracelbLevel
	for _, e := range elems {
		a, err := netip.ParseAddr(e.addr)
		if err != nil {
			continue
		}
		lv.addrs = append(lv.addrs, a)
		for _, ttl := range e.ttls {
			if ttl >= 1 && ttl <= maxTTL && lv.ttl == 0 {
				lv.ttl = ttl
			}
		}
		if lv.ttl == 0 {
			lv.ttl = nodeTTL(t, e.addr)
		}
	}
	return lv
}
