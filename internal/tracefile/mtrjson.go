package tracefile

import (
	"encoding/json"
	"math"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatMTRJSON is mtr --json output, 0.93 and older (string fields) and newer.
const FormatMTRJSON = "mtr-json"

// detectMTRJSON is likely for JSON with mtr's "report" and "hubs" keys, or with the "hops",
// "ipaddr" and "packetsize" keys of the --json that Red Hat's mtr 0.85 prints.
func detectMTRJSON(s *sniff) confidence {
	if s.json && (s.has(`"hubs"`) && s.has(`"report"`) || s.has(`"hops"`) && s.has(`"ipaddr"`) && s.has(`"packetsize"`)) {
		return likely
	}
	return notMine
}

// mtrJSON is mtr --json output. mtr 0.93 and older quote count, tos, psize and tests; newer
// versions print numbers. Hub statistics are keyed by column title ("Loss%", "Snt", "Avg", ...).
type mtrJSON struct {
	Report *struct {
		MTR *struct {
			Src        flex `json:"src"`
			Dst        flex `json:"dst"`
			TOS        flex `json:"tos"`
			PSize      flex `json:"psize"`
			BitPattern flex `json:"bitpattern"`
			Tests      flex `json:"tests"`
		} `json:"mtr"`
		Hubs []map[string]flex `json:"hubs"`
	} `json:"report"`
}

// parseMTRJSON imports mtr --json output (one report per JSON value). A paste whose JSON stops
// before its closing brackets (the last lines lost when copying from a pager or a terminal) is
// read with them added, and a warning says so.
func parseMTRJSON(data []byte) ([]*path.Trace, error) {
	traces, err := parseMTRJSONValues(data)
	if err == nil {
		return traces, nil
	}
	fixed, closed := closeTruncatedJSON(data)
	if closed == 0 {
		return nil, err
	}
	traces, err2 := parseMTRJSONValues(fixed)
	if err2 != nil {
		return nil, err
	}
	for _, t := range traces {
		t.Warnings = append(t.Warnings, "the JSON stops short of its end; read with "+itoa(closed)+" closing bracket(s) added")
	}
	return traces, nil
}

func parseMTRJSONValues(data []byte) ([]*path.Trace, error) {
	in := &jsonInput{format: FormatMTRJSON, data: data}
	var traces []*path.Trace
	err := in.values(func(raw json.RawMessage, off int) error {
		var doc mtrJSON
		if err := json.Unmarshal(raw, &doc); err != nil {
			return in.decodeErr(err, off, `an mtr report {"report": {"mtr": ..., "hubs": [...]}}`)
		}
		if doc.Report == nil || doc.Report.MTR == nil {
			t, err := mtrHopsReport(in, raw, off)
			if err != nil {
				return err
			}
			traces = append(traces, t)
			return nil
		}
		m := doc.Report.MTR
		t := &path.Trace{Source: FormatMTRJSON}
		dst := strings.TrimSpace(string(m.Dst))
		if a, err := netip.ParseAddr(dst); err == nil {
			t.Target.Addr = a
		} else {
			t.Target.Name = dst
		}
		if src := string(m.Src); src != "" {
			if a, err := netip.ParseAddr(src); err == nil {
				t.From = a
			} else {
				setMeta(t, "host", src)
			}
		}
		if n, ok := m.PSize.int(); ok {
			t.PacketSize = n
		}
		if n, ok := m.Tests.int(); ok {
			t.ProbesPerHop = n
		}
		if m.TOS != "" {
			setMeta(t, "tos", string(m.TOS))
		}
		if in.prompt != "" {
			targetFromCommand(t, in.prompt)
		}
		var names responderNames
		for _, hub := range doc.Report.Hubs {
			if err := mtrHub(in, t, &names, hub, raw, off); err != nil {
				return err
			}
		}
		if len(t.Hops) == 0 {
			return in.errAt(off, `at least one entry in "hubs"`, "none")
		}
		finish(t, true, false)
		traces = append(traces, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, &ParseError{Format: FormatMTRJSON, Expected: "an mtr JSON report"}
	}
	return traces, nil
}

// mtrHub reads one entry of "hubs" into the hop it counts; names finds the hop's name-only responders.
func mtrHub(in *jsonInput, t *path.Trace, names *responderNames, hub map[string]flex, raw []byte, off int) error {
	count, ok := hub["count"].int()
	if !ok || count < 1 || count > maxTTL {
		return in.errIn(raw, off, `"count"`, `a hop "count" from 1 to 255`, string(hub["count"]))
	}
	if n := len(t.Hops); n > 0 && t.Hops[n-1].TTL > count {
		return in.errIn(raw, off, `"count": `+string(hub["count"]), "hubs in hop order", string(hub["count"]))
	}
	var st path.Stats
	num := func(k string) (float64, bool, error) {
		v, present := hub[k]
		if !present {
			return 0, false, nil
		}
		x, ok := v.float()
		if !ok || x < 0 || x > 1e9 || math.IsInf(x, 0) {
			return 0, false, in.errIn(raw, off, `"`+k+`"`, "a number for "+strconv.Quote(k), string(v))
		}
		return x, true, nil
	}
	dur := func(x float64) time.Duration { return time.Duration(x*1e6 + 0.5) }
	vals := map[string]float64{}
	for _, k := range []string{"Loss%", "Snt", "Rcv", "Drop", "Last", "Avg", "Best", "Wrst", "StDev"} {
		x, present, err := num(k)
		if err != nil {
			return err
		}
		if present {
			vals[k] = x
		}
	}
	st.Sent = int(vals["Snt"])
	st.Last, st.Avg, st.Best, st.Worst, st.StdDev = dur(vals["Last"]), dur(vals["Avg"]), dur(vals["Best"]), dur(vals["Wrst"]), dur(vals["StDev"])
	if v, ok := vals["Rcv"]; ok {
		st.Received = int(v)
	} else if v, ok := vals["Drop"]; ok {
		st.Received = st.Sent - int(v)
	} else {
		st.Received = int(math.Round(float64(st.Sent) * (100 - vals["Loss%"]) / 100))
	}
	st.Received = min(max(st.Received, 0), st.Sent)
	h := t.HopAt(count)
	host := strings.TrimSpace(string(hub["host"]))
	var asn uint32
	if a := string(hub["ASN"]); strings.HasPrefix(a, "AS") {
		if n, err := strconv.ParseUint(a[2:], 10, 32); err == nil {
			asn = uint32(n)
		}
	}
	if host == "???" || host == "" {
		h.Stats = &st
		return nil
	}
	var addr netip.Addr
	name := host
	if a, err := netip.ParseAddr(host); err == nil {
		addr, name = a, ""
	} else if n, a, ok := strings.Cut(host, " ("); ok && strings.HasSuffix(a, ")") {
		if ad, err := netip.ParseAddr(a[:len(a)-1]); err == nil {
			addr, name = ad, n
		}
	}
	if name != "" && !looksLikeHostname(name) {
		return in.errIn(raw, off, host, `a host name or address in "host"`, host)
	}
	r := names.add(h, addr, name)
	if r.Stats == nil {
		r.Stats = &st
	}
	if r.ReportedASN == 0 {
		r.ReportedASN = asn
	}
	return nil
}

// firstKeys describes a JSON object by its first keys, for error messages.
func firstKeys(raw []byte) string {
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) != nil {
		return shorten(string(raw))
	}
	var keys []string
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	slices.Sort(keys)
	if len(keys) > 4 {
		keys = keys[:4]
	}
	return "an object with " + strings.Join(keys, ", ")
}
