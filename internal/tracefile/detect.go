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

// Detect names the format of data by its first meaningful lines. Every importer rates each line;
// the surest wins, the earlier in Formats on a tie. Lines no importer claims (shell prompts,
// banners, notes) are passed over. The error, a *ParseError, names the first line that matched
// nothing, says what it looks like when known and lists what hopscope reads.
func Detect(data []byte) (string, error) { return detect(data, false) }

// detect is Detect; strict stops at the first unclaimed line that is not a shell prompt.
func detect(data []byte, strict bool) (string, error) {
	data = decodeText(data)
	if bytes.IndexByte(data[:min(len(data), 512)], 0) >= 0 {
		return "", &ParseError{Line: 1, Expected: "text", Looks: looksLike("", false, data)}
	}
	s := &sniff{head: data[:min(len(data), detectWindow)]}
	ims := importers()
	in := newTextInput("", s.head)
	var first *ParseError
	for in.scan() {
		ln := in.ln
		body := strings.TrimSpace(ln)
		if body == "" {
			continue // only Unicode spaces (U+3000, U+0085): blank to a reader
		}
		s.line = body
		s.json = (body[0] == '{' || body[0] == '[') && !isPromptLine(ln) && !isJunosBanner(body) && !isBracketedPrefix(body)
		if f := surest(ims, s); f != "" {
			return f, nil
		}
		if isPromptLine(ln) && !s.json {
			continue
		}
		if first == nil {
			first = in.errAt(in.start+1, "one of the formats hopscope reads: "+readable(), body).(*ParseError)
			first.Looks = looksLike(body, s.json, data)
		}
		if strict || s.json || first.Looks != "" {
			break // a known lookalike (ping, HTML) ends the search: its later lines would mislead
		}
	}
	if first != nil {
		return "", first
	}
	return "", &ParseError{Line: 0, Expected: "traceroute output (" + readable() + ")", Got: ""}
}

// lookalikes name inputs hopscope does not read by how their lines begin.
var lookalikes = []struct{ prefix, looks string }{
	{"PING ", "ping output, not a traceroute"},
	{"Pinging ", "Windows ping output, not a traceroute"},
	{"Sending 5, ", "Cisco ping output, not a traceroute"},
	{"Tracing MPLS Label Switched Path", "a Cisco MPLS LSP trace (traceroute mpls), which reports labels, not IP hops"},
	{"Probe options:", "a JunOS traceroute mpls, which reports labels, not IP hops"},
	{"<!DOCTYPE", "an HTML page; paste the traceroute text from it"},
	{"<html", "an HTML page; paste the traceroute text from it"},
}

// looksLike says what an unrecognised input looks like, from its first unclaimed line and its
// bytes; "" when nothing is known.
func looksLike(line string, json bool, data []byte) string {
	for _, l := range lookalikes {
		if strings.HasPrefix(line, l.prefix) {
			return l.looks
		}
	}
	switch {
	case bytes.IndexByte(data[:min(len(data), 512)], 0) >= 0:
		return "binary data (a packet capture or a scamper warts file?); hopscope reads text and JSON"
	case json:
		return "JSON that is none of mtr --json, RIPE Atlas, scamper or hopscope --json"
	}
	return ""
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

// isBracketedPrefix reports whether line opens with a bracketed tag followed by prose, as logs and
// automation tools print before a command's output ("[2019-04-11 11:02:15,834] +++ PE1: executing
// command 'traceroute ...' +++"), or is JunOS's "[edit]" line: the line opens no JSON value, since in
// JSON a closed array is followed only by a comma, a closing bracket or nothing, and holds values.
func isBracketedPrefix(line string) bool {
	if line == "" || line[0] != '[' {
		return false
	}
	end := strings.IndexByte(line, ']')
	if end < 0 || strings.ContainsAny(line[1:end], "[{") {
		return false // a nested or multi-line value: leave it to the JSON importers
	}
	rest := strings.TrimSpace(line[end+1:])
	if rest == "" {
		// JunOS configuration mode's "[edit]" or "[edit protocols mpls]": words, where JSON would
		// have quoted strings, numbers, true, false or null.
		inner := strings.TrimSpace(line[1:end])
		switch inner {
		case "", "true", "false", "null":
			return false
		}
		return !strings.ContainsAny(inner, "\"0123456789,-.")
	}
	return rest[0] != ',' && rest[0] != ']' && rest[0] != '}'
}
