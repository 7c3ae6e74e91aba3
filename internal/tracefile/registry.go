package tracefile

import (
	"fmt"
	"strings"

	"hopscope/internal/path"
)

// importer is one input format: its name, a short human description, how to recognise it and how
// to read it.
type importer struct {
	name string
	// desc names the format for people, as error messages use it: "Linux traceroute".
	desc   string
	detect detectFunc
	parse  parseFunc
}

// detectFunc says how sure an importer is that the line in s begins its format.
type detectFunc func(s *sniff) confidence

// parseFunc reads a whole input of one format; on error it returns a *ParseError and no traces.
// Line-oriented importers honour opts.Strict; JSON importers read all or nothing either way.
type parseFunc func(data []byte, opts ParseOptions) ([]*path.Trace, error)

// ParseOptions tunes an import. The zero value reads leniently.
type ParseOptions struct {
	// Strict refuses the whole input at the first line the importer cannot read (the behaviour
	// before lenient reading existed). When false, such lines (banners, odd or redacted lines)
	// are skipped with a "line N: ..." warning on the trace, and an input is refused only when
	// no hop could be read at all.
	Strict bool
}

// importers is the registry of formats, one row each, in the order Formats lists them; detection
// prefers the earlier row when two are equally sure. A new format is a file with its detect and
// parse functions plus one row here.
func importers() []importer {
	return []importer{
		{FormatTraceroute, "Linux traceroute (also -A, -e)", detectTracerouteLinux, parseTracerouteLinux},
		{FormatTracerouteBSD, "BSD/macOS traceroute", detectTracerouteBSD, parseTracerouteBSD},
		{FormatTracerouteHuawei, "Huawei VRP/H3C tracert", detectTracerouteHuawei, parseTracerouteHuawei},
		{FormatPathping, "Windows pathping (also StorSimple Trace-HcsRoute)", detectPathping, parsePathping},
		{FormatTracert, "Windows tracert (English, German, French, Spanish, Portuguese, Italian, Russian, Chinese, Japanese, Korean)", detectTracert, parseTracert},
		{FormatTracepath, "tracepath", detectTracepath, parseTracepath},
		{FormatMTRReport, "mtr --report", detectMTRReport, parseMTRReport},
		{FormatMTRJSON, "mtr --json", detectMTRJSON, whole(parseMTRJSON)},
		{FormatMTRRaw, "mtr --raw", detectMTRRaw, parseMTRRaw},
		{FormatRIPEAtlas, "RIPE Atlas traceroute JSON", detectAtlas, whole(parseAtlas)},
		{FormatScamper, "scamper JSON", detectScamper, whole(parseScamper)},
		{FormatHopscope, "hopscope --json", detectHopscope, whole(parseHopscope)},
		{FormatCiscoIOS, "Cisco IOS/IOS-XE traceroute", detectCiscoIOS, parseCiscoIOS},
		{FormatCiscoXR, "Cisco IOS-XR traceroute", detectCiscoXR, parseCiscoXR},
		{FormatJunos, "Juniper JunOS traceroute", detectJunos, parseJunos},
		{FormatMTRCurses, "the mtr screen (copied from the terminal)", detectMTRCurses, parseMTRCurses},
		{FormatWinMTR, "WinMTR's text export", detectWinMTR, parseWinMTR},
		{FormatNextTrace, "NextTrace/besttrace text", detectNextTrace, parseNextTrace},
		{FormatGlobalping, "Globalping measurement JSON (traceroute, mtr)", detectGlobalping, whole(parseGlobalping)},
		{FormatTracelbText, "scamper tracelb text (sc_warts2text)", detectTracelbText, parseTracelbText},
		{FormatMikroTik, "MikroTik RouterOS /tool traceroute", detectMikroTik, parseMikroTik},
	}
}

// whole adapts an importer that reads its input all or nothing (JSON) to parseFunc.
func whole(f func([]byte) ([]*path.Trace, error)) parseFunc {
	return func(data []byte, _ ParseOptions) ([]*path.Trace, error) { return f(data) }
}

// Formats returns the format names Parse accepts (Detect returns one of them).
func Formats() []string {
	ims := importers()
	names := make([]string, len(ims))
	for i, im := range ims {
		names[i] = im.name
	}
	return names
}

// describe returns the human description of format, or the name itself when unknown.
func describe(format string) string {
	for _, im := range importers() {
		if im.name == format {
			return im.desc
		}
	}
	return format
}

// readable lists, for error messages, every format hopscope reads, from the table.
func readable() string {
	ims := importers()
	descs := make([]string, len(ims))
	for i, im := range ims {
		descs[i] = im.desc
	}
	return strings.Join(descs, "; ")
}

// Parse imports data in the given format, leniently (ParseOptions{}); format "" detects it first.
// A file may hold several traces.
func Parse(data []byte, format string) ([]*path.Trace, error) {
	return ParseWith(data, format, ParseOptions{})
}

// ParseWith imports data in the given format with opts; format "" detects it first (leniently
// unless opts.Strict, when detection stops at the first line no format claims).
func ParseWith(data []byte, format string, opts ParseOptions) ([]*path.Trace, error) {
	data = decodeText(data)
	if format == "" {
		f, err := detect(data, opts.Strict)
		if err != nil {
			return nil, err
		}
		format = f
	}
	for _, im := range importers() {
		if im.name != format {
			continue
		}
		traces, err := im.parse(data, opts)
		if err != nil {
			return nil, err
		}
		return traces, nil
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
}
