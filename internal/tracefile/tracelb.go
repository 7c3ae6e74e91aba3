package tracefile

import (
	"container/heap"
	"net/netip"
	"strconv"
	"strings"

	"hopscope/internal/path"
)

// FormatTracelbText is scamper's text form of a tracelb (MDA) measurement, as sc_warts2text and
// scamper -O text print it.
const FormatTracelbText = "scamper-tracelb-text"

// detectTracelbText is certain on scamper's tracelb header line.
func detectTracelbText(s *sniff) confidence {
	if _, ok := tracelbHeader(s.line); ok {
		return certain
	}
	return notMine
}

// tracelbHead is what a tracelb header line says.
type tracelbHead struct {
	src, dst                     netip.Addr
	nodes, links, probes, confid int
}

// tracelbHeader reads "tracelb from 192.0.2.1 to 198.51.100.9, 6 nodes, 6 links, 85 probes, 95%"
// (newer scamper leaves out "from X" when the source is unknown).
func tracelbHeader(line string) (tracelbHead, bool) {
	var h tracelbHead
	rest, ok := strings.CutPrefix(line, "tracelb ")
	if !ok {
		return h, false
	}
	addrs, counts, ok := strings.Cut(rest, ", ")
	if !ok {
		return h, false
	}
	f := strings.Fields(addrs)
	for i := 0; i+1 < len(f); i += 2 {
		a, err := netip.ParseAddr(f[i+1])
		if err != nil {
			return h, false
		}
		switch f[i] {
		case "from":
			h.src = a
		case "to":
			h.dst = a
		default:
			return h, false
		}
	}
	if len(f)%2 != 0 {
		return h, false
	}
	// "6 nodes, 6 links, 85 probes, 95%"
	parts := strings.Split(counts, ", ")
	if len(parts) != 4 {
		return h, false
	}
	for i, unit := range []string{" nodes", " links", " probes", "%"} {
		num, ok := strings.CutSuffix(parts[i], unit)
		if !ok {
			return h, false
		}
		n, ok := parseUint(num, 1<<30)
		if !ok {
			return h, false
		}
		switch i {
		case 0:
			h.nodes = n
		case 1:
			h.links = n
		case 2:
			h.probes = n
		case 3:
			h.confid = n
		}
	}
	return h, h.confid <= 100
}

// tracelbElem is one element of a node line: an interface, a set of them at one hop, or "*".
type tracelbElem struct {
	addrs []netip.Addr
	// silent is set when some probe at this hop got no answer ("*" alone or in a set).
	silent bool
	col    int
}

// tracelbLine is one node line: "a -> b", "a -> *" or "a -> (b, c) -> * -> d".
type tracelbLine struct {
	line  int
	elems []tracelbElem // elems[0] is the node the line starts from
}

// parseTracelbText imports scamper tracelb text:
//
//	tracelb from 192.0.2.1 to 203.0.113.9, 2 nodes, 1 links, 24 probes, 95%
//	10.0.0.1 -> (10.0.1.1, 10.0.2.1) -> (10.0.3.1, 10.0.4.1) -> 203.0.113.9
//	10.0.5.1 -> 10.0.6.1
//	10.0.5.1 -> 10.0.7.1
//
// After the header, each line starts at a node (a load balancer's interface, or "*"): either one line
// per next node ("a -> b") when the node has several, or a chain through the hops before the next
// node, each hop the set of interfaces that answered there, "*" for silence. The text gives no TTLs:
// the first node is taken to be hop 1 (scamper's default first hop) and every other interface is
// placed by how many steps it lies from it. Which interface of one set leads to which of the next
// is not in the text, so no link is drawn between two sets of several; a warning says so (the JSON
// form, sc_warts2json, has the probes that tell).
func parseTracelbText(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatTracelbText
	in := newTextInputOpts(format, data, opts)
	var (
		traces []*path.Trace
		cur    *path.Trace
		lines  []tracelbLine
	)
	flush := func() {
		if cur == nil {
			return
		}
		buildTracelbText(cur, lines, in)
		cur.Warnings = append(cur.Warnings, in.takeNotes()...)
		finish(cur, true, false)
		traces = append(traces, cur)
		cur, lines = nil, nil
	}
	for in.scan() {
		body := in.body()
		if h, ok := tracelbHeader(body); ok {
			flush()
			cur = newTracelbTextTrace(h)
			continue
		}
		if isPromptLine(in.ln) && !strings.Contains(body, "->") {
			continue
		}
		if cur == nil {
			if err := in.tolerate(in.errAt(in.start+1, `a "tracelb from ... to ..." header line`, body)); err != nil {
				return nil, err
			}
			continue
		}
		tl, err := parseTracelbLine(in, body)
		if err != nil {
			if err := in.tolerate(err); err != nil {
				return nil, err
			}
			continue
		}
		lines = append(lines, tl)
	}
	flush()
	if len(traces) == 0 {
		return nil, in.refuse(`a "tracelb from ... to ..., N nodes, N links, N probes, 95%" header`, "")
	}
	return traces, nil
}

