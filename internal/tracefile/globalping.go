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

// FormatGlobalping is a Globalping measurement (GET /v1/measurements/{id}) of type traceroute or mtr.
const FormatGlobalping = "globalping"

// Meta keys a Globalping import sets on each trace: where the probe is and what it is. Latitude and
// longitude are decimal degrees as Globalping reports them (the probe's city, not its street).
const (
	MetaGlobalpingID     = "globalping_id"     // the measurement id
	MetaGlobalpingStatus = "globalping_status" // this probe's test status: finished, in-progress, failed, offline
	MetaProbeCity        = "probe_city"
	MetaProbeState       = "probe_state" // US state code; absent elsewhere
	MetaProbeCountry     = "probe_country"
	MetaProbeContinent   = "probe_continent"
	MetaProbeRegion      = "probe_region"
	MetaProbeASN         = "probe_asn"
	MetaProbeNetwork     = "probe_network"
	MetaProbeLatitude    = "probe_latitude"
	MetaProbeLongitude   = "probe_longitude"
	MetaProbeTags        = "probe_tags" // comma-separated
)

// detectGlobalping is certain for JSON with Globalping's "probesCount" key, or a result with "rawOutput"
// and "resolvedAddress" (keys no other importer's format has).
func detectGlobalping(s *sniff) confidence {
	if s.json && (s.has(`"probesCount"`) || s.has(`"rawOutput"`) && s.has(`"resolvedAddress"`)) {
		return certain
	}
	return notMine
}

// gpMeasurement is a Globalping measurement as its OpenAPI spec describes it (MeasurementResponse).
type gpMeasurement struct {
	ID                 string          `json:"id"`
	Type               string          `json:"type"`
	Status             string          `json:"status"`
	CreatedAt          string          `json:"createdAt"`
	Target             string          `json:"target"`
	MeasurementOptions json.RawMessage `json:"measurementOptions"`
	Results            *[]gpResult     `json:"results"`
}

type gpResult struct {
	Probe struct {
		Continent string   `json:"continent"`
		Region    string   `json:"region"`
		Country   string   `json:"country"`
		State     *string  `json:"state"`
		City      string   `json:"city"`
		ASN       flex     `json:"asn"`
		Network   string   `json:"network"`
		Latitude  flex     `json:"latitude"`
		Longitude flex     `json:"longitude"`
		Tags      []string `json:"tags"`
	} `json:"probe"`
	Result struct {
		Status           string  `json:"status"`
		RawOutput        string  `json:"rawOutput"`
		ResolvedAddress  *string `json:"resolvedAddress"`
		ResolvedHostname *string `json:"resolvedHostname"`
		Hops             []gpHop `json:"hops"`
	} `json:"result"`
}

type gpHop struct {
	ResolvedAddress  *string `json:"resolvedAddress"`
	ResolvedHostname *string `json:"resolvedHostname"`
	Timings          []struct {
		RTT *float64 `json:"rtt"`
	} `json:"timings"`
	ASN   []uint32 `json:"asn"`
	Stats *struct {
		Min   float64 `json:"min"`
		Avg   float64 `json:"avg"`
		Max   float64 `json:"max"`
		StDev float64 `json:"stDev"`
		JAvg  float64 `json:"jAvg"`
		Total int     `json:"total"`
		Rcv   int     `json:"rcv"`
	} `json:"stats"`
	Duplicate bool `json:"duplicate"`
}

type gpOptions struct {
	Protocol string `json:"protocol"`
	Port     int    `json:"port"`
	Packets  int    `json:"packets"`
}

const gpExpected = `a Globalping measurement {"id", "type", "results": [{"probe", "result"}]}`

