package analysis

import (
	"bufio"
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"hopscope/internal/report"
)

// A fact is one thing an expert reads from a trace (testdata/realcorpus/facts.txt), checked against the
// report built from it. The grammar, one fact a line under "== file":
//
//	import FORMAT          the file imports, as FORMAT or a variant of it ("traceroute" accepts "traceroute-bsd")
//	hops N                 the highest TTL shown (RIPE Atlas's final 255 row aside)
//	reached yes|no         whether the destination address answered
//	last N                 the last hop where anything answered
//	dest-as N              the destination's AS
//	anycast                the destination is anycast: its registry country says nothing of where it answered
//	city K CC Name         hop K is in city Name, country CC (a router name or the RTTs make it certain)
//	country K CC           hop K is in country CC
//	handoff A B K[-K2]     traffic passes from AS A (or * when unsure) into AS B at hop K (or between K and K2)
//	jump A B               a latency rise from hop A to hop B that later hops keep (real path latency)
//	spike K                hop K is slower than later hops (slow ICMP generation, not path latency)
//	nojump                 no real latency jump on this path (steps are clock quantisation or noise)
//	mpls K                 hop K quoted an MPLS label stack
//	unreachable K CODE     hop K answered with an unreachable marker (!H, !N, ...): the path ends there
//	loss-ratelimit K       mtr loss at hop K that later hops do not carry (ICMP rate limiting)
//	loss-from K            mtr loss from hop K on, carried to the destination (real loss)
//	source CC              the trace was run from country CC (its first hops' names or networks say so)
type fact struct {
	file string
	line int
	kind string
	args []string
}

func (f fact) String() string { return f.kind + " " + strings.Join(f.args, " ") }

// verdict is how the report stands on one fact.
type verdict int

const (
	right verdict = iota
	wrong
	missing
)

func (v verdict) String() string { return [...]string{"right", "wrong", "missing"}[v] }

// parseFacts reads facts.txt into the facts of each file, in file order.
func parseFacts(data []byte) (files []string, facts map[string][]fact, err error) {
	facts = map[string][]fact{}
	arity := map[string][2]int{"import": {1, 1}, "hops": {1, 1}, "reached": {1, 1}, "last": {1, 1}, "dest-as": {1, 1},
		"anycast": {0, 0}, "city": {3, 9}, "country": {2, 2}, "handoff": {3, 3}, "jump": {2, 2}, "spike": {1, 1},
		"nojump": {0, 0}, "mpls": {1, 1}, "unreachable": {2, 2}, "loss-ratelimit": {1, 1}, "loss-from": {1, 1}, "source": {1, 1}}
	cur := ""
	sc := bufio.NewScanner(bytes.NewReader(data))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
			continue
		case strings.HasPrefix(line, "== "):
			cur = strings.TrimSpace(line[3:])
			if _, dup := facts[cur]; dup {
				return nil, nil, fmt.Errorf("facts.txt:%d: %s listed twice", n, cur)
			}
			files = append(files, cur)
			facts[cur] = nil
			continue
		}
		if cur == "" {
			return nil, nil, fmt.Errorf("facts.txt:%d: fact before any \"== file\" line", n)
		}
		fields := strings.Fields(line)
		a, ok := arity[fields[0]]
		if !ok || len(fields)-1 < a[0] || len(fields)-1 > a[1] {
			return nil, nil, fmt.Errorf("facts.txt:%d: %q is not a fact of the grammar", n, line)
		}
		facts[cur] = append(facts[cur], fact{file: cur, line: n, kind: fields[0], args: fields[1:]})
	}
	return files, facts, sc.Err()
}

// atoi reads a fact's number; the grammar test keeps these well formed.
func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// ttlSpan reads "9" or "9-10".
func ttlSpan(s string) (lo, hi int) {
	a, b, ok := strings.Cut(s, "-")
	if !ok {
		return atoi(s), atoi(s)
	}
	return atoi(a), atoi(b)
}

// fold compares place names without case or accents ("Hämeenlinna" = "hameenlinna").
func fold(s string) string {
	return accents.Replace(strings.ToLower(s))
}

