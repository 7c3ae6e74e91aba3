package tracefile

import (
	"bytes"
	"strings"
)

// detectWindow bounds how much of the input detection reads.
const detectWindow = 64 << 10

// confidence is how sure a detector is that a line begins its format.
type confidence int

const (
	notMine   confidence = iota // the line does not fit the format
	plausible                   // the shape fits, but other formats share it (a bare "N  host  RTT" hop line)
	likely                      // a shape this format prints and the others do not (tracert's "N ms" columns)
	certain                     // a header or marker only this format prints ("Tracing route to", a schema key)
)

// sniff is what a detector sees: one meaningful line of the input and the input's head.
type sniff struct {
	// line is the line without surrounding white space; never empty.
	line string
	// json is set when line opens a JSON value (and is not a prompt such as "[root@h ~]# mtr -j").
	json bool
	// head is the start of the input, at most detectWindow bytes.
	head []byte
	// flavour caches tracerouteFlavour(head); "" until first asked.
	flavour string
}

// has reports whether the head of the input contains s.
func (s *sniff) has(sub string) bool { return bytes.Contains(s.head, []byte(sub)) }

// Detect names the format of data by its first meaningful lines (shell prompt lines are skipped).
// Every importer rates each line; the surest wins, the earlier in Formats on a tie. The error, a
// *ParseError, says which line matched nothing and what was expected.
func Detect(data []byte) (string, error) {
	s := &sniff{head: data[:min(len(data), detectWindow)]}
	ims := importers()
	in := newTextInput("", s.head)
	for in.scan() {
		ln := in.ln
		body := strings.TrimSpace(ln)
		if body == "" {
			continue // only Unicode spaces (U+3000, U+0085): blank to a reader
		}
		s.line = body
		s.json = (body[0] == '{' || body[0] == '[') && !isPromptLine(ln)
		if f := surest(ims, s); f != "" {
			return f, nil
		}
		if s.json {
			return "", in.errAt(in.start+1,
				"JSON from mtr --json, RIPE Atlas (a traceroute result), scamper (trace/tracelb lines) or hopscope --json", body)
		}
		if isPromptLine(ln) {
			continue
		}
		return "", in.errAt(in.start+1,
			`the output of traceroute ("traceroute to ..."), tracert ("Tracing route to ..."), tracepath (" 1:  ..."), mtr (--report, --json or --raw), RIPE Atlas or scamper JSON`,
			body)
	}
	return "", &ParseError{Line: 0, Expected: "traceroute output", Got: ""}
}

// surest returns the name of the importer most sure of s, the earlier one on a tie; "" if none fits.
func surest(ims []importer, s *sniff) string {
	best, name := notMine, ""
	for _, im := range ims {
		if c := im.detect(s); c > best {
			best, name = c, im.name
			if c == certain {
				break
			}
		}
	}
	return name
}

// hopNumber splits a line that opens with a hop number of one to three digits into the text after it.
func hopNumber(line string) (rest string, ok bool) {
	i := 0
	for i < len(line) && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i == 0 || i > 3 {
		return "", false
	}
	return line[i:], true
}

func isInt(s string) bool {
	_, ok := parseUint(s, 1<<30)
	return ok
}