func newTracelbTextTrace(h tracelbHead) *path.Trace {
	t := &path.Trace{Source: FormatScamper, FlowsVaried: true, From: h.src}
	t.Target.Addr = h.dst
	t.Multipath = &path.Multipath{Confidence: float64(h.confid) / 100, Probes: h.probes}
	setMeta(t, "type", "tracelb")
	setMeta(t, "nodes", strconv.Itoa(h.nodes))
	setMeta(t, "links", strconv.Itoa(h.links))
	return t
}

// parseTracelbLine splits one node line at its arrows.
func parseTracelbLine(in *textInput, body string) (tracelbLine, error) {
	tl := tracelbLine{line: in.line()}
	col := in.start + 1
	parts := strings.Split(body, " -> ")
	if len(parts) < 2 {
		return tl, in.errAt(col, `a node line such as "192.0.2.1 -> 192.0.2.2"`, body)
	}
	for i, p := range parts {
		e := tracelbElem{col: col}
		col += len(p) + len(" -> ")
		p = strings.TrimSpace(p)
		switch {
		case p == "*":
			e.silent = true
		case strings.HasPrefix(p, "(") && strings.HasSuffix(p, ")"):
			if i == 0 {
				return tl, in.errAt(e.col, "a node's address before the first arrow", p)
			}
			for _, s := range strings.Split(p[1:len(p)-1], ",") {
				s = strings.TrimSpace(s)
				if s == "*" {
					e.silent = true
					continue
				}
				a, err := netip.ParseAddr(s)
				if err != nil {
					return tl, in.errAt(e.col, "an IP address or * in the set", s)
				}
				e.addrs = append(e.addrs, a)
			}
			if len(e.addrs) == 0 && !e.silent {
				return tl, in.errAt(e.col, "addresses in the set", p)
			}
		default:
			a, err := netip.ParseAddr(p)
			if err != nil {
				return tl, in.errAt(e.col, `an IP address, "*" or a set "(a, b)"`, p)
			}
			e.addrs = []netip.Addr{a}
		}
		tl.elems = append(tl.elems, e)
	}
	return tl, nil
}

// buildTracelbText places the interfaces of the node lines at TTLs and links them.
func buildTracelbText(t *path.Trace, lines []tracelbLine, in *textInput) {
	if len(lines) == 0 {
		t.Warnings = append(t.Warnings, "tracelb found no node (nothing answered, or the destination is this host)")
		return
	}
	// Node TTLs: the first node no line leads to is hop 1 (scamper prints it first); each line
	// places what follows its node.
	ttl := map[netip.Addr]int{}
	if root, ok := tracelbRoot(lines); ok {
		ttl[root] = 1
	}
	placed := placeTracelbLines(lines, ttl)
	g := newMPGraph(t)
	for i, tl := range lines {
		if !placed[i] {
			in.note(tl.line, "skipped: no line leads to its first node from the first hop, so its hops are unknown")
			continue
		}
		base := ttl[tl.elems[0].addrs[0]]
		prev, prevTTL := tl.elems[0].addrs, base
		for j, e := range tl.elems {
			at := base + j
			if at > maxTTL {
				in.note(tl.line, "skipped the hops past 255")
				break
			}
			h := t.HopAt(at)
			for _, a := range e.addrs {
				h.AddResponder(path.Responder{Addr: a})
			}
			if j == 0 || len(e.addrs) == 0 {
				continue
			}
			if un := g.connect(prev, prevTTL, e.addrs, at); len(un) > 0 {
				in.note(tl.line, "which of "+addrList(prev)+" leads to which of "+addrList(e.addrs)+
					" is not in scamper's text output (its JSON has the probes that tell)")
			}
			prev, prevTTL = e.addrs, at
		}
	}
	t.Multipath.Links = answeredLinks(t, g.sorted())
}

