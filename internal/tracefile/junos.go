package tracefile

import (
	"strings"

	"hopscope/internal/path"
)

// FormatJunos is the traceroute of Juniper JunOS, pasted from the router's CLI.
const FormatJunos = "junos"

// detectJunos is certain of JunOS's own marks (a "{master}" line, a "user@router> traceroute"
// prompt) and otherwise claims traceroute lines when the input carries those marks.
func detectJunos(s *sniff) confidence {
	if isJunosBanner(s.line) || isJunosPrompt(s.line) {
		return certain
	}
	return detectTracerouteAs(s, FormatJunos)
}

// parseJunos imports JunOS traceroute, which prints BSD traceroute's lines:
//
//	{master}
//	user@router> traceroute 192.0.2.1
//	traceroute to 192.0.2.1 (192.0.2.1), 30 hops max, 40 byte packets
//	 1  198.51.100.1 (198.51.100.1)  0.861 ms  0.718 ms  0.679 ms
//	     MPLS Label=299808 CoS=0 TTL=1 S=1
//	 2  192.0.2.1 (192.0.2.1)  0.571 ms !N  0.547 ms !N  0.532 ms !N
//
// The "{master}" lines of a dual routing engine are skipped; label lines go to the probes of the
// responder above them.
func parseJunos(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	return parseTraceroute(data, FormatJunos, opts)
}

// isJunosBanner reports whether s is JunOS's routing-engine line: "{master}", "{backup:1}",
// "{primary:node0}", or the configuration-mode line that precedes its prompt: "[edit]",
// "[edit protocols mpls]".
func isJunosBanner(s string) bool {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[edit") && strings.HasSuffix(s, "]") && (s == "[edit]" || s[5] == ' ') {
		return true
	}
	if len(s) < 3 || s[0] != '{' || s[len(s)-1] != '}' {
		return false
	}
	for i := 1; i < len(s)-1; i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// isJunosPrompt reports whether s is a JunOS CLI prompt, alone or with a traceroute command:
// "user@router> traceroute 192.0.2.1", "user@router# run traceroute ...", "user@router>", and a
// logical system's "user@router:ls1> traceroute ..." (a Linux "user@host:~#" has its "~" or "/").
func isJunosPrompt(s string) bool {
	w, rest, _ := strings.Cut(strings.TrimSpace(s), " ")
	if len(w) < 4 || !strings.Contains(w, "@") || strings.ContainsAny(w, "~/\\$") {
		return false
	}
	if c := w[len(w)-1]; c != '>' && c != '#' {
		return false
	}
	rest = strings.TrimPrefix(strings.TrimSpace(rest), "run ")
	return rest == "" || strings.HasPrefix(rest, "traceroute")
}
