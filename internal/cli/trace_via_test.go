package cli

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"

	"hopscope/internal/report"
)

// apiStep is one scripted answer of the loopback API: the request it expects and what it answers.
type apiStep struct {
	method, path string
	status       int
	header       map[string]string
	file         string // "" for an empty body
}

// apiReplay serves steps in order on loopback, records what was sent, and fails the test on any other request.
type apiReplay struct {
	t     *testing.T
	mu    sync.Mutex
	steps []apiStep
	n     int
	auth  []string
	body  []string
}

func newAPIReplay(t *testing.T, steps ...apiStep) (*apiReplay, string) {
	r := &apiReplay{t: t, steps: steps}
	srv := httptest.NewServer(r)
	t.Cleanup(srv.Close)
	return r, srv.URL
}

func (r *apiReplay) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	defer r.mu.Unlock()
	b, _ := io.ReadAll(req.Body)
	r.auth = append(r.auth, req.Header.Get("Authorization"))
	r.body = append(r.body, string(b))
	if r.n >= len(r.steps) {
		r.t.Errorf("unscripted request %s %s", req.Method, req.URL.Path)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	s := r.steps[r.n]
	r.n++
	if req.Method != s.method || req.URL.Path != s.path {
		r.t.Errorf("request %d: %s %s, want %s %s", r.n, req.Method, req.URL.Path, s.method, s.path)
	}
	for k, v := range s.header {
		w.Header().Set(k, v)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(s.status)
	if s.file != "" {
		data, err := os.ReadFile(s.file)
		if err != nil {
			r.t.Error(err)
		}
		w.Write(data)
	}
}

func (r *apiReplay) served() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

const (
	gpData     = "../globalping/testdata/"
	atlasData  = "../atlas/testdata/"
	vantageRec = "../report/testdata/globalping-vantages.json"
	gpCreate   = "/v1/measurements"
	gpGet      = "/v1/measurements/PY5fMsREMmIq45VR"
)

var (
	gpAccepted   = apiStep{"POST", gpCreate, 202, nil, gpData + "create-accepted.json"}
	gpInProgress = apiStep{"GET", gpGet, 200, nil, "../report/testdata/globalping-vantages-in-progress.json"}
	gpFinished   = apiStep{"GET", gpGet, 200, nil, vantageRec}
)

// TestTraceViaGlobalping runs the whole command against a loopback API: create, in progress,
// finished, then the analysed comparison, in every output format.
func TestTraceViaGlobalping(t *testing.T) {
	t.Setenv("GLOBALPING_TOKEN", "")
	for _, format := range []string{"text", "json", "markdown", "html"} {
		t.Run(format, func(t *testing.T) {
			rp, base := newAPIReplay(t, gpAccepted, gpInProgress, gpFinished)
			code, out, errs := run(t, "", "--data-dir", t.TempDir(), "trace", "--via", "globalping", "--api-url", base+"/v1",
				"--vantage", "Shenzhen, CN", "--vantage", "Paris", "--per-vantage", "2", "--format", format, "shop.example.com")
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, errs)
			}
			if rp.served() != 3 {
				t.Errorf("served %d of 3 answers", rp.served())
			}
			host := strings.TrimPrefix(base, "http://")
			if want := `hopscope: sends shop.example.com and the locations "Shenzhen, CN", "Paris" to ` + host + " (Globalping)"; !strings.Contains(errs, want) {
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
			if err := json.Unmarshal([]byte(rp.body[0]), &sent); err != nil || sent.Type != "traceroute" || sent.Target != "shop.example.com" ||
				len(sent.Locations) != 2 || sent.Locations[0].Magic != "Shenzhen, CN" || sent.Locations[1].Limit != 2 {
				t.Errorf("request body %s (%v)", rp.body[0], err)
			}
			if rp.auth[0] != "" {
				t.Errorf("anonymous run sent Authorization %q", rp.auth[0])
			}
			if format == "json" {
				var rep report.Report
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatal(err)
				}
				v := rep.Vantages
				if v == nil || len(rep.Paths) != 3 || v.Slowest != 0 || v.Fastest != 1 || v.Origins[0].Stretch != 2.9 || v.Shared == nil {
					t.Fatalf("comparison %+v", v)
				}
				return
			}
			out = strings.NewReplacer("&#39;", "'", "&amp;", "&", "&gt;", ">").Replace(out)
			for _, want := range []string{"slow from Shenzhen, CN (264.9 ms), not from Paris, FR (9.6 ms), because", "2.9× that", "not measured (probe offline)"} {
				if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
					t.Errorf("%s output lacks %q", format, want)
				}
			}
		})
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
		{"rate limited beyond the wait", "", []apiStep{{"POST", gpCreate, 429,
			map[string]string{"Retry-After": "3600", "X-RateLimit-Remaining": "0", "X-Credits-Remaining": "0"}, gpData + "error-429-rate-limit.json"}},
			nil, ExitFailure, []string{"create globalping measurement: rate limited (HTTP 429): API rate limit exceeded.", "retry in 1h0m0s", "GLOBALPING_TOKEN"}, 1},
		{"bad token", "expired", []apiStep{{"POST", gpCreate, 401, nil, gpData + "error-401-unauthorized.json"}},
			nil, ExitFailure, []string{"Globalping refused the credentials from GLOBALPING_TOKEN", "Unauthorized."}, 1},
		{"no probes there", "", []apiStep{{"POST", gpCreate, 422, nil, gpData + "error-422-no-probes.json"}},
			nil, ExitBadInput, []string{"Globalping rejected the measurement", "no_probes_found"}, 1},
		{"malformed answer", "", []apiStep{gpAccepted, {"GET", gpGet, 200, nil, gpData + "measurement-truncated.json"}},
			nil, ExitFailure, []string{"decode measurement PY5fMsREMmIq45VR at byte", "bytes kept"}, 2},
		{"--vantage without --via", "", nil, []string{"--vantage", "Paris"}, ExitBadInput, []string{"--vantage applies to --via"}, 0},
		{"unknown network", "", nil, []string{"--via", "nlnog"}, ExitBadInput, []string{`--via "nlnog"`}, 0},
		{"local flag with --via", "", nil, []string{"--via", "globalping", "--max-ttl", "9"}, ExitBadInput, []string{"--max-ttl steers this machine's probes"}, 0},
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
			if rp.served() != tc.served {
				t.Errorf("served %d answers, want %d", rp.served(), tc.served)
			}
			if tc.token != "" && rp.auth[0] != "Bearer "+tc.token {
				t.Errorf("token sent as %q", rp.auth[0])
			}
		})
	}
}

