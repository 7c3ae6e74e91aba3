package tracefile

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf16"
)

// lineReader walks text one line at a time, stripping a BOM and CR line ends and turning no-break
// spaces into spaces.
type lineReader struct {
	s    string
	pos  int
	line int // number of the line last returned, 1-based
}

func newLineReader(data []byte) *lineReader {
	s := string(data)
	s = strings.TrimPrefix(s, "\uFEFF")
	if strings.Contains(s, "\u00a0") {
		s = strings.ReplaceAll(s, "\u00a0", " ") // no-break spaces from output pasted via a web page
	}
	return &lineReader{s: s}
}

// next returns the next line and false at end of input.
func (r *lineReader) next() (string, bool) {
	if r.pos >= len(r.s) {
		return "", false
	}
	rest := r.s[r.pos:]
	i := strings.IndexByte(rest, '\n')
	var ln string
	if i < 0 {
		ln = rest
		r.pos = len(r.s)
	} else {
		ln = rest[:i]
		r.pos += i + 1
	}
	if n := len(ln); n > 0 && ln[n-1] == '\r' {
		ln = ln[:n-1]
	}
	r.line++
	return unwrapWebLine(ln), true
}

// unwrapWebLine undoes what a web page or a Markdown renderer adds to a pasted output line: an HTML
// line break at its end ("  0.720 ms</br>", "<br>", "<br />") and a Markdown quote marker before a
// numbered row ("> 19  dns.google (8.8.8.8)  18.374 ms") or a header ("> traceroute to ..."). A quote
// marker before anything else is left alone: "> " also opens prompts.
func unwrapWebLine(ln string) string {
	t := strings.TrimRight(ln, " \t")
	if k := strings.LastIndexByte(t, '<'); k >= 0 && strings.HasSuffix(t, ">") {
		switch strings.ToLower(strings.ReplaceAll(t[k:], " ", "")) {
		case "<br>", "<br/>", "</br>":
			ln = t[:k]
		}
	}
	if strings.Contains(ln, "](") {
		ln = unlinkMarkdown(ln)
	}
	if strings.HasPrefix(ln, "> ") {
		if rest := strings.TrimLeft(ln[2:], " "); rest != "" && (rest[0] >= '0' && rest[0] <= '9' || isQuotedHeader(rest)) {
			ln = ln[2:]
		}
	}
	return ln
}

// unlinkMarkdown turns the Markdown links a renderer or an editor made of host names back into the
// names: "traceroute to [www.example.com](http://www.example.com) (192.0.2.1)" becomes "traceroute to
// www.example.com (192.0.2.1)", and likewise in tracert's "Tracing route to [name](...) [addr]" and a
// prompt's command. Only a link whose text is a host name and whose target is that name (an autolink,
// "http://" and a final "/" aside) is undone: "[192.0.2.9](으)로" in Korean tracert is text.
func unlinkMarkdown(ln string) string {
	from := 0
	for {
		i := strings.Index(ln[from:], "](")
		if i < 0 {
			return ln
		}
		i += from
		j := strings.LastIndexByte(ln[:i], '[')
		k := strings.IndexByte(ln[i+2:], ')')
		if j < 0 || k <= 0 {
			from = i + 2
			continue
		}
		k += i + 2
		text, url := ln[j+1:i], ln[i+2:k]
		if !looksLikeHostname(text) || !strings.Contains(text, ".") || !strings.EqualFold(linkHost(url), text) {
			from = i + 2
			continue
		}
		ln = ln[:j] + text + ln[k+1:]
		from = j + len(text)
	}
}

// linkHost is a link target without its scheme and final slash: "http://www.example.com/" → "www.example.com".
func linkHost(url string) string {
	if _, rest, ok := strings.Cut(url, "://"); ok {
		url = rest
	}
	return strings.TrimSuffix(url, "/")
}

// quotedHeaders open the header lines a quote marker may stand before ("> traceroute to ...").
var quotedHeaders = []string{"traceroute to ", "traceroute6 to ", "traceroute from ", "Tracing the route to ", "Tracing route to "}

