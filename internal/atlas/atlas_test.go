package atlas

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
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

type sleeps struct{ got []time.Duration }

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.got = append(s.got, d)
	return nil
}

var (
	created = step{Method: "POST", Path: "/api/v2/measurements/", Status: 201, File: "create-created.json"}
	ongoing = step{Method: "GET", Path: "/api/v2/measurements/1000157/", Status: 200, File: "measurement-ongoing.json"}
	stopped = step{Method: "GET", Path: "/api/v2/measurements/1000157/", Status: 200, File: "measurement-stopped.json"}
	latest  = step{Method: "GET", Path: "/api/v2/measurements/1000157/latest/", Status: 200, File: "latest-msm1000157-recorded.json"}
)

// TestMeasure runs create → status polls → latest against scripted answers.
func TestMeasure(t *testing.T) {
	tests := []struct {
		name      string
		steps     []step
		wantErr   func(error) bool
		wantSleep []time.Duration
	}{
		{"created, ongoing, stopped, latest", []step{created, ongoing, ongoing, stopped, latest}, nil, []time.Duration{10 * time.Second, 10 * time.Second}},
		{"429 with Retry-After waited out", []step{{Method: "POST", Path: "/api/v2/measurements/", Status: 429, Header: map[string]string{"Retry-After": "7"}}, created, stopped, latest}, nil,
			[]time.Duration{7 * time.Second}},
		{"429 beyond MaxWait returned", []step{{Method: "POST", Path: "/api/v2/measurements/", Status: 429, Header: map[string]string{"Retry-After": "3600"}}},
			func(err error) bool { var rl *RateLimitError; return errors.As(err, &rl) && rl.Wait == time.Hour }, nil},
		{"bad key", []step{{Method: "POST", Path: "/api/v2/measurements/", Status: 403, File: "error-403-bad-key.json"}},
			func(err error) bool { return errors.Is(err, ErrBadKey) && strings.Contains(err.Error(), "Forbidden") }, nil},
		{"invalid field named", []step{{Method: "POST", Path: "/api/v2/measurements/", Status: 400, File: "error-400-bad-request.json"}},
			func(err error) bool {
				var ae *APIError
				return errors.As(err, &ae) && ae.Fields["/definitions/0/target"] == "This field is required." && !errors.Is(err, ErrBadKey)
			}, nil},
		{"malformed latest keeps the body", []step{created, stopped, {Method: "GET", Path: "/api/v2/measurements/1000157/latest/", Status: 200, File: "latest-truncated.json"}},
			func(err error) bool {
				var de *DecodeError
				return errors.As(err, &de) && len(de.Body) == 600 && strings.Contains(err.Error(), "latest results of measurement 1000157 at byte 600")
			}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rp := newReplay(t, tc.steps...)
			var sl sleeps
			c := New(Config{HTTP: measureapi.HTTP{BaseURL: rp.URL + "/api/v2", Sleep: sl.sleep}, Key: "k3y"})
			ctx := context.Background()
			err := func() error {
				src, err := ParseSource("AS7922", 2)
				if err != nil {
					return err
				}
				id, err := c.Create(ctx, Request{Target: "121.244.76.25", Sources: []Source{src}})
				if err != nil {
					return err
				}
				if id != 1000157 {
					t.Errorf("id %d", id)
				}
				st, err := c.Await(ctx, id, nil)
				if err != nil {
					return err
				}
				if st.Name != "Stopped" || st.Probes != 2 {
					t.Errorf("status %+v", st)
				}
				raw, err := c.Latest(ctx, id)
				if err == nil && !strings.HasPrefix(string(raw), `{"426": [{"af":4,"dst_addr":"121.244.76.25"`) {
					t.Errorf("latest not passed through: %.40s", raw)
				}
				return err
			}()
			if tc.wantErr == nil && err != nil || tc.wantErr != nil && (err == nil || !tc.wantErr(err)) {
				t.Fatalf("err = %v (%T)", err, err)
			}
			rp.Done(t)
			if len(sl.got) != len(tc.wantSleep) || len(sl.got) > 0 && sl.got[0] != tc.wantSleep[0] {
				t.Errorf("slept %v, want %v", sl.got, tc.wantSleep)
			}
			for _, a := range rp.Auth() {
				if a != "Key k3y" {
					t.Errorf("Authorization %q", a)
				}
			}
			if want := `{"definitions":[{"target":"121.244.76.25","description":"hopscope traceroute to 121.244.76.25","type":"traceroute","af":4,"protocol":"ICMP"}],"probes":[{"type":"asn","value":"7922","requested":2}],"is_oneoff":true}`; rp.Body()[0] != want {
				t.Errorf("create body\n got %s\nwant %s", rp.Body()[0], want)
			}
		})
	}
}

