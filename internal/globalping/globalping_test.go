package globalping

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"hopscope/internal/measureapi"
	"hopscope/internal/measureapi/apireplay"
)

// step is one scripted answer of the loopback API (files under testdata).
type step = apireplay.Step

func newReplay(t *testing.T, steps ...step) *apireplay.Server {
	return apireplay.New(t, "testdata", steps...)
}

// sleeps records the pauses a client asked for instead of sleeping.
type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return nil
}

const (
	create = "/v1/measurements"
	get    = "/v1/measurements/PY5fMsREMmIq45VR"
)

var (
	accepted   = step{Method: "POST", Path: create, Status: 202, Header: map[string]string{"Location": "/v1/measurements/PY5fMsREMmIq45VR", "X-RateLimit-Remaining": "249"}, File: "create-accepted.json"}
	inProgress = step{Method: "GET", Path: get, Status: 200, File: "measurement-in-progress.json"}
	partial    = step{Method: "GET", Path: get, Status: 200, File: "measurement-partial.json"}
	finished   = step{Method: "GET", Path: get, Status: 200, File: "measurement-finished.json"}
)

func TestRun(t *testing.T) {
	tests := []struct {
		name      string
		token     string
		steps     []step
		wantErr   func(error) bool
		wantSleep []time.Duration
		wantLast  string // status of the measurement returned (with or without an error); "" for none
		wantSeen  int    // states passed to progress
	}{
		{"accepted, in progress, partial, finished", "", []step{accepted, inProgress, partial, finished}, nil,
			[]time.Duration{500 * time.Millisecond, 500 * time.Millisecond}, StatusFinished, 3},
		{"token sent, finished at once", "s3cret", []step{accepted, finished}, nil, nil, StatusFinished, 1},
		{"429 with Retry-After is waited out", "", []step{
			{Method: "POST", Path: create, Status: 429, Header: map[string]string{"Retry-After": "3", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "40"}, File: "error-429-rate-limit.json"},
			accepted, finished}, nil, []time.Duration{3 * time.Second}, StatusFinished, 1},
		{"429 without Retry-After waits X-RateLimit-Reset", "", []step{
			{Method: "POST", Path: create, Status: 429, Header: map[string]string{"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "5"}, File: "error-429-rate-limit.json"},
			accepted, finished}, nil, []time.Duration{5 * time.Second}, StatusFinished, 1},
		{"429 longer than MaxWait is returned", "", []step{
			{Method: "POST", Path: create, Status: 429, Header: map[string]string{"X-RateLimit-Remaining": "1", "X-RateLimit-Reset": "3000", "X-Credits-Remaining": "0"}, File: "error-429-rate-limit.json"}},
			func(err error) bool {
				var rl *RateLimitError
				return errors.As(err, &rl) && rl.Wait == 3000*time.Second && rl.Remaining == 1 && rl.Credits == 0 &&
					strings.Contains(err.Error(), "API rate limit exceeded.")
			}, nil, "", 0},
		{"bad token", "expired", []step{{Method: "POST", Path: create, Status: 401, File: "error-401-unauthorized.json"}},
			func(err error) bool {
				return errors.Is(err, ErrBadToken) && strings.Contains(err.Error(), "Unauthorized.")
			}, nil, "", 0},
		{"no probes in that location", "", []step{{Method: "POST", Path: create, Status: 422, File: "error-422-no-probes.json"}},
			func(err error) bool {
				var ae *APIError
				return errors.As(err, &ae) && ae.Type == "no_probes_found" && !errors.Is(err, ErrBadToken)
			}, nil, "", 0},
		{"malformed JSON keeps the partial state and the body", "", []step{accepted, partial, {Method: "GET", Path: get, Status: 200, File: "measurement-truncated.json"}},
			func(err error) bool {
				var de *DecodeError
				return errors.As(err, &de) && strings.Contains(err.Error(), "decode measurement PY5fMsREMmIq45VR") &&
					len(de.Body) > 100 && de.Offset == int64(len(de.Body))
			}, []time.Duration{500 * time.Millisecond}, StatusInProgress, 1},
		{"a probe offline still finishes", "", []step{accepted, {Method: "GET", Path: get, Status: 200, File: "measurement-one-probe-offline.json"}}, nil, nil, StatusFinished, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := newReplay(t, tc.steps...)
			var sl sleeps
			c := New(Config{HTTP: measureapi.HTTP{BaseURL: rp.URL + "/v1", Sleep: sl.sleep}, Token: tc.token})
			seen := 0
			m, err := c.Run(context.Background(), Request{Type: "traceroute", Target: "cdn.jsdelivr.net", Locations: []string{"Sydney"}},
				func(*Measurement) { seen++ })
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && (err == nil || !tc.wantErr(err)) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			rp.Done(t)
			if got := ""; m != nil {
				got = m.Status
				if got != tc.wantLast {
					t.Errorf("last status %q, want %q", got, tc.wantLast)
				}
				if len(m.Raw) == 0 || m.ID != "PY5fMsREMmIq45VR" && m.ID != "MH97NFzqirjA9NZZ" && m.ID != "hopscopeSample01" {
					t.Errorf("measurement %q with %d raw bytes", m.ID, len(m.Raw))
				}
			} else if tc.wantLast != "" {
				t.Errorf("no measurement, want status %q", tc.wantLast)
			}
			if seen != tc.wantSeen {
				t.Errorf("progress saw %d states, want %d", seen, tc.wantSeen)
			}
			if len(sl.got) != len(tc.wantSleep) {
				t.Fatalf("slept %v, want %v", sl.got, tc.wantSleep)
			}
			for i := range sl.got {
				if sl.got[i] != tc.wantSleep[i] {
					t.Errorf("sleep %d = %v, want %v", i, sl.got[i], tc.wantSleep[i])
				}
			}
			want := ""
			if tc.token != "" {
				want = "Bearer " + tc.token
			}
			for i, a := range rp.Auth() {
				if a != want {
					t.Errorf("request %d Authorization %q, want %q", i+1, a, want)
				}
			}
		})
	}
}

// TestRunMTR: an mtr measurement, accepted, in progress with its first hops, then finished with the
// recorded Globalping-probe mtr result; the request asks for the packets per hop.
func TestRunMTR(t *testing.T) {
	rp := newReplay(t, accepted, step{Method: "GET", Path: get, Status: 200, File: "measurement-mtr-in-progress.json"},
		step{Method: "GET", Path: get, Status: 200, File: "measurement-mtr-recorded.json"})
	var sl sleeps
	c := New(Config{HTTP: measureapi.HTTP{BaseURL: rp.URL + "/v1", Sleep: sl.sleep}})
	var states []int // results' byte sizes as they grow
	m, err := c.Run(context.Background(), Request{Type: "mtr", Target: "142.250.179.238", Packets: 3},
		func(m *Measurement) { states = append(states, len(m.Raw)) })
	if err != nil || m.Status != StatusFinished || m.Probes != 1 || !bytes.Contains(m.Raw, []byte(`"jAvg": 8.2`)) {
		t.Fatalf("Run = %+v, %v", m, err)
	}
	rp.Done(t)
	if want := `{"type":"mtr","target":"142.250.179.238","measurementOptions":{"packets":3}}`; rp.Body()[0] != want {
		t.Errorf("body %s, want %s", rp.Body()[0], want)
	}
	if len(states) != 2 || states[0] >= states[1] || len(sl.got) != 1 || sl.got[0] != 500*time.Millisecond {
		t.Errorf("states %v, sleeps %v", states, sl.got)
	}
}

// TestRequestBody pins the JSON sent for a request, as the OpenAPI MeasurementRequest describes it.
func TestRequestBody(t *testing.T) {
	tests := []struct {
		name string
		req  Request
		want string
	}{
		{"locations carry the limit", Request{Type: "traceroute", Target: "example.com", Locations: []string{"Shenzhen, CN", "Paris"}, Limit: 3, Protocol: "tcp", Port: 443},
			`{"type":"traceroute","target":"example.com","locations":[{"magic":"Shenzhen, CN","limit":3},{"magic":"Paris","limit":3}],"measurementOptions":{"protocol":"TCP","port":443}}`},
		{"no location: global limit", Request{Type: "mtr", Target: "192.0.2.1", Limit: 2, Packets: 5},
			`{"type":"mtr","target":"192.0.2.1","limit":2,"measurementOptions":{"packets":5}}`},
		{"packets ignored for traceroute", Request{Type: "traceroute", Target: "example.com", Packets: 5},
			`{"type":"traceroute","target":"example.com"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := newReplay(t, accepted)
			c := New(Config{HTTP: measureapi.HTTP{BaseURL: rp.URL + "/v1/", Sleep: (&sleeps{}).sleep}})
			id, n, err := c.Create(context.Background(), tc.req)
			if err != nil || id != "PY5fMsREMmIq45VR" || n != 1 {
				t.Fatalf("Create = %q, %d, %v", id, n, err)
			}
			if rp.Body()[0] != tc.want {
				t.Errorf("body\n got %s\nwant %s", rp.Body()[0], tc.want)
			}
		})
	}
	for _, bad := range []Request{{Type: "ping", Target: "x"}, {Type: "mtr"}} {
		if _, _, err := New(Config{HTTP: measureapi.HTTP{BaseURL: "http://127.0.0.1:1"}}).Create(context.Background(), bad); err == nil {
			t.Errorf("Create(%+v) sent a bad request", bad)
		}
	}
}

// TestAwaitBounded: a measurement that never finishes stops after MaxPolls, returning the last state.
func TestAwaitBounded(t *testing.T) {
	rp := newReplay(t, inProgress, inProgress, inProgress)
	c := New(Config{HTTP: measureapi.HTTP{BaseURL: rp.URL + "/v1", Sleep: (&sleeps{}).sleep}, MaxPolls: 3})
	m, err := c.Await(context.Background(), "PY5fMsREMmIq45VR", nil)
	if err == nil || !strings.Contains(err.Error(), "after 3 polls") || m == nil || m.Status != StatusInProgress {
		t.Fatalf("Await = %+v, %v", m, err)
	}
	rp.Done(t)
}

func TestToken(t *testing.T) {
	dir := t.TempDir()
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == TokenEnv {
				return v
			}
			return ""
		}
	}
	if tok, err := Token(env(""), dir); tok != "" || err != nil {
		t.Errorf("no token anywhere: %q, %v", tok, err)
	}
	if err := os.WriteFile(filepath.Join(dir, TokenFile), []byte("  from-file \nignored\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if tok, _ := Token(env(""), dir); tok != "from-file" {
		t.Errorf("file token %q", tok)
	}
	if tok, _ := Token(env(" from-env "), dir); tok != "from-env" {
		t.Errorf("environment token %q (the environment wins)", tok)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub", TokenFile), 0o700); err != nil {
		t.Fatal(err)
	}
	if _, err := Token(env(""), filepath.Join(dir, "sub")); err == nil {
		t.Errorf("an unreadable token file (a directory) is not an error")
	}
}