func isQuotedHeader(s string) bool {
	for _, h := range quotedHeaders {
		if strings.HasPrefix(s, h) {
			return true
		}
	}
	return false
}

// textInput walks the non-blank lines of one importer's text input (BOM, CR line ends and no-break
// spaces handled by lineReader) and builds ParseErrors located on the current line or at the end.
//
// Read leniently, an importer hands a line's error to tolerate, which keeps it as a "line N: ..."
// warning (collected with takeNotes for the trace being read) instead of stopping.
type textInput struct {
	r      *lineReader
	format string
	// strict stops at the first line an importer cannot read.
	strict bool
	// ln is the current line without its line end; start indexes its first non-blank byte.
	ln    string
	start int
	// notes are warnings gathered since the last takeNotes; skipped counts tolerated lines and
	// first is the first tolerated error, for the refusal when nothing at all could be read.
	notes   []string
	skipped int
	first   *ParseError
	// commented lists the lines whose appended comment cutComment removed since the last
	// takeNotes, and firstComment is the first such comment, for one warning per trace.
	commented    []int
	firstComment string
}

func newTextInput(format string, data []byte) *textInput {
	return &textInput{r: newLineReader(data), format: format}
}

// newTextInputOpts is newTextInput reading with opts.
func newTextInputOpts(format string, data []byte, opts ParseOptions) *textInput {
	in := newTextInput(format, data)
	in.strict = opts.Strict
	return in
}

// maxNotes bounds the warnings kept per input; the rest are counted in one last warning.
const maxNotes = 50

// tolerate returns err when reading strictly or when err is not a *ParseError; otherwise it
// records a warning naming the line and what was wrong, and returns nil so reading goes on.
func (in *textInput) tolerate(err error) error {
	pe, ok := err.(*ParseError)
	if in.strict || !ok {
		return err
	}
	if in.first == nil {
		in.first = pe
	}
	in.skipped++
	got := ""
	if pe.Got != "" {
		got = ", got " + strconv.Quote(pe.Got)
	}
	in.note(pe.Line, "skipped "+strconv.Quote(shorten(in.body()))+": expected "+pe.Expected+got)
	return nil
}

// note records a warning about line n ("line 4: ...") for the trace being read.
func (in *textInput) note(n int, msg string) {
	switch {
	case len(in.notes) < maxNotes:
		in.notes = append(in.notes, "line "+itoa(n)+": "+msg)
	case len(in.notes) == maxNotes:
		in.notes = append(in.notes, "further warnings left out")
	}
}

// takeNotes returns the warnings recorded since the last call.
func (in *textInput) takeNotes() []string {
	n := in.notes
	in.notes = nil
	if len(in.commented) > 0 {
		what := "ignored " + strconv.Quote(in.firstComment) + ", a comment appended to the hop line"
		if len(in.commented) > 1 {
			what = "ignored the comments appended to the hop lines (the first: " + strconv.Quote(in.firstComment) + ")"
		}
		n = append(n, lineList(in.commented)+": "+what)
		in.commented, in.firstComment = in.commented[:0], ""
	}
	return n
}

// refuse is the error for an input that yielded no trace: the first line that could not be read
// if one was skipped, else the end of input; looks says what the input looks like ("" if unknown).
func (in *textInput) refuse(expected, looks string) error {
	if in.first != nil {
		pe := *in.first
		pe.Looks = looks
		return &pe
	}
	pe := in.errEnd(expected).(*ParseError)
	pe.Looks = looks
	return pe
}

// scan moves to the next non-blank line and reports false at the end of input.
func (in *textInput) scan() bool {
	for {
		ln, ok := in.r.next()
		if !ok {
			return false
		}
		if !isBlank(ln) {
			in.ln, in.start = ln, firstNonSpace(ln)
			return true
		}
	}
}

// body is the current line from its first non-blank byte, trailing spaces and tabs cut.
func (in *textInput) body() string { return strings.TrimRight(in.ln[in.start:], " \t") }

// line is the 1-based number of the current line, counting blank ones.
func (in *textInput) line() int { return in.r.line }

