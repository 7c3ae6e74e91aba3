package tracefile

import "strings"

// cutComment removes from the current line a comment that whoever pasted the output appended to a
// hop line (see cutPasteComment), to be told in one warning with the trace's other notes. Read
// strictly, it returns the error naming the comment instead. Importers call it on lines they are about
// to read as hops.
func (in *textInput) cutComment() error {
	hop, comment, ok := cutPasteComment(in.ln)
	if !ok {
		return nil
	}
	if in.strict {
		return in.errAt(len(hop)+2, "the end of the hop line, not a comment", comment)
	}
	in.ln = hop
	if len(in.commented) == 0 {
		in.firstComment = shorten(comment)
	}
	in.commented = append(in.commented, in.r.line)
	return nil
}

// pasteCommentMarks open a comment appended to a pasted hop line: "# my gateway", "// Softbank",
// "<---- this router sent the ICMP", "← ISP". No trace tool prints one after a space on a hop line:
// tracert has no '#', traceroute's annotations start with '!' (!H !N !P !X !S !F-n !V !C !<n>) and
// its extensions with '<' and a letter ("<MPLS:...>"), mtr's rows hold names, addresses and numbers.
var pasteCommentMarks = []string{"#", "//", "<-", "←"}

// cutPasteComment splits hop line ln at the first comment mark (pasteCommentMarks) that follows a
// space or tab and has at least two words of the hop before it (its number and a responder, RTT or
// "*"; or, on a further responder's line, a name and its address), so a prompt such as
// "host:~ # traceroute" or a line that is only a comment is not cut. hop is ln before the mark,
// trailing blanks cut; comment is the rest, trimmed.
func cutPasteComment(ln string) (hop, comment string, ok bool) {
	for i := 1; i < len(ln); i++ {
		if !isSpace(ln[i-1]) || !hasCommentMark(ln[i:]) {
			continue
		}
		before := strings.TrimRight(ln[:i], " \t")
		if len(strings.Fields(before)) < 2 {
			return ln, "", false
		}
		return before, strings.TrimSpace(ln[i:]), true
	}
	return ln, "", false
}

func hasCommentMark(s string) bool {
	for _, m := range pasteCommentMarks {
		if strings.HasPrefix(s, m) {
			return true
		}
	}
	return false
}

// lineList names lines such as [6 7 8 10] as "lines 6-8, 10" ("line 6" for one).
func lineList(lines []int) string {
	var b strings.Builder
	if len(lines) == 1 {
		b.WriteString("line ")
	} else {
		b.WriteString("lines ")
	}
	for i := 0; i < len(lines); {
		j := i
		for j+1 < len(lines) && lines[j+1] == lines[j]+1 {
			j++
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(itoa(lines[i]))
		if j > i {
			b.WriteString("-" + itoa(lines[j]))
		}
		i = j + 1
	}
	return b.String()
}
