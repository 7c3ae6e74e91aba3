package tracefile

import (
	"fmt"
	"strings"

	"hopscope/internal/path"
)

// importer is one input format: its name, how to recognise it and how to read it.
type importer struct {
	name   string
	detect detectFunc
	parse  parseFunc
}

// detectFunc says how sure an importer is that the line in s begins its format.
type detectFunc func(s *sniff) confidence

// parseFunc reads a whole input of one format; on error it returns a *ParseError and no traces.
type parseFunc func(data []byte) ([]*path.Trace, error)

// importers is the registry of formats, one row each, in the order Formats lists them; detection
// prefers the earlier row when two are equally sure. A new format is a file with its detect and
// parse functions plus one row here.
func importers() []importer {
	return []importer{
		{FormatTraceroute, detectTracerouteLinux, parseTracerouteLinux},
		{FormatTracerouteBSD, detectTracerouteBSD, parseTracerouteBSD},
		{FormatTracert, detectTracert, parseTracert},
		{FormatTracepath, detectTracepath, parseTracepath},
		{FormatMTRReport, detectMTRReport, parseMTRReport},
		{FormatMTRJSON, detectMTRJSON, parseMTRJSON},
		{FormatMTRRaw, detectMTRRaw, parseMTRRaw},
		{FormatRIPEAtlas, detectAtlas, parseAtlas},
		{FormatScamper, detectScamper, parseScamper},
		{FormatHopscope, detectHopscope, parseHopscope},
		{FormatGlobalping, detectGlobalping, parseGlobalping},
	}
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

// Parse imports data in the given format; format "" detects it first. A file may hold several traces.
func Parse(data []byte, format string) ([]*path.Trace, error) {
	if format == "" {
		f, err := Detect(data)
		if err != nil {
			return nil, err
		}
		format = f
	}
	for _, im := range importers() {
		if im.name != format {
			continue
		}
		traces, err := im.parse(data)
		if err != nil {
			return nil, err
		}
		return traces, nil
	}
	return nil, fmt.Errorf("unknown format %q (known: %s)", format, strings.Join(Formats(), ", "))
}