// errAt reports what was expected at 1-based byte column col of the current line and what was there.
func (in *textInput) errAt(col int, expected, got string) error {
	return &ParseError{Format: in.format, Line: in.r.line, Col: col, Expected: expected, Got: shorten(got)}
}

// errEnd reports that the input ended, on the line after the last, before what was expected.
func (in *textInput) errEnd(expected string) error {
	return &ParseError{Format: in.format, Line: in.r.line + 1, Expected: expected}
}

// token is a whitespace-separated word and its 1-based byte column.
type token struct {
	s   string
	col int
}

// tokenize splits s at spaces and tabs into buf (reused) and returns it.
func tokenize(s string, buf []token) []token {
	buf = buf[:0]
	i := 0
	for i < len(s) {
		for i < len(s) && isSpace(s[i]) {
			i++
		}
		if i >= len(s) {
			break
		}
		j := i
		for j < len(s) && !isSpace(s[j]) {
			j++
		}
		buf = append(buf, token{s: s[i:j], col: i + 1})
		i = j
	}
	return buf
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r' }

func isBlank(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isSpace(s[i]) {
			return false
		}
	}
	return true
}

// firstNonSpace returns the index of the first non-blank byte of s, or len(s).
func firstNonSpace(s string) int {
	i := 0
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	return i
}

// isRedacted reports whether s is an address hidden by whoever pasted the output: "xx.xx.xx.xx",
// "x.x.x.x", "*.*.*.*", "1.2.x.x", "2xx.x.xxx.xxx", "<redacted>", "[REDACTED]", "hidden" and the like.
func isRedacted(s string) bool {
	t := strings.ToLower(strings.Trim(s, "[]()<>{}"))
	switch t {
	case "redacted", "hidden", "removed", "masked", "censored", "snip", "ip", "ip-address", "x", "xxx", "a.b.c.d":
		return true
	}
	if strings.Contains(t, "redact") || strings.Contains(t, "hidden") {
		return true
	}
	// Dotted (or colon-separated) groups where some characters are x or * and the rest digits.
	seps, masked := 0, false
	for i := 0; i < len(t); i++ {
		switch c := t[i]; {
		case c == '.' || c == ':':
			seps++
		case c == 'x' || c == '*' || c == '#' || c == '?':
			masked = true
		case c >= '0' && c <= '9' || c >= 'a' && c <= 'f' && strings.IndexByte(t, ':') >= 0:
		default:
			return false
		}
	}
	return masked && seps >= 2
}

// toolWords are command names that may appear on a copied shell prompt line.
var toolWords = []string{"traceroute", "traceroute6", "tracert", "tracepath", "tracepath6", "mtr", "scamper", "sc_warts2json",
	"trace", "nexttrace", "besttrace", "pathping"}

// isPromptLine reports whether s looks like a shell prompt or a bare command line copied along with
// the output ("$ traceroute ...", "➜  ~ traceroute ...", "PS C:\> tracert ...", "[root@h ~]# mtr ...",
// "user@host:~$ sudo traceroute ...").
func isPromptLine(s string) bool {
	t := strings.TrimSpace(s)
	if t == "" {
		return false
	}
	if startsLikePrompt(t) {
		return true
	}
	words := strings.Fields(t)
	if isUserHostPrompt(t, words) {
		return true // "user@host:~$ less mtr.out.json", "[root@h ~]# cat trace.txt": any command after a shell's prompt
	}
	if len(words) == 1 && (isBarePrompt(t) || isGluedCommand(t) || isToolWord(t)) {
		return true // "R1#", "user@router>", "C:\Users\me>", "RP/0/0/CPU0:PE1#traceroute", "traceroute"
	}
	if len(words) >= 2 && isToolWord(words[0]) && words[1] != "to" && words[1] != "from" && !strings.HasSuffix(words[0], ":") {
		return true // a bare command line such as "traceroute -n 192.0.2.1"
	}
	for i, w := range words {
		if i == 0 || !isToolWord(w) {
			continue
		}
		if slices.ContainsFunc(words[:i], isCommandWrapper) {
			return true // "docker exec -it R1 traceroute ...", "lxc-attach -n c1 -- traceroute6 ..."
		}
		j := i - 1
		for j > 0 && isCommandPrefix(words[j]) {
			j-- // "user@host:~$ sudo traceroute", "user@router# run traceroute"
		}
		if j == 0 && isCommandPrefix(words[0]) {
			return true // a bare "sudo traceroute -T 192.0.2.1"
		}
		prev := words[j]
		last := prev[len(prev)-1]
		if last == '$' || last == '#' || last == '>' || last == '%' || last == ':' || last == ']' {
			return true
		}
	}
	return false
}

