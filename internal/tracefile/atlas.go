package tracefile

import (
	"bytes"
	"encoding/json"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/path"
)

// FormatRIPEAtlas is a RIPE Atlas traceroute result: one object, a list or JSON lines.
const FormatRIPEAtlas = "ripe-atlas"

// detectAtlas is likely for JSON with a measurement or probe id, or a traceroute type and a result.
func detectAtlas(s *sniff) confidence {
	if !s.json {
		return notMine
	}
	if s.has(`"msm_id"`) || s.has(`"prb_id"`) || (s.has(`"type":"traceroute"`) || s.has(`"type": "traceroute"`)) && s.has(`"result"`) {
		return likely
	}
	return notMine
}

// atlasResult is one RIPE Atlas traceroute result (https://atlas.ripe.net/docs/apis/result-format/).
type atlasResult struct {
	Type      string      `json:"type"`
	AF        int         `json:"af"`
	DstAddr   string      `json:"dst_addr"`
	DstName   string      `json:"dst_name"`
	From      string      `json:"from"`
	SrcAddr   string      `json:"src_addr"`
	Proto     string      `json:"proto"`
	Size      int         `json:"size"`
	ParisID   *int        `json:"paris_id"`
	Timestamp int64       `json:"timestamp"`
	Endtime   int64       `json:"endtime"`
	MsmID     json.Number `json:"msm_id"`
	PrbID     json.Number `json:"prb_id"`
	GroupID   json.Number `json:"group_id"`
	FW        json.Number `json:"fw"`
	MsmName   string      `json:"msm_name"`
	Result    []atlasHop  `json:"result"`
}

type atlasHop struct {
	Hop    int          `json:"hop"`
	Error  string       `json:"error"`
	Result []atlasReply `json:"result"`
}

type atlasReply struct {
	X       string          `json:"x"`
	From    string          `json:"from"`
	RTT     *float64        `json:"rtt"`
	TTL     int             `json:"ttl"`
	ITTL    int             `json:"ittl"`
	Late    *int            `json:"late"`
	Dup     bool            `json:"dup"`
	Err     json.RawMessage `json:"err"`
	Error   string          `json:"error"`
	ICMPExt *struct {
		Obj []struct {
			Class int `json:"class"`
			Type  int `json:"type"`
			MPLS  []struct {
				Exp   int    `json:"exp"`
				Label uint32 `json:"label"`
				S     int    `json:"s"`
				TTL   int    `json:"ttl"`
			} `json:"mpls"`
		} `json:"obj"`
	} `json:"icmpext"`
}