// TestTraceViaAtlas: create, stopped, /latest/, then each probe's metadata (one missing), with the
// key from the data directory; the probe's coordinates are flagged obfuscated.
func TestTraceViaAtlas(t *testing.T) {
	t.Setenv("RIPE_ATLAS_KEY", "")
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/ripe-atlas-key", []byte("k3y\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	rp, base := newAPIReplay(t,
		apiStep{"POST", "/api/v2/measurements/", 201, nil, atlasData + "create-created.json"},
		apiStep{"GET", "/api/v2/measurements/1000157/", 200, nil, atlasData + "measurement-stopped.json"},
		apiStep{"GET", "/api/v2/measurements/1000157/latest/", 200, nil, atlasData + "latest-two-probes.json"},
		apiStep{"GET", "/api/v2/probes/190/", 200, nil, atlasData + "probe-190.json"},
		apiStep{"GET", "/api/v2/probes/394/", 404, nil, ""},
	)
	code, out, errs := run(t, "", "--data-dir", dir, "trace", "--via", "atlas", "--api-url", base+"/api/v2",
		"--vantage", "AS7922", "--per-vantage", "2", "--method", "udp", "--json", "121.244.76.25")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if rp.served() != 5 || rp.auth[0] != "Key k3y" {
		t.Errorf("served %d answers, auth %q", rp.served(), rp.auth[0])
	}
	for _, w := range []string{"sends 121.244.76.25 and the locations \"AS7922\" to " + strings.TrimPrefix(base, "http://") + " (RIPE Atlas, spending your credits)",
		"RIPE Atlas probe 394", "inferred from its first hops"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	var rep report.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Vantages == nil || len(rep.Vantages.Origins) != 2 {
		t.Fatalf("vantages %+v", rep.Vantages)
	}
	o := rep.Vantages.Origins[0]
	if o.Place == nil || o.Place.Source != "RIPE Atlas probe (coordinates obfuscated)" || !o.Approximate || o.ASN != 7922 || o.Place.Country != "US" {
		t.Errorf("probe 190 origin %+v place %+v", o, o.Place)
	}
}

// TestAnalyzeMeasurement: a saved multi-probe measurement is compared the same way; --from-location
// turns the comparison off and judges every trace from the one place given.
func TestAnalyzeMeasurement(t *testing.T) {
	code, out, errs := run(t, "", "analyze", "--json", vantageRec)
	var rep report.Report
	if code != ExitOK || json.Unmarshal([]byte(out), &rep) != nil {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if v := rep.Vantages; v == nil || v.Origins[v.Slowest].Label != "Shenzhen, CN" || rep.Paths[0].Findings.Source.Place.Source != "globalping probe" {
		t.Errorf("vantages %+v", v)
	}
	code, out, errs = run(t, "", "analyze", "--json", "--from-location", "Paris", vantageRec)
	rep = report.Report{}
	if code != ExitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Vantages != nil || len(rep.Paths) != 3 {
		t.Errorf("exit %d, vantages %v: %s", code, rep.Vantages, errs)
	}
}
