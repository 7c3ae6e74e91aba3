package tracefile

import (
	"encoding/json"
	"math"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// mtrHopsJSON is the --json of Red Hat's mtr 0.85 (RHEL and CentOS 7), a layout of its own:
//
//	{"src":"host","dst":"192.0.2.9","tos":"0x0","packetsize":64,"bitpattern":"0x00","packets":5,
//	 "hops":[{"hop":1,"ipaddr":"192.0.2.1","host":"unresolved","asn":"AS64500","drop":0,
//	          "received":5,"losspercent":0.0,"sent":5,"last":1.5,"avg":1.2,"best":0.8,
//	          "worst":1.8,"stddev":0.0,"geomean":1.1,"jitter":0.3, ...}]}
//
// "host" is "unresolved" when no name was found; "asn" ("AS???" when unknown) comes with --aslookup.
type mtrHopsJSON struct {
	Src        flex                         `json:"src"`
	Dst        flex                         `json:"dst"`
	TOS        flex                         `json:"tos"`
	PacketSize flex                         `json:"packetsize"`
	Packets    flex                         `json:"packets"`
	Hops       []map[string]json.RawMessage `json:"hops"`
}

// mtrHopsReport reads one value in the mtrHopsJSON layout, or says what was expected.
func mtrHopsReport(in *jsonInput, raw json.RawMessage, off int) (*path.Trace, error) {
	const expected = `an mtr report {"report": {"mtr": ..., "hubs": [...]}} or {"src": ..., "dst": ..., "hops": [...]}`
	var doc mtrHopsJSON
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, in.decodeErr(err, off, expected)
	}
	if doc.Hops == nil || doc.Dst == "" {
		return nil, in.errAt(off, expected, firstKeys(raw))
	}
	t := &path.Trace{Source: FormatMTRJSON}
	dst := strings.TrimSpace(string(doc.Dst))
	if a, err := netip.ParseAddr(dst); err == nil {
		t.Target.Addr = a
	} else {
		t.Target.Name = dst
	}
	if src := string(doc.Src); src != "" {
		if a, err := netip.ParseAddr(src); err == nil {
			t.From = a
		} else {
			setMeta(t, "host", src)
		}
	}
	if n, ok := doc.PacketSize.int(); ok {
		t.PacketSize = n
	}
	if n, ok := doc.Packets.int(); ok {
		t.ProbesPerHop = n
	}
	if in.prompt != "" {
		targetFromCommand(t, in.prompt)
	}
	var names responderNames
	for _, hop := range doc.Hops {
		if err := mtrHopsHop(in, t, &names, hop, raw, off); err != nil {
			return nil, err
		}
	}
	if len(t.Hops) == 0 {
		return nil, in.errAt(off, `at least one entry in "hops"`, "none")
	}
	finish(t, true, false)
	return t, nil
}

// mtrHopsHop reads one entry of "hops" as the hop it names; names finds the hop's name-only responders.
func mtrHopsHop(in *jsonInput, t *path.Trace, names *responderNames, hop map[string]json.RawMessage, raw []byte, off int) error {
	field := func(k string) flex {
		var f flex
		if v, ok := hop[k]; ok && json.Unmarshal(v, &f) == nil {
			return f
		}
		return ""
	}
	ttl, ok := field("hop").int()
	if !ok || ttl < 1 || ttl > maxTTL {
		return in.errIn(raw, off, `"hop"`, `a "hop" from 1 to 255`, string(field("hop")))
	}
	if n := len(t.Hops); n > 0 && t.Hops[n-1].TTL > ttl {
		return in.errIn(raw, off, `"hop": `+string(field("hop")), "hops in order", string(field("hop")))
	}
	num := func(k string) (float64, error) {
		v := field(k)
		if v == "" {
			return 0, nil
		}
		x, ok := v.float()
		if !ok || x < 0 || x > 1e9 || math.IsInf(x, 0) {
			return 0, in.errIn(raw, off, `"`+k+`"`, "a number for "+strconv.Quote(k), string(v))
		}
		return x, nil
	}
	vals := map[string]float64{}
	for _, k := range []string{"sent", "received", "drop", "losspercent", "last", "avg", "best", "worst", "stddev"} {
		x, err := num(k)
		if err != nil {
			return err
		}
		vals[k] = x
	}
	dur := func(x float64) time.Duration { return time.Duration(x*1e6 + 0.5) }
	st := path.Stats{Sent: int(vals["sent"]), Last: dur(vals["last"]), Avg: dur(vals["avg"]),
		Best: dur(vals["best"]), Worst: dur(vals["worst"]), StdDev: dur(vals["stddev"])}
	if _, ok := hop["received"]; ok {
		st.Received = int(vals["received"])
	} else {
		st.Received = st.Sent - int(vals["drop"])
	}
	st.Received = min(max(st.Received, 0), st.Sent)
	h := t.HopAt(ttl)
	ip := strings.TrimSpace(string(field("ipaddr")))
	name := strings.TrimSpace(string(field("host")))
	if name == "unresolved" || name == ip || !looksLikeHostname(name) {
		name = ""
	}
	addr, err := netip.ParseAddr(ip)
	if err != nil && name == "" {
		h.Stats = &st // "???" or no address: a silent hop with its counts
		return nil
	}
	r := names.add(h, addr, name)
	if r.Stats == nil {
		r.Stats = &st
	}
	if a := string(field("asn")); strings.HasPrefix(a, "AS") && r.ReportedASN == 0 {
		if n, err := strconv.ParseUint(a[2:], 10, 32); err == nil {
			r.ReportedASN = uint32(n)
		}
	}
	return nil
}

// closeTruncatedJSON returns data with the brackets that JSON left open at its end closed, and how
// many it added; 0 when nothing was open, or when the text stops inside a string or after a comma
// or colon (a value was lost, not only the closing lines).
func closeTruncatedJSON(data []byte) ([]byte, int) {
	var stack []byte
	inString, escaped := false, false
	last := byte(0) // the last significant byte outside strings
	for _, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
				last = '"'
			}
			continue
		case c == '"':
			inString = true
		case c == '{':
			stack = append(stack, '}')
		case c == '[':
			stack = append(stack, ']')
		case c == '}' || c == ']':
			if len(stack) == 0 || stack[len(stack)-1] != c {
				return data, 0
			}
			stack = stack[:len(stack)-1]
		}
		if c > ' ' {
			last = c
		}
	}
	if inString || len(stack) == 0 || last == ',' || last == ':' || last == '{' && len(stack) == 0 {
		return data, 0
	}
	out := append([]byte(nil), data...)
	out = append(out, '\n')
	for i := len(stack) - 1; i >= 0; i-- {
		out = append(out, stack[i])
	}
	return append(out, '\n'), len(stack)
}
