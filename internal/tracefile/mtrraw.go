package tracefile

import (
	"net/netip"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatMTRRaw is mtr --raw output (x/h/d/p lines).
const FormatMTRRaw = "mtr-raw"

// detectMTRRaw is likely on an "x", "h", "d" or "p" line with a hop position and a value.
func detectMTRRaw(s *sniff) confidence {
	line := s.line
	if len(line) > 2 && strings.IndexByte("xhdp", line[0]) >= 0 && line[1] == ' ' {
		f := strings.Fields(line)
		if _, ok := parseUint(f[1], maxTTL); ok && len(f) >= 3 {
			return likely
		}
	}
	return notMine
}

// parseMTRRaw imports mtr --raw output, one event per line, hop positions counted from 0:
//
//	x 2 33002                 probe sent at position 2 (TTL 3) with sequence 33002
//	h 2 198.51.100.3          the responder at position 2
//	d 2 router.example        its reverse name
//	p 2 10394 33002           reply after 10394 µs to sequence 33002
//
// A transmitted probe without a reply is a timeout. mtr keeps probing past the destination until it
// learns where it is; a trailing hop answered only by the previous hop's sole responder is that
// overshoot and is dropped, as mtr's own display does, with a warning.
func parseMTRRaw(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	const format = FormatMTRRaw
	type sent struct{ ttl, idx int }
	var (
		t       = &path.Trace{Source: format}
		bySeq   = map[int]sent{}
		host    = map[int]netip.Addr{}
		names   = map[int]string{}
		toks    []token
		command string
		seen    bool
	)
	in := newTextInputOpts(format, data, opts)
	errf := in.errAt
	for in.scan() {
		ln := in.ln
		toks = tokenize(ln, toks)
		kind := toks[0].s
		if len(kind) != 1 || strings.IndexByte("xhdpt", kind[0]) < 0 || len(toks) < 3 {
			if !seen && isPromptLine(ln) {
				command = strings.TrimSpace(ln)
				continue
			}
			if err := in.tolerate(errf(toks[0].col, `a raw line like "h 2 192.0.2.1", "p 2 10394 33002", "x 2 33002" or "d 2 name"`, strings.TrimSpace(ln))); err != nil {
				return nil, err
			}
			continue
		}
		pos, ok := parseUint(toks[1].s, maxTTL-1)
		if !ok {
			if err := in.tolerate(errf(toks[1].col, "a hop position from 0 to 254", toks[1].s)); err != nil {
				return nil, err
			}
			continue
		}
		seen = true
		h := t.HopAt(pos + 1)
		switch kind {
		case "x":
			seq, ok := parseUint(toks[2].s, 1<<31)
			if !ok || len(toks) != 3 {
				if err := in.tolerate(errf(toks[2].col, "a sequence number", toks[2].s)); err != nil {
					return nil, err
				}
				continue
			}
			h.Probes = append(h.Probes, path.Probe{Status: path.StatusTimeout})
			bySeq[seq] = sent{pos + 1, len(h.Probes) - 1}
		case "h":
			a, err := netip.ParseAddr(toks[2].s)
			if err != nil || len(toks) != 3 {
				if err := in.tolerate(errf(toks[2].col, "an IP address", toks[2].s)); err != nil {
					return nil, err
				}
				continue
			}
			host[pos] = a
			h.AddResponder(path.Responder{Addr: a, Name: names[pos]})
			delete(names, pos)
		case "d":
			name := toks[2].s
			a, ok := host[pos]
			if !ok {
				names[pos] = name // a name before its address: keep it for the next "h"
				continue
			}
			if name == a.String() {
				continue
			}
			if rr := h.Responder(a); rr != nil && rr.Name == "" {
				rr.Name = name
			}
		case "p":
			usec, ok := parseUint(toks[2].s, 1<<31)
			if !ok {
				if err := in.tolerate(errf(toks[2].col, "a round-trip time in microseconds", toks[2].s)); err != nil {
					return nil, err
				}
				continue
			}
			a, ok := host[pos]
			if !ok {
				if err := in.tolerate(errf(toks[0].col, `an "h `+toks[1].s+` ADDRESS" line before the reply`, strings.TrimSpace(ln))); err != nil {
					return nil, err
				}
				continue
			}
			pr := path.Probe{Status: path.StatusReply, From: a, RTT: time.Duration(usec) * time.Microsecond, HasRTT: true}
			if len(toks) >= 4 {
				seq, ok := parseUint(toks[3].s, 1<<31)
				if !ok {
					if err := in.tolerate(errf(toks[3].col, "a sequence number", toks[3].s)); err != nil {
						return nil, err
					}
					continue
				}
				if s, ok := bySeq[seq]; ok && s.ttl == pos+1 && h.Probes[s.idx].Status == path.StatusTimeout {
					h.Probes[s.idx] = pr
					delete(bySeq, seq)
					continue
				}
			}
			h.Probes = append(h.Probes, pr)
		case "t":
			// timestamp lines carry nothing the model keeps
		}
	}
	if !seen {
		return nil, in.refuse(`raw lines like "h 0 192.0.2.1"`, "")
	}
	if command != "" {
		targetFromCommand(t, command)
	}
	finish(t, true, false)
	trimOvershoot(t)
	t.Warnings = append(t.Warnings, in.takeNotes()...)
	return []*path.Trace{t}, nil
}

// trimOvershoot drops trailing hops answered only by the sole responder of the hop before them.
func trimOvershoot(t *path.Trace) {
	n := len(t.Hops)
	trimmed := false
	for n >= 2 {
		last, prev := &t.Hops[n-1], &t.Hops[n-2]
		if len(last.Responders) != 1 || len(prev.Responders) != 1 || last.Responders[0].Addr != prev.Responders[0].Addr {
			break
		}
		if prev.Responders[0].Name == "" {
			prev.Responders[0].Name = last.Responders[0].Name
		}
		t.Warnings = append(t.Warnings, "hop "+itoa(last.TTL)+": answered again by "+last.Responders[0].Addr.String()+
			" (the destination, probed past its distance); dropped as mtr does")
		n--
		trimmed = true
	}
	t.Hops = t.Hops[:n]
	if n > 0 && len(t.Hops[n-1].Responders) == 1 && trimmed && !t.Target.Addr.IsValid() && t.Target.Name == "" {
		t.Target.Addr = t.Hops[n-1].Responders[0].Addr
	}
}
