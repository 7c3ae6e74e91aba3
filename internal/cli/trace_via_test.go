package cli

import (
	"encoding/json"
	"html"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"hopscope/internal/measureapi/apireplay"
	"hopscope/internal/report"
)

// apiStep is one scripted answer of the loopback API (file paths as given).
type apiStep = apireplay.Step

func newAPIReplay(t *testing.T, steps ...apiStep) (*apireplay.Server, string) {
	r := apireplay.New(t, "", steps...)
	return r, r.URL
}

const (
	gpData      = "../globalping/testdata/"
	atlasData   = "../atlas/testdata/"
	atlasRecord = atlasData + "latest-msm1000157-recorded.json"
	gpCreate    = "/v1/measurements"
	gpGet       = "/v1/measurements/PY5fMsREMmIq45VR"
)

var (
	gpAccepted   = apiStep{Method: "POST", Path: gpCreate, Status: 202, File: gpData + "create-accepted.json"}
	gpInProgress = apiStep{Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-in-progress.json"}
	gpFinished   = apiStep{Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-one-probe-offline.json"}
)

// flat returns the words of a report in one output format, markup and entities removed and JSON
// decoded to its strings, so that one phrase can be looked for in every format.
func flat(t *testing.T, format, out string) string {
	t.Helper()
	switch format {
	case "json":
		var doc any
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		var sb strings.Builder
		var walk func(any)
		walk = func(v any) {
			switch v := v.(type) {
			case string:
				sb.WriteString(v + "\n")
			case []any:
				for _, e := range v {
					walk(e)
				}
			case map[string]any:
				for _, e := range v {
					walk(e)
				}
			}
		}
		walk(doc)
		out = sb.String()
	case "html":
		out = html.UnescapeString(regexp.MustCompile(`<[^>]*>`).ReplaceAllString(out, " "))
	}
	return strings.Join(strings.Fields(out), " ")
}

// TestTraceViaGlobalping runs the whole command against a loopback API replaying documented and
// recorded answers: create, in progress, finished with one probe offline, in every output format.
func TestTraceViaGlobalping(t *testing.T) {
	t.Setenv("GLOBALPING_TOKEN", "")
	for _, format := range []string{"text", "json", "markdown", "html"} {
		t.Run(format, func(t *testing.T) {
			rp, base := newAPIReplay(t, gpAccepted, gpInProgress, gpFinished)
			code, out, errs := run(t, "", "--data-dir", t.TempDir(), "trace", "--via", "globalping", "--api-url", base+"/v1",
				"--vantage", "London", "--vantage", "Sydney", "--per-vantage", "2", "--format", format, "hello.com")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if rp.Served() != 3 {
				t.Errorf("served %d of 3 answers", rp.Served())
			}
			host := strings.TrimPrefix(base, "http://")
			if want := `hopscope: sends hello.com and the locations "London", "Sydney" to ` + host + " (Globalping): its probes run the traceroute"; !strings.Contains(errs, want) {
				t.Errorf("stderr does not say what is sent to whom:\n%s", errs)
			}
			var sent struct {
				Type      string
				Target    string
				Locations []struct {
					Magic string
					Limit int
				}
			}
			if err := json.Unmarshal([]byte(rp.Body()[0]), &sent); err != nil || sent.Type != "traceroute" || sent.Target != "hello.com" ||
				len(sent.Locations) != 2 || sent.Locations[0].Magic != "London" || sent.Locations[1].Limit != 2 {
				t.Errorf("request body %s (%v)", rp.Body()[0], err)
			}
			if rp.Auth()[0] != "" {
				t.Errorf("anonymous run sent Authorization %q", rp.Auth()[0])
			}
			if format == "json" {
				var rep report.Report
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				v := rep.Vantages
				if v == nil || len(rep.Paths) != 2 || v.Slowest != -1 || v.Origins[1].Measured || v.Origins[0].Label != "London, GB" ||
					!slices.Equal(v.Origins[0].ASPath, []uint32{5089, 15169}) {
					t.Fatalf("comparison %+v", v)
				}
			}
			words := flat(t, format, out)
			for _, want := range []string{"fewer than two origins measured an RTT, so which is slower is unknown", "not measured (probe offline)",
				"≥ 28.6 ms (the destination did not answer)", "AS5089 → AS15169"} {
				if !strings.Contains(words, want) {
					t.Errorf("%s output lacks %q", format, want)
				}
			}
		})
	}
}

// TestTraceViaGlobalpingMTR: -c N with --via globalping runs mtr with N packets per hop, and the
// recorded mtr's loss and jitter per hop reach the report.
func TestTraceViaGlobalpingMTR(t *testing.T) {
	t.Setenv("GLOBALPING_TOKEN", "")
	rp, base := newAPIReplay(t, gpAccepted, apiStep{Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-mtr-in-progress.json"},
		apiStep{Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-mtr-recorded.json"})
	code, out, errs := run(t, "", "--data-dir", t.TempDir(), "trace", "--via", "globalping", "--api-url", base+"/v1",
		"-c", "3", "--json", "142.250.179.238")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if want := `{"type":"mtr","target":"142.250.179.238","limit":1,"measurementOptions":{"protocol":"ICMP","packets":3}}`; rp.Body()[0] != want {
		t.Errorf("request body %s, want %s", rp.Body()[0], want)
	}
	if !strings.Contains(errs, "its probes run the mtr (3 packets per hop)") {
		t.Errorf("stderr does not say mtr:\n%s", errs)
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Path == nil {
		t.Fatalf("report: %v", err)
	}
	var hop1, hop8 *report.PathHop
	for i := range rep.Path.Hops {
		switch rep.Path.Hops[i].TTL {
		case 1:
			hop1 = &rep.Path.Hops[i]
		case 8:
			hop8 = &rep.Path.Hops[i]
		}
	}
	if hop1 == nil || hop8 == nil {
		t.Fatalf("hops %+v", rep.Path.Hops)
	}
	if s := hop8.Stats; s == nil || s.Sent != 3 || s.Received != 3 || s.JitterMs == nil || *s.JitterMs != 8.2 || s.StdDevMs == nil || *s.StdDevMs != 1.5 {
		t.Errorf("hop 8 stats %+v", hop8.Stats)
	}
	if s := hop1.Stats; s == nil || s.Sent != 3 || s.Received != 1 || s.JitterMs != nil {
		t.Errorf("hop 1 stats %+v", hop1.Stats)
	}
}

// TestVantageFactsRecorded checks the expert facts of the recorded multi-probe RIPE Atlas measurements
// in every output format: one round of built-in measurement 1000157 from probes 319 and 426, which never
// reach their target, and measurement 3606560 from probes 12185 and 22880, which reach the same anycast
// instance at 19.0 and 40.1 ms.
func TestVantageFactsRecorded(t *testing.T) {
	for _, rec := range []string{atlasRecord, atlasData + "results-msm3606560-recorded.json"} {
		data, err := os.ReadFile(strings.TrimSuffix(rec, ".json") + ".facts")
		if err != nil {
			t.Fatal(err)
		}
		type fact struct{ kind, text string }
		var facts []fact
		for i, ln := range strings.Split(string(data), "\n") {
			if ln = strings.TrimSpace(ln); ln == "" || ln[0] == '#' {
				continue
			}
			kind, text, ok := strings.Cut(ln, ": ")
			if !ok || kind != "says" && kind != "never" && kind != "known-wrong" {
				t.Fatalf("%s facts line %d: %q: want says:, never: or known-wrong:", rec, i+1, ln)
			}
			facts = append(facts, fact{kind, text})
		}
		for _, format := range []string{"text", "markdown", "html", "json"} {
			t.Run(strings.TrimSuffix(rec[len(atlasData):], "-recorded.json")+"/"+format, func(t *testing.T) {
				code, out, errs := run(t, "", "analyze", "--format", format, rec)
				if code != ExitOK {
					t.Fatalf("exit %d: %s", code, errs)
				}
				words := flat(t, format, out)
				for _, f := range facts {
					has := strings.Contains(words, f.text)
					switch {
					case f.kind == "says" && !has:
						t.Errorf("does not say %q", f.text)
					case f.kind == "never" && has:
						t.Errorf("says %q, which is wrong", f.text)
					case f.kind == "known-wrong" && !has:
						t.Errorf("no longer says %q: make it a never: fact", f.text)
					case f.kind == "known-wrong":
						t.Logf("known wrong, still said: %q", f.text)
					}
				}
			})
		}
	}
}

// TestTraceViaErrors: what the API refuses becomes a clear error with the command's exit codes.
func TestTraceViaErrors(t *testing.T) {
	tests := []struct {
		name   string
		token  string
		steps  []apiStep
		args   []string
		code   int
		stderr []string
		served int
	}{
		{"rate limited beyond the wait", "", []apiStep{{Method: "POST", Path: gpCreate, Status: 429, Header: map[string]string{"Retry-After": "3600", "X-RateLimit-Remaining": "0", "X-Credits-Remaining": "0"}, File: gpData + "error-429-rate-limit.json"}},
			nil, ExitFailure, []string{"create globalping measurement: rate limited (HTTP 429): API rate limit exceeded.", "retry in 1h0m0s", "GLOBALPING_TOKEN"}, 1},
		{"bad token", "expired", []apiStep{{Method: "POST", Path: gpCreate, Status: 401, File: gpData + "error-401-unauthorized.json"}},
			nil, ExitFailure, []string{"Globalping refused the credentials from GLOBALPING_TOKEN", "Unauthorized."}, 1},
		{"no probes there", "", []apiStep{{Method: "POST", Path: gpCreate, Status: 422, File: gpData + "error-422-no-probes.json"}},
			nil, ExitBadInput, []string{"Globalping rejected the measurement", "no_probes_found"}, 1},
		{"malformed answer", "", []apiStep{gpAccepted, {Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-truncated.json"}},
			nil, ExitFailure, []string{"decode measurement PY5fMsREMmIq45VR at byte", "bytes kept"}, 2},
		{"--vantage without --via", "", nil, []string{"--vantage", "Paris"}, ExitBadInput, []string{"--vantage applies to --via"}, 0},
		{"unknown network", "", nil, []string{"--via", "nlnog"}, ExitBadInput, []string{`--via "nlnog"`}, 0},
		{"local flag with --via", "", nil, []string{"--via", "globalping", "--max-ttl", "9"}, ExitBadInput, []string{"--max-ttl steers this machine's probes"}, 0},
		{"mtr beyond 16 packets", "", nil, []string{"--via", "globalping", "-c", "17"}, ExitBadInput, []string{"-c 17 with --via globalping: want 1 to 16"}, 0},
		{"mtr on atlas", "", nil, []string{"--via", "atlas", "--vantage", "CN", "-c", "3"}, ExitBadInput, []string{"-c runs mtr, which RIPE Atlas does not offer"}, 0},
		{"atlas without a location", "", nil, []string{"--via", "atlas"}, ExitBadInput, []string{"--via atlas needs --vantage"}, 0},
		{"atlas without a key", "", nil, []string{"--via", "atlas", "--vantage", "CN"}, ExitBadInput, []string{"RIPE_ATLAS_KEY"}, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("GLOBALPING_TOKEN", tc.token)
			t.Setenv("RIPE_ATLAS_KEY", "")
			rp, base := newAPIReplay(t, tc.steps...)
			args := []string{"--data-dir", t.TempDir(), "trace", "--api-url", base + "/v1"}
			if tc.args == nil {
				args = append(args, "--via", "globalping", "--vantage", "Paris")
			} else {
				args = append(args[:3], tc.args...)
				if tc.steps != nil {
					args = append(args, "--api-url", base+"/v1")
				}
			}
			code, out, errs := run(t, "", append(args, "shop.example.com")...)
			if code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, errs)
			}
			if out != "" {
				t.Errorf("stdout not empty on error: %.200s", out)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr lacks %q:\n%s", w, errs)
				}
			}
			if rp.Served() != tc.served {
				t.Errorf("served %d answers, want %d", rp.Served(), tc.served)
			}
			if tc.token != "" && rp.Auth()[0] != "Bearer "+tc.token {
				t.Errorf("token sent as %q", rp.Auth()[0])
			}
		})
	}
}

// TestTraceViaAtlas: create, stopped, the recorded /latest/, then each probe's metadata (probe 319's
// from the documented shape, probe 426 gone), with the key from the data directory; the comparison
// reaches the recording's facts.
func TestTraceViaAtlas(t *testing.T) {
	t.Setenv("RIPE_ATLAS_KEY", "")
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/ripe-atlas-key", []byte("k3y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rp, base := newAPIReplay(t,
		apiStep{Method: "POST", Path: "/api/v2/measurements/", Status: 201, File: atlasData + "create-created.json"},
		apiStep{Method: "GET", Path: "/api/v2/measurements/1000157/", Status: 200, File: atlasData + "measurement-ongoing.json"},
		apiStep{Method: "GET", Path: "/api/v2/measurements/1000157/", Status: 200, File: atlasData + "measurement-stopped.json"},
		apiStep{Method: "GET", Path: "/api/v2/measurements/1000157/latest/", Status: 200, File: atlasRecord},
		apiStep{Method: "GET", Path: "/api/v2/probes/319/", Status: 404},
		apiStep{Method: "GET", Path: "/api/v2/probes/426/", Status: 404},
	)
	code, out, errs := run(t, "", "--data-dir", dir, "trace", "--via", "atlas", "--api-url", base+"/api/v2",
		"--vantage", "US", "--per-vantage", "2", "--method", "udp", "--json", "121.244.76.25")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if rp.Served() != 6 || rp.Auth()[0] != "Key k3y" {
		t.Errorf("served %d answers, auth %q", rp.Served(), rp.Auth()[0])
	}
	for _, w := range []string{"sends 121.244.76.25 and the locations \"US\" to " + strings.TrimPrefix(base, "http://") + " (RIPE Atlas, spending your credits): its probes run the traceroute",
		"RIPE Atlas probe 319", "RIPE Atlas probe 426", "inferred from its first hops"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	v := rep.Vantages
	if v == nil || len(v.Origins) != 2 || v.Differs || v.Shared != nil || !slices.Equal(v.SharedASNs, []uint32{6453}) {
		t.Fatalf("vantages %+v", v)
	}
	for i, want := range []struct {
		rtt    float64
		path   []uint32
		placed bool // probe 426's first hops' registries disagree (US, SE) at the same RTT: no place
	}{{271.775, []uint32{1909, 195, 2152, 3356, 6453}, true}, {198.423, []uint32{6939, 1299, 6453}, false}} {
		o := v.Origins[i]
		if o.Reached || !o.HasRTT || o.MinRTTMs != want.rtt || !slices.Equal(o.ASPath, want.path) || o.HasDistance ||
			o.Approximate != want.placed || (o.Place != nil) != want.placed {
			t.Errorf("origin %d: %+v", i, o)
		}
	}
	if !strings.Contains(v.Summary, "which is slower is unknown") {
		t.Errorf("summary %q", v.Summary)
	}
}

// TestAnalyzeMeasurement: a saved multi-probe measurement is compared the same way; --from-location
// turns the comparison off and judges every trace from the one place given.
func TestAnalyzeMeasurement(t *testing.T) {
	code, out, errs := run(t, "", "analyze", "--json", atlasRecord)
	var rep report.Report
	if code != ExitOK || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if v := rep.Vantages; v == nil || len(v.Origins) != 2 || rep.Paths[0].Meta["prb_id"] != "319" {
		t.Errorf("vantages %+v", v)
	}
	code, out, errs = run(t, "", "analyze", "--json", "--from-location", "San Diego", atlasRecord)
	rep = report.Report{}
	if code != ExitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Vantages != nil || len(rep.Paths) != 2 {
		t.Errorf("exit %d, vantages %v: %s", code, rep.Vantages, errs)
	}
}

// TestInvestigateVia: investigate --via traces each host from the network's probes and compares them,
// telling first what is sent to whom; the host's line carries the comparison's summary.
func TestInvestigateVia(t *testing.T) {
	t.Setenv("GLOBALPING_TOKEN", "")
	for _, format := range []string{"json", "text"} {
		t.Run(format, func(t *testing.T) {
			rp, base := newAPIReplay(t, gpAccepted, gpInProgress, gpFinished)
			code, out, errs := run(t, "", "--data-dir", t.TempDir(), "investigate", "--via", "globalping", "--api-url", base+"/v1",
				"--vantage", "London", "--vantage", "Sydney", "--no-history", "--format", format, "203.0.113.7:8443")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			host := strings.TrimPrefix(base, "http://")
			if want := `hopscope: sends the host name 203.0.113.7 and the locations "London", "Sydney" to ` + host + " (Globalping): its probes run the tcp traceroute"; !strings.Contains(errs, want) {
				t.Errorf("stderr does not say what is sent to whom:\n%s", errs)
			}
			if want := `{"type":"traceroute","target":"203.0.113.7","locations":[{"magic":"London","limit":1},{"magic":"Sydney","limit":1}],"measurementOptions":{"protocol":"TCP","port":8443}}`; rp.Served() != 3 || rp.Body()[0] != want {
				t.Errorf("served %d, body %s\nwant %s", rp.Served(), rp.Body()[0], want)
			}
			summary := "fewer than two origins measured an RTT, so which is slower is unknown"
			if format == "json" {
				var rep report.Report
				if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Investigation == nil || len(rep.Investigation.Hosts) != 1 {
					t.Fatalf("report: %v", err)
				}
				h := rep.Investigation.Hosts[0]
				if h.Vantages == nil || len(h.Vantages.Origins) != 2 || !strings.Contains(h.Why, summary) || h.Path == nil || len(h.Path.Hops) == 0 {
					t.Errorf("host %+v", h)
				}
				return
			}
			if !strings.Contains(flat(t, format, out), "which is slower is unknown") {
				t.Errorf("text output lacks the comparison:\n%s", out)
			}
		})
	}
	code, _, errs := run(t, "", "investigate", "--via", "globalping", "--max-ttl", "9", "203.0.113.7")
	if code != ExitBadInput || !strings.Contains(errs, "--max-ttl steers this machine's probes") {
		t.Errorf("local flag with --via: exit %d: %s", code, errs)
	}
}

// TestTraceViaKeepsPartial: a malformed answer after a partial one ends the polling with a clear
// warning, and the partial results already received are reported, not lost.
func TestTraceViaKeepsPartial(t *testing.T) {
	t.Setenv("GLOBALPING_TOKEN", "")
	rp, base := newAPIReplay(t, gpAccepted, apiStep{Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-partial.json"},
		apiStep{Method: "GET", Path: gpGet, Status: 200, File: gpData + "measurement-truncated.json"})
	code, out, errs := run(t, "", "--data-dir", t.TempDir(), "trace", "--via", "globalping", "--api-url", base+"/v1",
		"--json", "cdn.jsdelivr.net")
	if code != ExitOK || rp.Served() != 3 {
		t.Fatalf("exit %d, served %d: %s", code, rp.Served(), errs)
	}
	for _, w := range []string{"hopscope: warning: decode measurement PY5fMsREMmIq45VR at byte", "reporting the partial results"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil || rep.Path == nil || len(rep.Path.Hops) == 0 ||
		rep.Path.Meta["globalping_status"] != "in-progress" {
		t.Fatalf("partial report: %v %+v", err, rep.Path)
	}
}