// isUserHostPrompt reports whether trimmed line t starts with a shell's user@host prompt, whatever
// command follows it: "user@host:~$ ...", "user@host ~ % ...", "[root@host dir]# ...". No output line
// of a trace tool starts with a word holding '@' that ends in a prompt sign.
func isUserHostPrompt(t string, words []string) bool {
	if len(words) == 0 {
		return false
	}
	if strings.HasPrefix(t, "[") {
		end := strings.Index(t, "]")
		return end > 0 && strings.Contains(t[:end], "@") && end+1 < len(t) && strings.IndexByte("$#%", t[end+1]) >= 0
	}
	for _, w := range words[:min(len(words), 3)] {
		if n := len(w); n >= 1 && strings.IndexByte("$#%", w[n-1]) >= 0 {
			return strings.Contains(words[0], "@")
		}
	}
	return false
}

// commandWrappers run another command, so a line naming one before the tool is a command line.
var commandWrappers = []string{"sudo", "doas", "docker", "podman", "kubectl", "lxc-attach", "lxc", "incus", "nsenter",
	"netns", "ssh", "vagrant", "chroot", "timeout", "stdbuf", "unbuffer", "watch", "exec"}

// isCommandWrapper reports whether w is a command that runs another one ("docker", "ip netns exec").
func isCommandWrapper(w string) bool { return slices.Contains(commandWrappers, toolBase(w)) }

// isCommandPrefix reports whether w may stand between a prompt and the tool's name: a privilege or
// timing wrapper ("sudo", "doas", "time"), JunOS's "run" in configuration mode, or an environment
// assignment ("LANG=C").
func isCommandPrefix(w string) bool {
	switch w {
	case "sudo", "doas", "time", "nice", "command", "exec", "run", "env", "-E":
		return true
	}
	k := strings.IndexByte(w, '=')
	return k > 0 && strings.ToUpper(w[:k]) == w[:k]
}

// isGluedCommand reports whether the one word w is a prompt with a tool's name glued to it and no
// arguments, as a router's extended traceroute starts: "R1#traceroute", "RP/0/0/CPU0:PE1#traceroute".
func isGluedCommand(w string) bool {
	j := strings.LastIndexAny(w, ">#$")
	return j > 0 && j < len(w)-1 && isToolWord(w[j+1:])
}

