// Package atlas starts one-off traceroute measurements on RIPE Atlas and reads their latest results and
// the metadata of the probes that ran them, over the Atlas REST API (v2).
//
// Creating a measurement needs an API key with the create permission and spends credits; the target
// and the probe selection go to the API's host, which callers must tell the user. Results come back as
// Atlas's own JSON (/latest/, keyed by probe), which tracefile's "ripe-atlas" importer reads. Probe
// coordinates from Atlas are always obfuscated by 80 to 400 m (Probe.Obfuscated says so).
package atlas

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/measureapi"
)

// DefaultBaseURL is the public API; Config.BaseURL overrides it.
const DefaultBaseURL = "https://atlas.ripe.net/api/v2"

// KeyEnv is the environment variable holding an Atlas API key; KeyFile is the file in the data
// directory read when the variable is unset.
const (
	KeyEnv  = "RIPE_ATLAS_KEY"
	KeyFile = "ripe-atlas-key"
)

// ErrBadKey is matched (errors.Is) by an *APIError for 401 or 403: no key, a key without the
// permission, or one that does not exist or has expired (Atlas answers 403 for all of these).
var ErrBadKey = errors.New("the API refused the key")

// Config configures a Client. The zero value reads public data anonymously; creating needs Key.
type Config struct {
	// HTTP is the base URL (DefaultBaseURL when empty), HTTP client, clock, user agent and longest
	// Retry-After honoured on a 429, with measureapi's defaults.
	measureapi.HTTP
	// Key is sent as "Authorization: Key <key>"; "" means anonymous.
	Key string
	// PollInterval is the pause between status polls; 0 means 10 s (one-offs take minutes).
	PollInterval time.Duration
	// MaxPolls bounds the status polls; 0 means 90 (15 minutes at 10 s).
	MaxPolls int
}

// Client talks to the RIPE Atlas API.
type Client struct{ cfg Config }

// New returns a client for cfg with its defaults filled in.
func New(cfg Config) *Client {
	cfg.HTTP = cfg.HTTP.WithDefaults(DefaultBaseURL)
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 10 * time.Second
	}
	if cfg.MaxPolls == 0 {
		cfg.MaxPolls = 90
	}
	return &Client{cfg: cfg}
}

// Host returns the host the client sends to, for telling the user where the target goes.
func (c *Client) Host() string { return c.cfg.Host() }

// Source is one probe selection ("probes" in the create request).
type Source struct {
	// Type is "area", "country", "asn", "prefix", "probes" or "msm".
	Type  string `json:"type"`
	Value string `json:"value"`
	// Requested is the number of probes wanted; 0 is sent as 1.
	Requested int `json:"requested"`
}

// ParseSource reads a location as a user types it: "CN" (a country code), "AS4134" (an ASN),
// "6001,6002" (probe ids), "WW", "West", "North-Central", "South-Central", "North-East" or "South-East"
// (Atlas areas). Anything else is an error: Atlas has no free-text place names.
func ParseSource(s string, requested int) (Source, error) {
	s = strings.TrimSpace(s)
	switch {
	case len(s) == 2 && isLetters(s):
		return Source{Type: "country", Value: strings.ToUpper(s), Requested: requested}, nil
	case len(s) > 2 && strings.EqualFold(s[:2], "AS") && isDigits(s[2:]):
		return Source{Type: "asn", Value: s[2:], Requested: requested}, nil
	case s != "" && isDigits(strings.ReplaceAll(s, ",", "")):
		return Source{Type: "probes", Value: s, Requested: max(requested, strings.Count(s, ",")+1)}, nil
	}
	for _, a := range []string{"WW", "West", "North-Central", "South-Central", "North-East", "South-East"} {
		if strings.EqualFold(s, a) {
			return Source{Type: "area", Value: a, Requested: requested}, nil
		}
	}
	return Source{}, fmt.Errorf("atlas location %q: want a country code (CN), an ASN (AS4134), probe ids (6001,6002) or an area (WW, West, North-Central, South-Central, North-East, South-East)", s)
}