// accents maps the accented letters of the corpus's place names to plain ones.
var accents = strings.NewReplacer("ä", "a", "á", "a", "à", "a", "â", "a", "ã", "a", "å", "a", "é", "e", "è", "e",
	"ê", "e", "ë", "e", "í", "i", "ï", "i", "ó", "o", "ö", "o", "ô", "o", "õ", "o", "ø", "o", "ú", "u", "ü", "u",
	"ç", "c", "ñ", "n", "ß", "ss", "ł", "l", "ś", "s", "ź", "z", "ż", "z", "ć", "c", "ń", "n", "ą", "a", "ę", "e",
	"š", "s", "č", "c", "ž", "z", "ř", "r", "ě", "e", "ů", "u", "ý", "y", "ő", "o", "ű", "u", "ğ", "g", "ı", "i", "ş", "s")

// hopOf returns the report's hop with ttl, or nil.
func hopOf(p *report.Path, ttl int) *report.PathHop {
	for i := range p.Hops {
		if p.Hops[i].TTL == ttl {
			return &p.Hops[i]
		}
	}
	return nil
}

// reportText is every sentence the report states: sections, summary, and hop notes.
func reportText(p *report.Path) string {
	var b strings.Builder
	b.WriteString(p.Summary)
	for _, s := range p.Sections {
		for _, l := range s.Lines {
			b.WriteString("\n" + l)
		}
	}
	for _, h := range p.Hops {
		for _, n := range h.Notes {
			b.WriteString("\n" + n)
		}
	}
	return strings.ToLower(b.String())
}

// judge says how the report p (imported with format) stands on f, and why when it is not right.
func judge(f fact, format string, p *report.Path) (verdict, string) {
	fd := &p.Findings
	switch f.kind {
	case "import":
		want := f.args[0]
		if format == want || strings.HasPrefix(format, want+"-") {
			return right, ""
		}
		return wrong, "read as " + format
	case "hops":
		top := 0
		for _, h := range p.Hops {
			if h.TTL < 255 && h.TTL > top {
				top = h.TTL
			}
		}
		if top == atoi(f.args[0]) {
			return right, ""
		}
		return wrong, fmt.Sprintf("highest hop %d", top)
	case "reached":
		if fd.Destination.Reached == (f.args[0] == "yes") {
			return right, ""
		}
		return wrong, fmt.Sprintf("reached=%v", fd.Destination.Reached)
	case "last":
		switch fd.Destination.LastRespondingTTL {
		case atoi(f.args[0]):
			return right, ""
		case 0:
			return missing, "no last responding hop"
		}
		return wrong, fmt.Sprintf("last responding hop %d", fd.Destination.LastRespondingTTL)
	case "dest-as":
		switch fd.Destination.ASN {
		case uint32(atoi(f.args[0])):
			return right, ""
		case 0:
			return missing, "no destination AS"
		}
		return wrong, fmt.Sprintf("destination AS%d", fd.Destination.ASN)
	case "anycast":
		if strings.Contains(reportText(p), "anycast") {
			return right, ""
		}
		if fd.Destination.Country != "" || fd.Destination.Place != nil {
			return wrong, "destination placed in " + placeText(fd.Destination.Place, fd.Destination.Country) + " with no word of anycast"
		}
		return missing, "anycast not recognised"
	case "city", "country":
		return judgePlace(f, p)
	case "source":
		// "source CC": the trace was run from country CC.
		sp := fd.Source.Place
		switch {
		case sp == nil || sp.Country == "":
			return missing, "source not placed"
		case strings.EqualFold(sp.Country, f.args[0]):
			return right, ""
		}
		return wrong, "source placed in " + placeText(sp, "")
	case "handoff":
		return judgeHandOff(f, fd)
	case "jump":
		to := atoi(f.args[1])
		for _, j := range fd.Jumps {
			if j.ToTTL == to {
				return right, ""
			}
		}
		for _, s := range fd.Spikes {
			if s.TTL == to {
				return wrong, fmt.Sprintf("hop %d called slow ICMP", to)
			}
		}
		return missing, fmt.Sprintf("no jump into hop %d", to)
	case "spike":
		k := atoi(f.args[0])
		for _, s := range fd.Spikes {
			if s.TTL == k {
				return right, ""
			}
		}
		for _, j := range fd.Jumps {
			if j.ToTTL == k {
				return wrong, fmt.Sprintf("hop %d called a jump", k)
			}
		}
		return missing, fmt.Sprintf("hop %d not called slow ICMP", k)
	case "nojump":
		if len(fd.Jumps) == 0 {
			return right, ""
		}
		return wrong, fmt.Sprintf("jump %d→%d stated", fd.Jumps[0].FromTTL, fd.Jumps[0].ToTTL)
	case "mpls":
		k := atoi(f.args[0])
		if slices.ContainsFunc(fd.MPLS, func(m report.MPLSHop) bool { return m.TTL == k }) {
			return right, ""
		}
		return missing, fmt.Sprintf("no MPLS at hop %d", k)
	case "unreachable":
		k := atoi(f.args[0])
		if fd.Destination.Reached {
			return wrong, "destination called reached"
		}
		if h := hopOf(p, k); h != nil {
			for _, n := range h.Notes {
				if strings.Contains(strings.ToLower(n), "unreachable") {
					return right, ""
				}
			}
		}
		return missing, fmt.Sprintf("no unreachable note at hop %d", k)
	case "loss-ratelimit", "loss-from":
		k := atoi(f.args[0])
		h := hopOf(p, k)
		if h == nil {
			return missing, fmt.Sprintf("no hop %d", k)
		}
		notes := strings.ToLower(strings.Join(h.Notes, "; "))
		limited := strings.Contains(notes, "rate")
		lossy := strings.Contains(notes, "loss")
		switch {
		case f.kind == "loss-ratelimit" && limited, f.kind == "loss-from" && lossy && !limited:
			return right, ""
		case f.kind == "loss-from" && limited:
			return wrong, fmt.Sprintf("loss from hop %d called rate limiting", k)
		case f.kind == "loss-ratelimit" && lossy:
			return wrong, fmt.Sprintf("hop %d's rate limiting called loss", k)
		}
		return missing, fmt.Sprintf("no loss verdict at hop %d", k)
	}
	return missing, "unknown fact"
}

