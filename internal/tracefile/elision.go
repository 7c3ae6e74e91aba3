package tracefile

import (
	"strings"
	"unicode"

	"hopscope/internal/path"
)

// elisions records the lines an author put in place of hops left out of a pasted trace ("...",
// "······", "[...]", "--snip--"), so that those hops stay out of the trace, like hops before the
// first one shown, instead of being filled in as silent: nothing says they did not answer. The zero
// value is ready to use; take hands the marks to finishElided and starts afresh for the next trace.
type elisions struct {
	marks []elision
}

// elision is one elision line: the TTL of the hop shown before it and the line's number.
type elision struct {
	after, line int
}

// mark records an elision line (number line) read after the hop with TTL after; 0 (no hop yet) is
// left to finish, which notes hops missing before the first one anyway.
func (e *elisions) mark(after, line int) {
	if n := len(e.marks); after > 0 && (n == 0 || e.marks[n-1].after != after) {
		e.marks = append(e.marks, elision{after: after, line: line}) // several lines for one gap: the first
	}
}

// take returns the marks recorded since the last call.
func (e *elisions) take() []elision {
	m := e.marks
	e.marks = nil
	return m
}

// gaps turns the marks into the TTL ranges they stand for in t, each with a warning: the hops between
// the one shown before the elision line and the next one shown. A mark with no hop after it, or none
// missing, stands for nothing.
func elidedGaps(t *path.Trace, marks []elision) (gaps [][2]int, notes []string) {
	for _, m := range marks {
		for i := range t.Hops {
			if t.Hops[i].TTL != m.after || i+1 >= len(t.Hops) {
				continue
			}
			from, to := m.after+1, t.Hops[i+1].TTL-1
			if to < from {
				break
			}
			gaps = append(gaps, [2]int{from, to})
			what := "hop " + itoa(from) + " is"
			if to > from {
				what = "hops " + itoa(from) + " to " + itoa(to) + " are"
			}
			notes = append(notes, what+" not in the input: line "+itoa(m.line)+" stands for them (left out by whoever pasted the trace, not silent)")
			break
		}
	}
	return gaps, notes
}

// elisionDots are the characters a line of dots standing for left-out hops is made of: full stops,
// middle dots (Huawei's "······"), bullets, the ellipsis and its vertical and midline forms.
const elisionDots = ".·•…⋮⋯・"

// elisionWords are what a snip mark says besides its dashes, dots and brackets ("--snip--",
// "[snipped]", "<cut>", "... output omitted ...").
var elisionWords = []string{"snip", "snipped", "cut", "omitted", "output omitted", "elided", "skipped", "trimmed"}

// isElisionLine reports whether body, a line without its surrounding blanks, stands for hops the
// author left out: a line of dots (". . .", "······", "…", "[...]", "(...)") or a snip mark
// ("--snip--", "[snip]", "<snipped>", "... output omitted ...").
func isElisionLine(body string) bool {
	dots := false
	rest := strings.Map(func(r rune) rune {
		switch {
		case strings.ContainsRune(elisionDots, r):
			dots = true
			return -1
		case strings.ContainsRune("-–—=[](){}<>~", r):
			return -1
		case unicode.IsSpace(r):
			return ' '
		}
		return unicode.ToLower(r)
	}, body)
	rest = strings.Join(strings.Fields(rest), " ")
	if rest == "" {
		return dots
	}
	for _, w := range elisionWords {
		if rest == w {
			return true
		}
	}
	return false
}
