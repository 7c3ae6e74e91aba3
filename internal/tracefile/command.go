package tracefile

import (
	"net/netip"
	"strings"

	"hopscope/internal/path"
)

// commandTarget reads the target of a copied command line ("$ traceroute -n 192.0.2.1", "C:\>tracert
// -d example.com", "user@h:~$ mtr -r example.com", "tracepath example.com/33434"): the first word after
// the tool's name (one of tools, matched by toolBase, any case) that is neither an option, nor the value
// of one of valueOpts, nor a number (traceroute's packet length); reading stops at a pipe or a
// redirection. A "DEST/PORT" word (old tracepath) gives DEST. false when the line names none.
func commandTarget(line string, tools []string, valueOpts map[string]bool) (path.Target, bool) {
	words := strings.Fields(line)
	for i, w := range words {
		if !isToolIn(toolBase(w), tools) {
			continue
		}
		for j := i + 1; j < len(words); j++ {
			a := words[j]
			switch {
			case a == "|" || a == ">" || a == ">>" || a == ";" || a == "&&" || a == "|&" || a == "2>&1":
				return path.Target{}, false
			case valueOpts[a]:
				j++ // the option's value
			case strings.HasPrefix(a, "-") || strings.HasPrefix(a, "/"): // also tracert's "/d"
			case isInt(a):
				// traceroute's packet length after the target, or a stray number
			default:
				a, _, _ = strings.Cut(a, "/")
				if addr, err := netip.ParseAddr(strings.Trim(a, "[]")); err == nil {
					return path.Target{Addr: addr}, true
				}
				if looksLikeHostname(a) {
					return path.Target{Name: a}, true
				}
				return path.Target{}, false
			}
		}
		return path.Target{}, false
	}
	return path.Target{}, false
}

// isToolIn reports whether w (a toolBase) names one of tools, in any case (cmd.exe's "TRACERT").
func isToolIn(w string, tools []string) bool {
	for _, t := range tools {
		if strings.EqualFold(w, t) {
			return true
		}
	}
	return false
}

// tracerouteValueOptions are the options of Linux and BSD traceroute that take a value as the next
// word. Linux -A takes none (BSD's -A AS-server is rare in pastes).
var tracerouteValueOptions = map[string]bool{
	"-f": true, "-g": true, "-i": true, "-m": true, "-N": true, "-p": true, "-t": true, "-l": true, "-w": true,
	"-q": true, "-s": true, "-z": true, "-M": true, "-O": true, "-P": true, "-S": true,
	"--first": true, "--gateway": true, "--interface": true, "--max-hops": true, "--sim-queries": true,
	"--port": true, "--tos": true, "--flowlabel": true, "--wait": true, "--queries": true, "--source": true,
	"--sendwait": true, "--module": true, "--options": true, "--sport": true, "--fwmark": true,
}