// placeText names a stated place for messages.
func placeText(p *report.Place, country string) string {
	if p != nil && p.Label != "" {
		return p.Label + " (" + p.Source + ")"
	}
	return country
}

// judgePlace checks "city K CC Name" and "country K CC" against hop K's place.
func judgePlace(f fact, p *report.Path) (verdict, string) {
	k, cc := atoi(f.args[0]), f.args[1]
	h := hopOf(p, k)
	if h == nil || h.Place == nil || (h.Place.City == "" && h.Place.Country == "") {
		return missing, fmt.Sprintf("hop %d not placed", k)
	}
	if h.Place.Country != "" && !strings.EqualFold(h.Place.Country, cc) {
		return wrong, fmt.Sprintf("hop %d placed in %s", k, placeText(h.Place, ""))
	}
	if f.kind == "country" {
		return right, ""
	}
	city := strings.Join(f.args[2:], " ")
	switch {
	case h.Place.City == "":
		return missing, fmt.Sprintf("hop %d placed only in %s", k, placeText(h.Place, ""))
	case fold(h.Place.City) == fold(city):
		return right, ""
	}
	return wrong, fmt.Sprintf("hop %d placed in %s", k, placeText(h.Place, ""))
}

// judgeHandOff checks "handoff A B K[-K2]": a hand-off into the carrier holding AS B at hop K (or in the
// span); a hand-off into it stated elsewhere is wrong.
func judgeHandOff(f fact, fd *report.Findings) (verdict, string) {
	// The AS before the hand-off (f.args[0]) is for readers: carriers merge sibling ASes, so only the AS
	// entered and the hop are checked.
	to := uint32(atoi(f.args[1]))
	lo, hi := ttlSpan(f.args[2])
	var other []string
	for _, h := range fd.HandOffs {
		if !slices.Contains(h.ToASNs, to) {
			continue
		}
		if h.AtTTL >= lo && h.AtTTL <= hi {
			return right, ""
		}
		other = append(other, fmt.Sprintf("at hop %d", h.AtTTL))
	}
	if len(other) > 0 {
		return wrong, fmt.Sprintf("hand-off into AS%d stated %s", to, strings.Join(other, ", "))
	}
	return missing, fmt.Sprintf("no hand-off into AS%d", to)
}