// Request is one one-off traceroute to create.
type Request struct {
	Target string
	// AF is 4 or 6; 0 means 4.
	AF int
	// Protocol is "ICMP", "UDP" or "TCP"; "" means ICMP.
	Protocol string
	// Port is the TCP destination port; 0 means Atlas's default.
	Port    int
	Sources []Source
	// Description names the measurement on Atlas; "" means "hopscope traceroute to <target>".
	Description string
}

func (r Request) body() ([]byte, error) {
	if strings.TrimSpace(r.Target) == "" {
		return nil, errors.New("measurement without a target")
	}
	if len(r.Sources) == 0 {
		return nil, errors.New("measurement without a probe selection")
	}
	af := r.AF
	if af == 0 {
		af = 4
	}
	proto := strings.ToUpper(r.Protocol)
	if proto == "" {
		proto = "ICMP"
	}
	desc := r.Description
	if desc == "" {
		desc = "hopscope traceroute to " + r.Target
	}
	type def struct {
		Target      string `json:"target"`
		Description string `json:"description"`
		Type        string `json:"type"`
		AF          int    `json:"af"`
		Protocol    string `json:"protocol"`
		Port        int    `json:"port,omitempty"`
	}
	srcs := make([]Source, len(r.Sources))
	for i, s := range r.Sources {
		srcs[i] = s
		srcs[i].Requested = max(s.Requested, 1)
	}
	d := def{Target: r.Target, Description: desc, Type: "traceroute", AF: af, Protocol: proto}
	if proto == "TCP" {
		d.Port = r.Port
	}
	return json.Marshal(struct {
		Definitions []def    `json:"definitions"`
		Probes      []Source `json:"probes"`
		IsOneoff    bool     `json:"is_oneoff"`
	}{[]def{d}, srcs, true})
}

// Create starts a one-off traceroute and returns its measurement id.
func (c *Client) Create(ctx context.Context, r Request) (int, error) {
	body, err := r.body()
	if err != nil {
		return 0, err
	}
	resp, err := c.do(ctx, http.MethodPost, c.cfg.BaseURL+"/measurements/", body, http.StatusCreated, http.StatusAccepted, http.StatusOK)
	if err != nil {
		return 0, fmt.Errorf("create atlas measurement: %w", err)
	}
	var out struct {
		Measurements []int `json:"measurements"`
	}
	if err := decode(resp, "the create-measurement answer", &out); err != nil {
		return 0, err
	}
	if len(out.Measurements) == 0 {
		return 0, &DecodeError{What: "the create-measurement answer", Offset: -1, Err: errors.New(`no "measurements" ids`), Body: resp}
	}
	return out.Measurements[0], nil
}

// Status is a measurement's state: Atlas's status id and name ("Specified", "Scheduled", "Ongoing",
// "Stopped", "Forced to stop", "No suitable probes", "Failed", "Archived").
type Status struct {
	ID   int
	Name string
	// Probes is participant_count, the probes that took part so far (-1 when not given).
	Probes int
}

// Done reports whether the measurement will not change: stopped, failed, without probes or archived.
func (s Status) Done() bool { return s.ID >= 4 }

// Status returns the measurement's current state.
func (c *Client) Status(ctx context.Context, id int) (Status, error) {
	what := "measurement " + strconv.Itoa(id)
	resp, err := c.do(ctx, http.MethodGet, c.cfg.BaseURL+"/measurements/"+strconv.Itoa(id)+"/", nil, http.StatusOK)
	if err != nil {
		return Status{}, fmt.Errorf("get atlas %s: %w", what, err)
	}
	var out struct {
		Status *struct {
			ID   int    `json:"id"`
			Name string `json:"name"`
		} `json:"status"`
		ParticipantCount *int `json:"participant_count"`
	}
	if err := decode(resp, what, &out); err != nil {
		return Status{}, err
	}
	if out.Status == nil {
		return Status{}, &DecodeError{What: what, Offset: -1, Err: errors.New(`no "status"`), Body: resp}
	}
	st := Status{ID: out.Status.ID, Name: out.Status.Name, Probes: -1}
	if out.ParticipantCount != nil {
		st.Probes = *out.ParticipantCount
	}
	return st, nil
}