// tracelbRoot returns the node of the first line that no line leads to, else the first line's node.
func tracelbRoot(lines []tracelbLine) (netip.Addr, bool) {
	reached := map[netip.Addr]bool{}
	for _, tl := range lines {
		for _, e := range tl.elems[1:] {
			for _, a := range e.addrs {
				reached[a] = true
			}
		}
	}
	for _, tl := range lines {
		if s := tl.elems[0].addrs; len(s) == 1 && !reached[s[0]] {
			return s[0], true
		}
	}
	if s := lines[0].elems[0].addrs; len(s) == 1 {
		return s[0], true
	}
	return netip.Addr{}, false
}

// addrList writes addresses as scamper's sets: "(a, b)", or "a" alone.
func addrList(as []netip.Addr) string {
	if len(as) == 1 {
		return as[0].String()
	}
	s := make([]string, len(as))
	for i, a := range as {
		s[i] = a.String()
	}
	return "(" + strings.Join(s, ", ") + ")"
}

// placeTracelbLines gives the nodes of lines their TTLs in ttl (holding the first hop's), line by
// line: a line whose first node has a TTL places the nodes after it (keeping a node's lowest TTL).
// It reports which lines were placed. The order is that of passes over the lines, each placing in
// line order every line whose first node has a TTL by then, until a pass places none; rather than
// making those passes (one per level of a chain printed from its far end: work growing with the
// lines times the levels), it keeps the lines waiting on each node and places a line when its node
// gets a TTL: in the same pass when the line comes after the one placing it, in the next otherwise.
func placeTracelbLines(lines []tracelbLine, ttl map[netip.Addr]int) []bool {
	placed := make([]bool, len(lines))
	var ready lineQueue // (pass, line), in the order the passes would place them
	waiting := map[netip.Addr][]int{}
	work(len(lines))
	for i, tl := range lines {
		if start := tl.elems[0]; len(start.addrs) == 1 {
			if ttl[start.addrs[0]] != 0 {
				ready.push(0, i)
			} else {
				waiting[start.addrs[0]] = append(waiting[start.addrs[0]], i)
			}
		}
	}
	for ready.Len() > 0 {
		pass, i := ready.pop()
		work(1)
		placed[i] = true
		base := ttl[lines[i].elems[0].addrs[0]]
		for j, e := range lines[i].elems[1:] {
			work(len(e.addrs))
			for _, a := range e.addrs {
				old := ttl[a]
				if old == 0 {
					for _, k := range waiting[a] {
						ready.push(pass+boolInt(k < i), k) // k == i cannot wait: its node has a TTL
					}
					delete(waiting, a)
				}
				if old == 0 || base+j+1 < old {
					ttl[a] = base + j + 1
				}
			}
		}
	}
	return placed
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// lineQueue is a heap of lines to place, ordered by pass and then line.
type lineQueue [][2]int

func (q lineQueue) Len() int { return len(q) }
func (q lineQueue) Less(i, j int) bool {
	return q[i][0] < q[j][0] || q[i][0] == q[j][0] && q[i][1] < q[j][1]
}
func (q lineQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }

// Push and Pop are for container/heap; push and pop are the queue's own.
func (q *lineQueue) Push(x any) { *q = append(*q, x.([2]int)) }
func (q *lineQueue) Pop() any {
	old := *q
	x := old[len(old)-1]
	*q = old[:len(old)-1]
	return x
}
func (q *lineQueue) push(pass, line int) { heap.Push(q, [2]int{pass, line}) }
func (q *lineQueue) pop() (pass, line int) {
	x := heap.Pop(q).([2]int)
	return x[0], x[1]
}