// parseGlobalping imports Globalping measurements of type traceroute or mtr: one trace per probe
// result, in the order of "results". A hop is TTL i+1 for the i-th entry of "hops" (Globalping
// lists every hop); when rawOutput numbers more hops than the list holds (the OpenAPI examples show
// only the last ones), the list is taken as the tail and a warning says so. A probe that was offline
// or failed, or is still running, gives a trace with the hops it has (perhaps none) and its status in
// Meta and Warnings, so nothing it said is dropped.
func parseGlobalping(data []byte) ([]*path.Trace, error) {
	in := &jsonInput{format: FormatGlobalping, data: data}
	var traces []*path.Trace
	err := in.values(func(raw json.RawMessage, off int) error {
		if raw[0] != '{' {
			return in.errAt(off, gpExpected, string(raw[:min(len(raw), 20)]))
		}
		var m gpMeasurement
		if err := json.Unmarshal(raw, &m); err != nil {
			return in.decodeErr(err, off, gpExpected)
		}
		if m.Results == nil {
			return in.errAt(off, gpExpected, firstKeys(raw))
		}
		if m.Type != "traceroute" && m.Type != "mtr" {
			return in.errIn(raw, off, `"type"`, `a measurement of "type": "traceroute" or "mtr"`, m.Type)
		}
		var opts gpOptions
		if len(m.MeasurementOptions) > 0 && m.MeasurementOptions[0] == '{' {
			_ = json.Unmarshal(m.MeasurementOptions, &opts) // options are informative; a surprise there loses nothing
		}
		for i := range *m.Results {
			t, err := gpTrace(in, &m, &(*m.Results)[i], opts, raw, off)
			if err != nil {
				return err
			}
			traces = append(traces, t)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(traces) == 0 {
		return nil, &ParseError{Format: FormatGlobalping, Expected: "a Globalping measurement with at least one result"}
	}
	return traces, nil
}

func gpTrace(in *jsonInput, m *gpMeasurement, r *gpResult, opts gpOptions, raw []byte, off int) (*path.Trace, error) {
	t := &path.Trace{Source: FormatGlobalping}
	switch strings.ToUpper(opts.Protocol) {
	case "", "ICMP":
		t.Protocol = path.ProtoICMP // Globalping's default
	case "UDP":
		t.Protocol = path.ProtoUDP
	case "TCP":
		t.Protocol = path.ProtoTCP
	}
	if t.Protocol != path.ProtoICMP {
		t.Target.Port = opts.Port
		if t.Target.Port == 0 {
			t.Target.Port = 80 // the documented default
		}
	}
	if a, err := netip.ParseAddr(m.Target); err == nil {
		t.Target.Addr = a
	} else {
		t.Target.Name = m.Target
	}
	if s := deref(r.Result.ResolvedAddress); s != "" && s != "*" {
		a, err := netip.ParseAddr(s)
		if err != nil {
			return nil, in.errIn(raw, off, `"resolvedAddress": "`+s, `an IP address in "resolvedAddress"`, s)
		}
		t.Target.Addr = a
	}
	if s := deref(r.Result.ResolvedHostname); s != "" && s != "*" && s != t.Target.Name && s != t.Target.Addr.String() {
		t.Target.Canonical = s
	}
	if ts, err := time.Parse(time.RFC3339Nano, m.CreatedAt); err == nil {
		t.Started = ts.UTC()
	}
	gpProbeMeta(t, m, r)
	status := r.Result.Status
	switch status {
	case "finished":
	case "in-progress":
		t.Warnings = append(t.Warnings, "Globalping: this probe's test was still in progress; the hops are partial")
	case "offline":
		t.Warnings = append(t.Warnings, "Globalping: the probe was offline and did not run the test")
	case "failed":
		t.Warnings = append(t.Warnings, "Globalping: the test failed: "+shorten(r.Result.RawOutput))
	default:
		return nil, in.errIn(raw, off, `"status": "`+status, `a test "status" of finished, in-progress, failed or offline`, status)
	}
	shift := 0
	if n := gpRawHops(r.Result.RawOutput); n > len(r.Result.Hops) && len(r.Result.Hops) > 0 {
		shift = n - len(r.Result.Hops) // finish says which hops are missing
	}
	for i := range r.Result.Hops {
		gh := &r.Result.Hops[i]
		if gh.Duplicate {
			continue // mtr's repeat of the destination past its TTL, dropped as mtr does
		}
		ttl := shift + i + 1
		if ttl > 255 {
			return nil, in.errIn(raw, off, `"hops"`, "at most 255 hops", strconv.Itoa(ttl))
		}
		h := appendHop(t, ttl)
		if err := gpHopInto(in, h, gh, m.Type == "mtr", raw, off); err != nil {
			return nil, err
		}
	}
	finish(t, false, true)
	return t, nil
}

// gpHopInto fills h from one Globalping hop: a probe per timing (a null rtt is a timeout), the
// responder with its name and first ASN, and for mtr the statistics.
func gpHopInto(in *jsonInput, h *path.Hop, gh *gpHop, mtr bool, raw []byte, off int) error {
	addrText := deref(gh.ResolvedAddress)
	var from netip.Addr
	if addrText != "" && addrText != "*" {
		a, err := netip.ParseAddr(addrText)
		if err != nil {
			return in.errIn(raw, off, `"`+addrText+`"`, `an IP address, "*" or null in a hop's "resolvedAddress"`, addrText)
		}
		from = a
	}
	name := deref(gh.ResolvedHostname)
	if name == "*" || name == addrText {
		name = ""
	}
	for _, tm := range gh.Timings {
		if tm.RTT == nil || !from.IsValid() {
			h.AddProbe(path.Probe{Status: path.StatusTimeout}, "")
			continue
		}
		d, ok := msFloat(*tm.RTT)
		if !ok {
			return in.errIn(raw, off, `"rtt"`, `a non-negative "rtt" in milliseconds`, strconv.FormatFloat(*tm.RTT, 'g', -1, 64))
		}
		h.AddProbe(path.Probe{Status: path.StatusReply, From: from, RTT: d, HasRTT: true}, name)
	}
	if !from.IsValid() {
		if len(gh.Timings) == 0 && mtr && gh.Stats != nil {
			h.Stats = &path.Stats{Sent: gh.Stats.Total}
		}
		return nil
	}
	r := h.AddResponder(path.Responder{Addr: from, Name: name})
	if len(gh.ASN) > 0 {
		r.ReportedASN = gh.ASN[0]
	}
	if mtr && gh.Stats != nil && r.Stats == nil {
		r.Stats = gpStats(gh)
	}
	return nil
}

// gpStats reads an mtr hop's statistics: counts, best/avg/worst/stdev, mtr's mean jitter (jAvg; only
// with two replies or more, since mtr reports a lone reply's RTT as its jitter) and the RTTs of
// "timings" as samples, the last of them as Last.
func gpStats(gh *gpHop) *path.Stats {
	st := &path.Stats{Sent: gh.Stats.Total, Received: gh.Stats.Rcv}
	if st.Received <= 0 {
		return st
	}
	st.Best, _ = msFloat(gh.Stats.Min)
	st.Avg, _ = msFloat(gh.Stats.Avg)
	st.Worst, _ = msFloat(gh.Stats.Max)
	st.StdDev, _ = msFloat(gh.Stats.StDev)
	if st.Received >= 2 {
		st.Jitter, _ = msFloat(gh.Stats.JAvg)
	}
	for _, tm := range gh.Timings {
		if tm.RTT == nil {
			continue
		}
		if d, ok := msFloat(*tm.RTT); ok {
			st.Samples = append(st.Samples, d)
			st.Last = d
		}
	}
	return st
}

// gpProbeMeta records the measurement id, the test status and where the probe is.
func gpProbeMeta(t *path.Trace, m *gpMeasurement, r *gpResult) {
	p := &r.Probe
	for k, v := range map[string]string{
		MetaGlobalpingID: m.ID, MetaGlobalpingStatus: r.Result.Status,
		MetaProbeCity: p.City, MetaProbeState: deref(p.State), MetaProbeCountry: p.Country,
		MetaProbeContinent: p.Continent, MetaProbeRegion: p.Region, MetaProbeNetwork: p.Network,
		MetaProbeTags: strings.Join(p.Tags, ","),
	} {
		if v != "" {
			setMeta(t, k, v)
		}
	}
	if n, ok := p.ASN.int(); ok && n > 0 {
		setMeta(t, MetaProbeASN, strconv.Itoa(n))
	}
	if lat, ok := p.Latitude.float(); ok && math.Abs(lat) <= 90 {
		setMeta(t, MetaProbeLatitude, strconv.FormatFloat(lat, 'f', -1, 64))
	}
	if lon, ok := p.Longitude.float(); ok && math.Abs(lon) <= 180 {
		setMeta(t, MetaProbeLongitude, strconv.FormatFloat(lon, 'f', -1, 64))
	}
}

// gpRawHops returns the highest hop number rawOutput shows (" 7  host ..." or " 7. AS..."), 0 if none.
func gpRawHops(raw string) int {
	n := 0
	for _, ln := range strings.Split(raw, "\n") {
		ln = strings.TrimSpace(ln)
		rest, ok := hopNumber(ln)
		if !ok || rest == "" || rest[0] != ' ' && rest[0] != '.' {
			continue
		}
		v, _ := strconv.Atoi(ln[:len(ln)-len(rest)])
		n = max(n, v)
	}
	return n
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return strings.TrimSpace(*s)
}
