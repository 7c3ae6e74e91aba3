package tracefile

import (
	"encoding/json"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatScamper is scamper trace and tracelb JSON lines.
const FormatScamper = "scamper"

// detectScamper is likely for JSON with scamper's cycle, trace or tracelb objects.
func detectScamper(s *sniff) confidence {
	if !s.json {
		return notMine
	}
	if s.has(`"cycle-start"`) || s.has(`"tracelb"`) || s.has(`"type":"trace"`) || s.has(`"type": "trace"`) || s.has(`"stop_reason"`) {
		return likely
	}
	return notMine
}

// scamperLine is the part of every scamper JSON line needed to dispatch on it.
type scamperLine struct {
	Type     string `json:"type"`
	UUID     string `json:"UUID"`
	ListName string `json:"list_name"`
	Hostname string `json:"hostname"`
	ID       *int   `json:"id"`
}

type scamperTime struct {
	Sec  int64 `json:"sec"`
	Usec int64 `json:"usec"`
}

type scamperExt struct {
	MPLS []struct {
		TTL   int    `json:"mpls_ttl"`
		S     int    `json:"mpls_s"`
		Exp   int    `json:"mpls_exp"`
		Label uint32 `json:"mpls_label"`
	} `json:"mpls_labels"`
}

// scamperReply is one reply of a trace ("hops" entry) or of a tracelb probe ("replies" entry).
type scamperReply struct {
	Addr      string       `json:"addr"`
	Name      string       `json:"name"`
	ProbeTTL  int          `json:"probe_ttl"`
	RTT       *float64     `json:"rtt"`
	ReplyTTL  int          `json:"reply_ttl"`
	TTL       int          `json:"ttl"` // tracelb replies name the reply TTL "ttl"
	ICMPType  *int         `json:"icmp_type"`
	ICMPCode  int          `json:"icmp_code"`
	ICMPQTTL  int          `json:"icmp_q_ttl"`
	TCPFlags  *int         `json:"tcp_flags"`
	ICMPExt   []scamperExt `json:"icmpext"`
	ProbeSize int          `json:"probe_size"`
}

type scamperTrace struct {
	Type       string         `json:"type"`
	Method     string         `json:"method"`
	Src        string         `json:"src"`
	Dst        string         `json:"dst"`
	Dport      int            `json:"dport"`
	Start      scamperTime    `json:"start"`
	StopReason string         `json:"stop_reason"`
	HopCount   int            `json:"hop_count"`
	Attempts   int            `json:"attempts"`
	HopLimit   int            `json:"hoplimit"`
	FirstHop   int            `json:"firsthop"`
	ProbeSize  int            `json:"probe_size"`
	Hops       []scamperReply `json:"hops"`
	Nodes      []struct {
		Addr  string `json:"addr"`
		Name  string `json:"name"`
		Links [][]struct {
			Addr   string `json:"addr"`
			Probes []struct {
				TTL     int            `json:"ttl"`
				FlowID  int            `json:"flowid"`
				Replies []scamperReply `json:"replies"`
			} `json:"probes"`
		} `json:"links"`
	} `json:"nodes"`
}

// parseScamper imports scamper JSON lines (sc_warts2json or scamper -O json): "trace" and "tracelb"
// objects become traces; "cycle-start", "cycle-stop", "list" and M-Lab's metadata line are context,
// and other measurement types are skipped with no trace.
func parseScamper(data []byte) ([]*path.Trace, error) {
	in := &jsonInput{format: FormatScamper, data: data}
	var (
		traces []*path.Trace
		meta   = map[string]string{}
		others []string
	)
	err := in.values(func(raw json.RawMessage, off int) error {
		if raw[0] != '{' {
			return in.errAt(off, "a scamper JSON object per line", shorten(string(raw)))
		}
		var head scamperLine
		if err := json.Unmarshal(raw, &head); err != nil {
			return in.decodeErr(err, off, "a scamper JSON object")
		}
		switch head.Type {
		case "trace", "tracelb":
			var st scamperTrace
			if err := json.Unmarshal(raw, &st); err != nil {
				return in.decodeErr(err, off, "a scamper "+head.Type+" object")
			}
			t, err := scamperToTrace(in, &st, raw, off)
			if err != nil {
				return err
			}
			for k, v := range meta {
				setMeta(t, k, v)
			}
			traces = append(traces, t)
		case "cycle-start":
			meta["list_name"], meta["hostname"] = head.ListName, head.Hostname
			if head.ID != nil {
				meta["cycle_id"] = strconv.Itoa(*head.ID)
			}
		case "cycle-stop", "cycle-def", "list":
		case "":
			if head.UUID == "" {
				return in.errAt(off, `a scamper object with a "type"`, firstKeys(raw))
			}
			meta["uuid"] = head.UUID
		default:
			others = append(others, head.Type)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		got := "none"
		if len(others) > 0 {
			got = strings.Join(others, ", ")
		}
		return nil, &ParseError{Format: FormatScamper, Expected: `a "trace" or "tracelb" object`, Got: got}
	}
	return traces, nil
}

func scamperToTrace(in *jsonInput, st *scamperTrace, raw []byte, off int) (*path.Trace, error) {
	t := &path.Trace{Source: FormatScamper}
	dst, err := netip.ParseAddr(st.Dst)
	if err != nil {
		return nil, in.errIn(raw, off, `"dst"`, `an IP address in "dst"`, st.Dst)
	}
	t.Target.Addr = dst
	if src, err := netip.ParseAddr(st.Src); err == nil {
		t.From = src
	}
	m := st.Method
	switch {
	case strings.HasPrefix(m, "icmp"):
		t.Protocol = path.ProtoICMP
	case strings.HasPrefix(m, "udp"):
		t.Protocol = path.ProtoUDP
		t.Target.Port = st.Dport
	case strings.HasPrefix(m, "tcp"):
		t.Protocol = path.ProtoTCP
		t.Target.Port = st.Dport
	}
	t.FlowsVaried = st.Type == "tracelb" || m == "udp" // MDA, or classic UDP with a new port per probe
	if st.Start.Sec > 0 {
		t.Started = time.Unix(st.Start.Sec, st.Start.Usec*1000).UTC()
	}
	t.PacketSize = st.ProbeSize
	if st.HopLimit > 0 {
		t.MaxTTL = st.HopLimit
	}
	setMeta(t, "type", st.Type)
	setMeta(t, "method", m)
	if st.StopReason != "" {
		setMeta(t, "stop_reason", st.StopReason)
	}
	if st.FirstHop < 0 || st.FirstHop > 255 {
		return nil, in.errIn(raw, off, `"firsthop"`, `a "firsthop" from 1 to 255`, strconv.Itoa(st.FirstHop))
	}
	first := max(st.FirstHop, 1)
	if st.Type == "trace" {
		t.ProbesPerHop = st.Attempts
		for _, r := range st.Hops {
			if r.ProbeTTL < 1 || r.ProbeTTL > 255 {
				return nil, in.errIn(raw, off, `"probe_ttl":`+strconv.Itoa(r.ProbeTTL), `a "probe_ttl" from 1 to 255`, strconv.Itoa(r.ProbeTTL))
			}
			p, err := scamperProbe(in, &r, r.Addr, dst.Is4(), raw, off)
			if err != nil {
				return nil, err
			}
			p.ReplyTTL = r.ReplyTTL
			t.HopAt(r.ProbeTTL).AddProbe(p, r.Name)
		}
		// Hops up to hop_count that no reply mentions are silent.
		last := st.HopCount
		if n := len(t.Hops); n > 0 {
			last = max(last, t.Hops[n-1].TTL)
		}
		if last >= first && last <= 255 {
			t.HopAt(first)
			t.HopAt(last)
		}
		if len(t.Hops) == 0 {
			t.Warnings = append(t.Warnings, "trace recorded no hop")
		}
		finish(t, true, false)
		return t, nil
	}
	// tracelb: nodes with links; each probe names its TTL. The first node sits at firsthop.
	if len(st.Nodes) == 0 {
		t.Warnings = append(t.Warnings, "tracelb found no node (nothing answered, or the destination is this host)")
	}
	for i, n := range st.Nodes {
		if i == 0 {
			if a, err := netip.ParseAddr(n.Addr); err == nil {
				t.HopAt(first).AddResponder(path.Responder{Addr: a, Name: n.Name})
			}
		}
		for _, link := range n.Links {
			ttl := 0
			for j, elem := range link {
				for _, pr := range elem.Probes {
					if pr.TTL < 1 || pr.TTL > 255 {
						return nil, in.errIn(raw, off, `"ttl":`+strconv.Itoa(pr.TTL), `a probe "ttl" from 1 to 255`, strconv.Itoa(pr.TTL))
					}
					ttl = pr.TTL
					h := t.HopAt(pr.TTL)
					if len(pr.Replies) == 0 {
						h.AddProbe(path.Probe{Status: path.StatusTimeout, FlowID: pr.FlowID}, "")
						continue
					}
					for _, r := range pr.Replies {
						p, err := scamperProbe(in, &r, elem.Addr, dst.Is4(), raw, off)
						if err != nil {
							return nil, err
						}
						p.ReplyTTL, p.FlowID = r.TTL, pr.FlowID
						h.AddProbe(p, "")
					}
				}
				if len(elem.Probes) == 0 {
					// An unresponsive element ("*"): one hop past the previous one.
					if ttl == 0 {
						ttl = nodeTTL(t, n.Addr) + j
					}
					ttl++
					if ttl >= 1 && ttl <= 255 {
						t.HopAt(ttl)
					}
				}
			}
		}
	}
	addTracelbMultipath(t, raw)
	finish(t, true, false)
	return t, nil
}

// nodeTTL returns the lowest TTL at which addr answered, or 0.
func nodeTTL(t *path.Trace, s string) int {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return 0
	}
	for _, h := range t.Hops {
		if h.Responder(a) != nil {
			return h.TTL
		}
	}
	return 0
}

// scamperProbe converts one reply; status follows the ICMP type and code (or TCP flags).
func scamperProbe(in *jsonInput, r *scamperReply, addr string, v4 bool, raw []byte, off int) (path.Probe, error) {
	a, err := netip.ParseAddr(addr)
	if err != nil {
		return path.Probe{}, in.errIn(raw, off, `"`+addr+`"`, `a reply with an IP address in "addr"`, addr)
	}
	p := path.Probe{Status: path.StatusReply, From: a, QuotedTTL: r.ICMPQTTL}
	if r.RTT != nil {
		d, ok := msFloat(*r.RTT)
		if !ok {
			return path.Probe{}, in.errIn(raw, off, `"rtt"`, `a non-negative "rtt" in milliseconds`, strconv.FormatFloat(*r.RTT, 'g', -1, 64))
		}
		p.RTT, p.HasRTT = d, true
	}
	if r.ICMPType != nil && r.TCPFlags == nil {
		if code := icmpUnreachable(v4, *r.ICMPType, r.ICMPCode); code != "" {
			p.Status, p.Unreachable = path.StatusUnreachable, code
		}
	}
	for _, e := range r.ICMPExt {
		for _, m := range e.MPLS {
			p.MPLS = append(p.MPLS, path.MPLSLabel{Label: m.Label & 0xFFFFF, TC: uint8(m.Exp & 7), S: m.S != 0, TTL: uint8(m.TTL & 0xFF)})
		}
	}
	return p, nil
}

// icmpUnreachable maps an ICMP(v6) destination-unreachable type/code to traceroute's annotation,
// or "" for time exceeded, echo reply and port unreachable (the normal end of a UDP trace).
func icmpUnreachable(v4 bool, typ, code int) string {
	if v4 {
		if typ != 3 {
			return ""
		}
		switch code {
		case 0:
			return "N"
		case 1:
			return "H"
		case 2:
			return "P"
		case 3:
			return ""
		case 4:
			return "F"
		case 5:
			return "S"
		case 9, 10, 13:
			return "X"
		case 14:
			return "V"
		case 15:
			return "C"
		}
		return strconv.Itoa(code)
	}
	if typ != 1 {
		return ""
	}
	switch code {
	case 0:
		return "N"
	case 1:
		return "X"
	case 3:
		return "H"
	case 4:
		return ""
	}
	return strconv.Itoa(code)
}