// parseAtlas imports RIPE Atlas traceroute results: one result object, a JSON list of them, JSON
// lines, or the /latest/ form keyed by probe id ({"6001": [result, ...], ...}, probes in increasing id
// order, each probe's results newest first as Atlas returns them). Hop 255 is Atlas's last probe sent with TTL 255 after the gap limit; it is kept as
// TTL 255 (not padded with empty hops) and explained in Warnings.
func parseAtlas(data []byte) ([]*path.Trace, error) {
	in := &jsonInput{format: FormatRIPEAtlas, data: data}
	var traces []*path.Trace
	one := func(raw json.RawMessage, off int) error {
		var res atlasResult
		if err := json.Unmarshal(raw, &res); err != nil {
			return in.decodeErr(err, off, "a RIPE Atlas traceroute result")
		}
		t, err := atlasTrace(in, &res, raw, off)
		if err != nil {
			return err
		}
		traces = append(traces, t)
		return nil
	}
	err := in.values(func(raw json.RawMessage, off int) error {
		if latest, ok := atlasLatest(raw); ok {
			for _, item := range latest {
				if err := one(item, off); err != nil {
					// Where the item starts matters only to the error: searching the value for it is
					// done for the one that failed, not for every item (a search per item grows with
					// the items before it). Read again at its place, it fails the same way.
					i := bytes.Index(raw, item[:min(len(item), 64)])
					work(i + 1)
					return one(item, off+max(i, 0))
				}
			}
			return nil
		}
		if raw[0] != '[' {
			return one(raw, off)
		}
		var list []json.RawMessage
		if err := json.Unmarshal(raw, &list); err != nil {
			return in.decodeErr(err, off, "a list of RIPE Atlas results")
		}
		pos := 1
		for _, item := range list {
			// Locate each element for error positions.
			i := bytes.Index(raw[pos:], item[:min(len(item), 64)])
			itemOff := off
			if i >= 0 {
				itemOff = off + pos + i
				pos += i + len(item)
			}
			if err := one(item, itemOff); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, &ParseError{Format: FormatRIPEAtlas, Expected: "a RIPE Atlas traceroute result"}
	}
	return traces, nil
}

func atlasTrace(in *jsonInput, res *atlasResult, raw []byte, off int) (*path.Trace, error) {
	if res.Type != "" && res.Type != "traceroute" {
		return nil, in.errIn(raw, off, `"type"`, `a result of "type": "traceroute"`, res.Type)
	}
	if res.Result == nil {
		return nil, in.errAt(off, `a traceroute result with a "result" list of hops`, firstKeys(raw))
	}
	t := &path.Trace{Source: FormatRIPEAtlas}
	switch strings.ToUpper(res.Proto) {
	case "UDP":
		t.Protocol = path.ProtoUDP
	case "ICMP":
		t.Protocol = path.ProtoICMP
	case "TCP":
		t.Protocol = path.ProtoTCP
	}
	if res.DstAddr != "" {
		a, err := netip.ParseAddr(res.DstAddr)
		if err != nil {
			return nil, in.errIn(raw, off, res.DstAddr, `an IP address in "dst_addr"`, res.DstAddr)
		}
		t.Target.Addr = a
	}
	if res.DstName != "" {
		if a, err := netip.ParseAddr(res.DstName); err != nil {
			t.Target.Name = res.DstName
		} else if !t.Target.Addr.IsValid() {
			t.Target.Addr = a
		}
	}
	if a, err := netip.ParseAddr(res.SrcAddr); err == nil {
		t.From = a
	}
	if res.Timestamp > 0 {
		t.Started = time.Unix(res.Timestamp, 0).UTC()
	}
	t.PacketSize = res.Size
	if res.ParisID != nil {
		// Without a Paris id, UDP and TCP probes change ports from probe to probe.
		t.FlowsVaried = *res.ParisID == 0 && t.Protocol != path.ProtoICMP
		setMeta(t, "paris_id", strconv.Itoa(*res.ParisID))
	}
	for k, v := range map[string]string{"msm_id": res.MsmID.String(), "prb_id": res.PrbID.String(), "group_id": res.GroupID.String(),
		"fw": res.FW.String(), "msm_name": res.MsmName, "from": res.From} {
		if v != "" {
			setMeta(t, k, v)
		}
	}
	if res.Endtime > 0 {
		setMeta(t, "endtime", strconv.FormatInt(res.Endtime, 10))
	}
	prevTTL := 0
	for _, ah := range res.Result {
		if ah.Hop < 1 || ah.Hop > 255 {
			return nil, in.errIn(raw, off, `"hop":`+strconv.Itoa(ah.Hop), "a hop number from 1 to 255", strconv.Itoa(ah.Hop))
		}
		if ah.Hop <= prevTTL {
			return nil, in.errIn(raw, off, `"hop":`+strconv.Itoa(ah.Hop), "hops in increasing order", strconv.Itoa(ah.Hop))
		}
		if ah.Hop == 255 && prevTTL < 254 {
			t.Warnings = append(t.Warnings, "hop 255: RIPE Atlas's last probe, sent with TTL 255 after hop "+strconv.Itoa(prevTTL)+
				"; TTLs "+strconv.Itoa(prevTTL+1)+" to 254 were not probed")
			t.Hops = append(t.Hops, path.Hop{TTL: 255})
		}
		h := t.HopAt(ah.Hop)
		prevTTL = ah.Hop
		if ah.Error != "" {
			h.AddProbe(path.Probe{Status: path.StatusError}, "")
			t.Warnings = append(t.Warnings, "hop "+strconv.Itoa(ah.Hop)+": "+ah.Error)
		}
		for _, r := range ah.Result {
			p, err := atlasProbe(in, &r, raw, off)
			if err != nil {
				return nil, err
			}
			h.AddProbe(p, "")
		}
	}
	finishAtlas(t)
	return t, nil
}

func atlasProbe(in *jsonInput, r *atlasReply, raw []byte, off int) (path.Probe, error) {
	if r.X == "*" {
		return path.Probe{Status: path.StatusTimeout}, nil
	}
	if r.Error != "" {
		return path.Probe{Status: path.StatusError}, nil
	}
	a, err := netip.ParseAddr(r.From)
	if err != nil {
		return path.Probe{}, in.errIn(raw, off, `"from":"`+r.From+`"`, `a reply with an IP address in "from", or {"x":"*"}`, r.From)
	}
	p := path.Probe{Status: path.StatusReply, From: a, ReplyTTL: r.TTL, Dup: r.Dup}
	if r.ITTL > 0 {
		p.QuotedTTL = r.ITTL
	}
	if r.Late != nil {
		p.Late = true
	} else if r.RTT != nil {
		d, ok := msFloat(*r.RTT)
		if !ok {
			return path.Probe{}, in.errIn(raw, off, `"rtt"`, `a non-negative "rtt" in milliseconds`, strconv.FormatFloat(*r.RTT, 'g', -1, 64))
		}
		p.RTT, p.HasRTT = d, true
	}
	if len(r.Err) > 0 {
		var code string
		if r.Err[0] == '"' {
			_ = json.Unmarshal(r.Err, &code)
		} else {
			code = string(r.Err)
		}
		switch code {
		case "", "p":
			// "p": port unreachable, the normal answer of a UDP destination
		case "A":
			p.Status, p.Unreachable = path.StatusUnreachable, "X" // administratively prohibited, traceroute's !X
		default:
			p.Status, p.Unreachable = path.StatusUnreachable, code
		}
	}
	if r.ICMPExt != nil {
		for _, o := range r.ICMPExt.Obj {
			for _, m := range o.MPLS {
				p.MPLS = append(p.MPLS, path.MPLSLabel{Label: m.Label & 0xFFFFF, TC: uint8(m.Exp & 7), S: m.S != 0, TTL: uint8(m.TTL & 0xFF)})
			}
		}
	}
	return p, nil
}

// finishAtlas infers ProbesPerHop from hops without duplicates or late packets.
func finishAtlas(t *path.Trace) {
	n := 0
	for _, h := range t.Hops {
		c := 0
		for _, p := range h.Probes {
			if !p.Late && !p.Dup {
				c++
			}
		}
		if c > 0 && (n == 0 || c == n) {
			n = c
		} else if c > 0 {
			return
		}
	}
	t.ProbesPerHop = n
}

// atlasLatest splits the /latest/ form ({"<probe id>": [result, ...], ...}) into its results, probes in
// increasing id order; ok is false for anything else (a result object has "type" and "result").
func atlasLatest(raw []byte) ([]json.RawMessage, bool) {
	if raw[0] != '{' {
		return nil, false
	}
	var byProbe map[string][]json.RawMessage
	if json.Unmarshal(raw, &byProbe) != nil || len(byProbe) == 0 {
		return nil, false
	}
	ids := make([]int, 0, len(byProbe))
	for k := range byProbe {
		id, ok := parseUint(k, 1<<31)
		if !ok {
			return nil, false
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	var out []json.RawMessage
	for _, id := range ids {
		for _, r := range byProbe[strconv.Itoa(id)] {
			if len(r) > 0 {
				out = append(out, r)
			}
		}
	}
	return out, len(out) > 0
}