// Await polls the status until Done, pausing PollInterval between polls; progress, when not nil, sees
// each state. On error the last state read is returned with it.
func (c *Client) Await(ctx context.Context, id int, progress func(Status)) (Status, error) {
	var last Status
	for i := 0; i < c.cfg.MaxPolls; i++ {
		st, err := c.Status(ctx, id)
		if err != nil {
			return last, err
		}
		last = st
		if progress != nil {
			progress(st)
		}
		if st.Done() {
			return st, nil
		}
		if err := c.cfg.Sleep(ctx, c.cfg.PollInterval); err != nil {
			return last, fmt.Errorf("await atlas measurement %d: %w", id, err)
		}
	}
	return last, fmt.Errorf("await atlas measurement %d: not stopped after %d polls (state %q)", id, c.cfg.MaxPolls, last.Name)
}

// Latest returns the measurement's /latest/ results, Atlas's JSON unchanged (keyed by probe id), for
// tracefile.Parse(raw, "ripe-atlas"). It checks only that the answer is a JSON object.
func (c *Client) Latest(ctx context.Context, id int) ([]byte, error) {
	what := "latest results of measurement " + strconv.Itoa(id)
	resp, err := c.do(ctx, http.MethodGet, c.cfg.BaseURL+"/measurements/"+strconv.Itoa(id)+"/latest/", nil, http.StatusOK)
	if err != nil {
		return nil, fmt.Errorf("get atlas %s: %w", what, err)
	}
	var probe map[string][]json.RawMessage
	if err := decode(resp, what, &probe); err != nil {
		return nil, err
	}
	return resp, nil
}

// Probe is a vantage point's metadata.
type Probe struct {
	ID      int
	Country string
	ASNv4   int // 0 when none
	ASNv6   int
	// Lat and Lon are the obfuscated coordinates; OK is false when Atlas gave none.
	Lat, Lon float64
	OK       bool
	// Obfuscated is always true for Atlas: its coordinates are moved by 80 to 400 m.
	Obfuscated bool
	Status     string
}

// Probe returns the metadata of probe id.
func (c *Client) Probe(ctx context.Context, id int) (Probe, error) {
	what := "probe " + strconv.Itoa(id)
	resp, err := c.do(ctx, http.MethodGet, c.cfg.BaseURL+"/probes/"+strconv.Itoa(id)+"/", nil, http.StatusOK)
	if err != nil {
		return Probe{}, fmt.Errorf("get atlas %s: %w", what, err)
	}
	var out struct {
		ID          int    `json:"id"`
		CountryCode string `json:"country_code"`
		ASNv4       *int   `json:"asn_v4"`
		ASNv6       *int   `json:"asn_v6"`
		Geometry    *struct {
			Coordinates []float64 `json:"coordinates"` // GeoJSON: longitude, latitude
		} `json:"geometry"`
		Status *struct {
			Name string `json:"name"`
		} `json:"status"`
	}
	if err := decode(resp, what, &out); err != nil {
		return Probe{}, err
	}
	p := Probe{ID: out.ID, Country: out.CountryCode, Obfuscated: true}
	if out.ASNv4 != nil {
		p.ASNv4 = *out.ASNv4
	}
	if out.ASNv6 != nil {
		p.ASNv6 = *out.ASNv6
	}
	if g := out.Geometry; g != nil && len(g.Coordinates) == 2 {
		p.Lon, p.Lat, p.OK = g.Coordinates[0], g.Coordinates[1], true
	}
	if out.Status != nil {
		p.Status = out.Status.Name
	}
	return p, nil
}

