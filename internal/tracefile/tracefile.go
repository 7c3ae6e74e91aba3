// Package tracefile imports the saved output of other traceroute tools into the shared path model.
//
// Supported inputs are Linux and BSD/macOS traceroute, Windows tracert, iputils tracepath,
// mtr (--report, --report-wide, --json and --raw), RIPE Atlas traceroute results, scamper
// trace/tracelb JSON and tracelb text (sc_warts2text), Cisco IOS/IOS-XE/IOS-XR and Juniper JunOS traceroute, the mtr screen, WinMTR's
// text export and NextTrace/besttrace text. Every importer is a pure function from bytes to
// []*path.Trace. Read leniently (the default), lines a text importer cannot use (banners, odd or
// truncated lines) become "line N: ..." warnings on the trace and redacted hops keep their RTTs;
// input is refused only when no hop can be read. Read strictly (ParseOptions.Strict), broken input
// yields a *ParseError that names the line, what was expected and what was found, and never a
// partial result. Either way a refusal says what the input looks like when that is known. Shell
// prompt lines copied along with the output are skipped; when one shows the command, it can supply
// what the output omits (the probe protocol of traceroute, the target of mtr).
//
// Each format is one row of the importers table (registry.go): its name, a detect function that
// rates how surely a line begins that format, and a parse function. Formats, Parse and Detect read
// only that table; the line-oriented importers share textInput for reading lines and placing errors.
//
// How tool output maps onto the model, beyond the obvious:
//   - A responder may have a name and no address (tracepath and mtr without -n, a redacted tracert
//     address): Responder.Addr is then invalid and probes from it have an invalid From.
//   - Replies that arrived after the tool moved on are probes with Late set: RIPE Atlas "late",
//     and tracepath lines printed under an earlier hop number than one already shown.
//   - RIPE Atlas's final probe with TTL 255 stays a hop with TTL 255 after the last real hop (no
//     empty hops in between); a warning says so. Elsewhere TTL gaps become empty, silent hops.
//   - tracert's "<1 ms" is 1 ms, the bound it states. mtr reports only aggregates: Responder.Stats,
//     or Hop.Stats for a "???" row. mtr --raw's overshoot past the destination is dropped as mtr does.
//   - scamper tracelb (MDA) fills Trace.Multipath: every interface seen at a TTL is a responder of
//     that hop, and links join interfaces of consecutive hops (from the JSON's probe flows; the text
//     form does not say which interface of one set leads to which of the next, and a warning says so).
//   - Protocol and FlowsVaried are set only when the source says (JSON fields, the tool's fixed method,
//     or a copied command line); otherwise they stay unknown.
package tracefile

import (
	"fmt"
	"strconv"
	"strings"

	"hopscope/internal/path"
)

// ParseError says where input could not be understood and why.
type ParseError struct {
	// Format is the importer that failed; empty when no format could be detected.
	Format string
	// Line is the 1-based line number; 0 when the problem concerns the whole input.
	Line int
	// Col is the 1-based column (in bytes) of the offending text; 0 when unknown.
	Col int
	// Expected describes what the importer was looking for.
	Expected string
	// Got is the text found instead (shortened); empty at end of input.
	Got string
	// Looks says what the input looks like when that is known and not readable as it stands
	// ("a Cisco IOS/IOS-XE traceroute without hop lines", "ping output"); empty when unknown.
	Looks string
}

// Error renders the error as `traceroute: line 7: expected an RTT like "4.393 ms", got "foo"`.
func (e *ParseError) Error() string {
	var b strings.Builder
	if e.Format != "" {
		b.WriteString(e.Format)
	} else {
		b.WriteString("unrecognised traceroute output")
	}
	if e.Line > 0 {
		b.WriteString(": line ")
		b.WriteString(strconv.Itoa(e.Line))
	}
	if e.Looks != "" {
		b.WriteString(": this looks like ")
		b.WriteString(e.Looks)
		b.WriteString(";")
	} else {
		b.WriteString(":")
	}
	b.WriteString(" expected ")
	b.WriteString(e.Expected)
	if e.Got == "" {
		b.WriteString(", got end of input")
	} else {
		b.WriteString(", got ")
		b.WriteString(strconv.Quote(e.Got))
	}
	return b.String()
}

// maxGot bounds the Got text of a ParseError.
const maxGot = 60

func shorten(s string) string {
	s = strings.TrimSpace(s)
	if len(s) <= maxGot {
		return s
	}
	cut := maxGot
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }

// sourceName maps a format to the path.Trace Source value.
func sourceName(format string) string {
	if format == FormatTraceroute {
		return "traceroute-linux"
	}
	return format
}

// finish completes a trace: fills TTL gaps with empty (silent) hops when dense is set, notes hops
// missing before the first one, and infers ProbesPerHop when every hop shows the same number of probes.
func finish(t *path.Trace, dense, inferProbes bool) { finishElided(t, dense, inferProbes, nil) }

// finishElided is finish for a trace whose input had elision lines (marks): the hops they stand for
// are left out, with a warning, instead of filled in as silent.
func finishElided(t *path.Trace, dense, inferProbes bool, marks []elision) {
	gaps, notes := elidedGaps(t, marks)
	t.Warnings = append(t.Warnings, notes...)
	if dense && len(t.Hops) > 1 {
		first, last := t.Hops[0].TTL, t.Hops[len(t.Hops)-1].TTL
		if last-first+1 != len(t.Hops) {
			filled := make([]path.Hop, 0, last-first+1)
			i, g := 0, 0
			for ttl := first; ttl <= last; ttl++ {
				for g < len(gaps) && gaps[g][1] < ttl {
					g++
				}
				switch {
				case i < len(t.Hops) && t.Hops[i].TTL == ttl:
					filled = append(filled, t.Hops[i])
					i++
				case g < len(gaps) && gaps[g][0] <= ttl:
					// elided by whoever pasted the trace: not in the input, not silent
				default:
					filled = append(filled, path.Hop{TTL: ttl})
				}
			}
			t.Hops = filled
		}
	}
	if len(t.Hops) > 0 && t.Hops[0].TTL > 1 {
		first := t.Hops[0].TTL
		if first == 2 {
			t.Warnings = append(t.Warnings, "hop 1 is not in the input")
		} else {
			t.Warnings = append(t.Warnings, fmt.Sprintf("hops 1 to %d are not in the input", first-1))
		}
	}
	if inferProbes && t.ProbesPerHop == 0 && len(t.Hops) > 0 {
		n := len(t.Hops[0].Probes)
		for _, h := range t.Hops[1:] {
			if len(h.Probes) != n {
				n = 0
				break
			}
		}
		t.ProbesPerHop = n
	}
}

// setMeta sets t.Meta[k] = v, creating the map.
func setMeta(t *path.Trace, k, v string) {
	if t.Meta == nil {
		t.Meta = map[string]string{}
	}
	t.Meta[k] = v
}

// appendHop returns the hop with the given TTL, appending it without a search when it comes after
// every hop so far (the usual case for line-by-line text output); otherwise it defers to HopAt.
func appendHop(t *path.Trace, ttl int) *path.Hop {
	if n := len(t.Hops); n == 0 || t.Hops[n-1].TTL < ttl {
		t.Hops = append(t.Hops, path.Hop{TTL: ttl})
		return &t.Hops[len(t.Hops)-1]
	}
	return t.HopAt(ttl)
}