// TestProbe reads probe metadata: the answer ripe-atlas-cousteau replays, and one written after the
// documented shape.
func TestProbe(t *testing.T) {
	tests := []struct {
		name string
		id   int
		file string
		want Probe
	}{
		{"cousteau's probe 1", 1, "probe-1-cousteau.json",
			Probe{ID: 1, Country: "ND", ASNv4: 68, Lat: 52.3875, Lon: 4.8875, OK: true, Obfuscated: true, Status: "Connected"}},
		{"probe 190", 190, "probe-190.json",
			Probe{ID: 190, Country: "US", ASNv4: 7922, Lat: 42.3605, Lon: -71.0595, OK: true, Obfuscated: true, Status: "Connected"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newReplay(t, step{Method: "GET", Path: "/api/v2/probes/" + strconv.Itoa(tc.id) + "/", Status: 200, File: tc.file})
			p, err := New(Config{HTTP: measureapi.HTTP{BaseURL: srv.URL + "/api/v2"}}).Probe(context.Background(), tc.id)
			if err != nil || p != tc.want {
				t.Errorf("probe %+v, %v; want %+v", p, err, tc.want)
			}
		})
	}
}

// TestStatusOfCousteauMeasurement reads the stopped measurement cousteau replays (an HTTP one-off,
// with no participant_count): final, probes unknown.
func TestStatusOfCousteauMeasurement(t *testing.T) {
	srv := newReplay(t, step{Method: "GET", Path: "/api/v2/measurements/2310448/", Status: 200, File: "measurement-2310448-stopped-cousteau.json"})
	st, err := New(Config{HTTP: measureapi.HTTP{BaseURL: srv.URL + "/api/v2"}}).Status(context.Background(), 2310448)
	if err != nil || st != (Status{ID: 4, Name: "Stopped", Probes: -1}) || !st.Done() {
		t.Errorf("status %+v, %v", st, err)
	}
}

func TestParseSource(t *testing.T) {
	tests := []struct {
		in   string
		want Source
		bad  bool
	}{
		{"cn", Source{"country", "CN", 3}, false},
		{"AS4134", Source{"asn", "4134", 3}, false},
		{"6001,6002,6003,6004", Source{"probes", "6001,6002,6003,6004", 4}, false},
		{"west", Source{"area", "West", 3}, false},
		{"Shenzhen, CN", Source{}, true},
		{"", Source{}, true},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			got, err := ParseSource(tc.in, 3)
			if (err != nil) != tc.bad || got != tc.want {
				t.Errorf("ParseSource(%q) = %+v, %v", tc.in, got, err)
			}
		})
	}
}

func TestKey(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), []byte("file-key\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if k, err := Key(getenv, dir); k != "file-key" || err != nil {
		t.Errorf("file: %q %v", k, err)
	}
	env[KeyEnv] = "env-key"
	if k, _ := Key(getenv, dir); k != "env-key" {
		t.Errorf("environment: %q", k)
	}
	if k, err := Key(func(string) string { return "" }, t.TempDir()); k != "" || err != nil {
		t.Errorf("none: %q %v", k, err)
	}
}