func (c *Client) do(ctx context.Context, method, u string, body []byte, want ...int) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		var rd io.Reader
		if body != nil {
			rd = bytes.NewReader(body)
		}
		req, err := http.NewRequestWithContext(ctx, method, u, rd)
		if err != nil {
			return nil, err
		}
		req.Header.Set("User-Agent", c.cfg.UserAgent)
		req.Header.Set("Accept", "application/json")
		if body != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		if c.cfg.Key != "" {
			req.Header.Set("Authorization", "Key "+c.cfg.Key)
		}
		resp, err := c.cfg.HTTPClient.Do(req)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 256<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read answer: %w", err)
		}
		for _, w := range want {
			if resp.StatusCode == w {
				return data, nil
			}
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			wait := retryAfter(resp.Header)
			if wait <= 0 || wait > c.cfg.MaxWait || attempt >= 3 {
				return nil, &RateLimitError{Wait: wait, Detail: apiError(resp.StatusCode, data).Detail}
			}
			if err := c.cfg.Sleep(ctx, wait); err != nil {
				return nil, err
			}
			continue
		}
		return nil, apiError(resp.StatusCode, data)
	}
}

// APIError is an error answer in Atlas's documented shape ({"error": {"status", "title", "detail", "errors"}}).
type APIError struct {
	Status        int
	Title, Detail string
	// Fields holds per-field messages keyed by JSON pointer or parameter; nil when none.
	Fields map[string]string
}

func (e *APIError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Status)
	if e.Title != "" {
		s += " " + e.Title
	}
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	for k, v := range e.Fields {
		s += "; " + k + ": " + v
	}
	return s
}

// Is makes errors.Is(err, ErrBadKey) true for 401 and 403.
func (e *APIError) Is(target error) bool {
	return target == ErrBadKey && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

// RateLimitError is a 429 the client did not wait out.
type RateLimitError struct {
	// Wait is what Retry-After asked for; 0 when absent.
	Wait   time.Duration
	Detail string
}

func (e *RateLimitError) Error() string {
	s := "rate limited (HTTP 429)"
	if e.Detail != "" {
		s += ": " + e.Detail
	}
	if e.Wait > 0 {
		s += "; retry in " + e.Wait.String()
	}
	return s
}

func retryAfter(h http.Header) time.Duration {
	v := strings.TrimSpace(h.Get("Retry-After"))
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		return time.Until(t).Round(time.Second)
	}
	return 0
}

func apiError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var doc struct {
		Error struct {
			Title  string `json:"title"`
			Detail string `json:"detail"`
			Errors []struct {
				Source struct {
					Pointer   string `json:"pointer"`
					Parameter string `json:"parameter"`
				} `json:"source"`
				Detail string `json:"detail"`
			} `json:"errors"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) != nil {
		e.Detail = strings.TrimSpace(string(body[:min(len(body), 200)]))
		return e
	}
	e.Title, e.Detail = doc.Error.Title, doc.Error.Detail
	for _, fe := range doc.Error.Errors {
		if e.Fields == nil {
			e.Fields = map[string]string{}
		}
		e.Fields[fe.Source.Pointer+fe.Source.Parameter] = fe.Detail
	}
	return e
}

// DecodeError is an answer that is not the JSON expected; Body keeps the whole answer.
type DecodeError = measureapi.DecodeError

func decode(body []byte, what string, v any) error { return measureapi.Decode(body, what, v) }

// Key returns the API key: the environment variable KeyEnv (read through getenv), else the first line
// of KeyFile in dataDir, else "" (anonymous). A file that exists but cannot be read is an error.
func Key(getenv func(string) string, dataDir string) (string, error) {
	return measureapi.Credential(getenv, KeyEnv, dataDir, KeyFile)
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func isLetters(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i] | 0x20; c < 'a' || c > 'z' {
			return false
		}
	}
	return s != ""
}