// isBarePrompt reports whether the one word w is a prompt on its own: it ends with a prompt sign
// and has a letter before it ("R1#", "user@router>", "C:\>"), or is Huawei VRP's system view
// prompt, a name in brackets ("[R1]", "[~PE1-bgp]").
func isBarePrompt(w string) bool {
	if len(w) >= 3 && w[0] == '[' && w[len(w)-1] == ']' {
		inner := w[1 : len(w)-1]
		return !strings.ContainsAny(inner, "[]{}\",:") && strings.ContainsAny(inner, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
	}
	if len(w) < 2 || strings.IndexByte(">#$%", w[len(w)-1]) < 0 {
		return false
	}
	return strings.ContainsAny(w[:len(w)-1], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
}

// toolBase strips a directory, a glued prompt and ".exe" from a command word.
func toolBase(w string) string {
	w = strings.TrimSuffix(w, ".exe")
	if j := strings.LastIndexAny(w, `/\>$#]`); j >= 0 { // also a glued prompt: C:\Users\me>tracert, [R1]tracert
		w = w[j+1:]
	}
	return w
}

// startsLikePrompt reports whether trimmed line t begins with a common prompt sign.
func startsLikePrompt(t string) bool {
	for _, p := range []string{"$ ", "# ", "% ", "> ", "➜", "❯", "λ ", "PS ", "$\t", "#\t", "%\t"} {
		if strings.HasPrefix(t, p) {
			return true
		}
	}
	return t == "$" || t == "#" || t == "%" || t == ">"
}

func isToolWord(w string) bool {
	w = toolBase(w)
	for _, t := range toolWords {
		if w == t {
			return true
		}
	}
	return false
}

// parseUint parses a non-empty run of ASCII digits (no sign), rejecting values above max.
func parseUint(s string, max int) (int, bool) {
	if s == "" || len(s) > 10 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	if n > max {
		return 0, false
	}
	return n, true
}

// maxTTL bounds hop numbers accepted from text input.
const maxTTL = 255

// parseMillis parses a decimal number of milliseconds such as "4.393" into a duration.
// It accepts digits with at most one dot and rejects negative, huge or malformed values.
func parseMillis(s string) (time.Duration, bool) {
	if s == "" || len(s) > 16 {
		return 0, false
	}
	dot := false
	digits := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			digits++
		case c == '.' && !dot:
			dot = true
		default:
			return 0, false
		}
	}
	if digits == 0 {
		return 0, false
	}
	// Fast path: integer part and up to 6 fractional digits, exact in nanoseconds.
	var whole, frac int64
	fracDigits := 0
	i := 0
	for ; i < len(s) && s[i] != '.'; i++ {
		whole = whole*10 + int64(s[i]-'0')
		if whole > 1e9 {
			return 0, false
		}
	}
	if i < len(s) {
		for i++; i < len(s); i++ {
			if fracDigits < 6 {
				frac = frac*10 + int64(s[i]-'0')
				fracDigits++
			}
		}
	}
	for ; fracDigits < 6; fracDigits++ {
		frac *= 10
	}
	return time.Duration(whole)*time.Millisecond + time.Duration(frac)*time.Nanosecond, true
}

// msFloat converts a float number of milliseconds (JSON inputs) into a duration, rejecting
// negative and absurd values.
func msFloat(v float64) (time.Duration, bool) {
	if v != v || v < 0 || v > 1e9 {
		return 0, false
	}
	return time.Duration(v*1e6 + 0.5), true
}

// itoa is strconv.Itoa, short.
func itoa(n int) string { return strconv.Itoa(n) }

// decodeText turns UTF-16 text (what Windows PowerShell 5 writes with "tracert host > file.txt",
// marked by a byte-order mark) into UTF-8; other input is returned as it is.
func decodeText(data []byte) []byte {
	if len(data) < 2 {
		return data
	}
	var be bool
	switch {
	case data[0] == 0xFF && data[1] == 0xFE:
	case data[0] == 0xFE && data[1] == 0xFF:
		be = true
	default:
		return data
	}
	u := make([]uint16, 0, len(data)/2)
	for i := 2; i+1 < len(data); i += 2 {
		if be {
			u = append(u, uint16(data[i])<<8|uint16(data[i+1]))
		} else {
			u = append(u, uint16(data[i+1])<<8|uint16(data[i]))
		}
	}
	return []byte(string(utf16.Decode(u)))
}

// trailingNote reports whether toks, the rest of a hop line after what was read, is a note the person
// who pasted the output added ("// Softbank", "<---- this router sent the ICMP"), not the tool's:
// it holds no RTT and no "*". Read leniently, such a tail is dropped with a warning instead of the hop.
func trailingNote(toks []token) bool {
	if len(toks) == 0 {
		return false
	}
	for _, t := range toks {
		s := t.s
		if s == "*" || s == "ms" || s == "msec" || strings.HasSuffix(s, "ms") && startsWithDigit(s) {
			return false
		}
	}
	return true
}

// joinTokens is the text of toks, single-spaced.
func joinTokens(toks []token) string {
	parts := make([]string, len(toks))
	for i, t := range toks {
		parts[i] = t.s
	}
	return strings.Join(parts, " ")
}
