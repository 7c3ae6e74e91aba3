// Package globalping starts traceroute and mtr measurements on the Globalping probe network and reads
// their results, over its public HTTP API (described by the OpenAPI spec in the jsdelivr/globalping
// repository, public/v1).
//
// The client sends the target and the requested locations to the API's host; callers must say so to the
// user. It creates a measurement, then polls it, pausing 500 ms after each answer as Globalping asks,
// until it is no longer in progress. A 429 is waited out when Retry-After (or, failing that,
// X-RateLimit-Reset) asks for no more than Config.MaxWait, and returned as a *RateLimitError otherwise.
// Results come back as the API's own JSON, which tracefile's "globalping" importer reads; this package
// does not interpret hops.
package globalping

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/measureapi"
)

// DefaultBaseURL is the public API; Config.BaseURL overrides it.
const DefaultBaseURL = "https://api.globalping.io/v1"

// TokenEnv is the environment variable holding a Globalping API token (as the Globalping CLI and
// NextTrace read it); TokenFile is the file in the data directory read when the variable is unset.
const (
	TokenEnv  = "GLOBALPING_TOKEN"
	TokenFile = "globalping-token"
)

// Status values of a measurement; any value but StatusInProgress is final.
const (
	StatusInProgress = "in-progress"
	StatusFinished   = "finished"
)

// ErrBadToken is matched (errors.Is) by an *APIError for 401 or 403: the token was refused.
var ErrBadToken = errors.New("the API refused the token")

// Config configures a Client. The zero value uses the public API anonymously.
type Config struct {
	// HTTP is the base URL (DefaultBaseURL when empty), HTTP client, clock, user agent and longest
	// rate-limit wait, with measureapi's defaults.
	measureapi.HTTP
	// Token is sent as "Authorization: Bearer <token>"; "" means anonymous (lower limits).
	Token string
	// PollInterval is the pause after each answer while polling; 0 means 500 ms (Globalping's ask).
	PollInterval time.Duration
	// MaxPolls bounds the polls of one measurement; 0 means 600 (five minutes at 500 ms).
	MaxPolls int
}

// Client talks to the Globalping API.
type Client struct{ cfg Config }

// New returns a client for cfg with its defaults filled in.
func New(cfg Config) *Client {
	cfg.HTTP = cfg.HTTP.WithDefaults(DefaultBaseURL)
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 500 * time.Millisecond
	}
	if cfg.MaxPolls == 0 {
		cfg.MaxPolls = 600
	}
	return &Client{cfg: cfg}
}

// Host returns the host the client sends to, for telling the user where the target goes.
func (c *Client) Host() string { return c.cfg.Host() }

// Request is one measurement to create.
type Request struct {
	// Type is "traceroute" or "mtr".
	Type string
	// Target is a host name or an IP address.
	Target string
	// Locations are Globalping "magic" location strings ("Shenzhen, CN", "Paris", "AS13335",
	// "Germany+Hetzner"); none means anywhere.
	Locations []string
	// Limit is the number of probes per location (or in all when Locations is empty); 0 means 1.
	Limit int
	// Protocol is "ICMP", "TCP" or "UDP"; "" means the API's default (ICMP).
	Protocol string
	// Port is the destination port for TCP and UDP; 0 means the API's default (80).
	Port int
	// Packets is mtr's packets per hop (1 to 16); 0 means the API's default (3). Ignored for traceroute.
	Packets int
	// IPVersion is 4 or 6 for a host name target; 0 means the API chooses.
	IPVersion int
}

// body returns the JSON request body as the OpenAPI MeasurementRequest describes it.
func (r Request) body() ([]byte, error) {
	if r.Type != "traceroute" && r.Type != "mtr" {
		return nil, fmt.Errorf("measurement type %q: want traceroute or mtr", r.Type)
	}
	if strings.TrimSpace(r.Target) == "" {
		return nil, errors.New("measurement without a target")
	}
	type location struct {
		Magic string `json:"magic"`
		Limit int    `json:"limit,omitempty"`
	}
	type options struct {
		Protocol  string `json:"protocol,omitempty"`
		Port      int    `json:"port,omitempty"`
		Packets   int    `json:"packets,omitempty"`
		IPVersion int    `json:"ipVersion,omitempty"`
	}
	req := struct {
		Type      string     `json:"type"`
		Target    string     `json:"target"`
		Locations []location `json:"locations,omitempty"`
		Limit     int        `json:"limit,omitempty"`
		Options   *options   `json:"measurementOptions,omitempty"`
	}{Type: r.Type, Target: r.Target}
	for _, l := range r.Locations {
		// A per-location limit and the global one are mutually exclusive in the API.
		req.Locations = append(req.Locations, location{Magic: l, Limit: r.Limit})
	}
	if len(r.Locations) == 0 {
		req.Limit = r.Limit
	}
	o := options{Protocol: strings.ToUpper(r.Protocol), Port: r.Port, IPVersion: r.IPVersion}
	if r.Type == "mtr" {
		o.Packets = r.Packets
	}
	if o != (options{}) {
		req.Options = &o
	}
	return json.Marshal(req)
}

// Measurement is one state of a measurement as the API returned it.
type Measurement struct {
	ID     string
	Status string
	// Probes is the number of results (probes that took part).
	Probes int
	// Raw is the API's JSON, unchanged: what tracefile.Parse(raw, "globalping") reads.
	Raw []byte
}

// Done reports whether the measurement reached a final state.
func (m *Measurement) Done() bool { return m.Status != StatusInProgress }

// Create starts a measurement and returns its id and the number of probes the API assigned.
func (c *Client) Create(ctx context.Context, r Request) (id string, probes int, err error) {
	body, err := r.body()
	if err != nil {
		return "", 0, err
	}
	resp, err := c.do(ctx, http.MethodPost, c.cfg.BaseURL+"/measurements", body, http.StatusAccepted)
	if err != nil {
		return "", 0, fmt.Errorf("create globalping measurement: %w", err)
	}
	var out struct {
		ID          string `json:"id"`
		ProbesCount int    `json:"probesCount"`
	}
	if err := decode(resp, "the create-measurement answer", &out); err != nil {
		return "", 0, err
	}
	if out.ID == "" {
		return "", 0, &DecodeError{What: "the create-measurement answer", Err: errors.New(`no "id"`), Body: resp}
	}
	return out.ID, out.ProbesCount, nil
}

// Get returns the measurement's current state.
func (c *Client) Get(ctx context.Context, id string) (*Measurement, error) {
	resp, err := c.do(ctx, http.MethodGet, c.cfg.BaseURL+"/measurements/"+url.PathEscape(id), nil, http.StatusOK)
	if err != nil {
		return nil, fmt.Errorf("get globalping measurement %s: %w", id, err)
	}
	var out struct {
		ID      string            `json:"id"`
		Status  string            `json:"status"`
		Results []json.RawMessage `json:"results"`
	}
	if err := decode(resp, "measurement "+id, &out); err != nil {
		return nil, err
	}
	if out.Status == "" {
		return nil, &DecodeError{What: "measurement " + id, Err: errors.New(`no "status"`), Body: resp}
	}
	return &Measurement{ID: out.ID, Status: out.Status, Probes: len(out.Results), Raw: resp}, nil
}

// Await polls the measurement until it is final, pausing PollInterval after each answer. progress,
// when not nil, sees every state (partial results included). On error the last state read is
// returned with it, so partial results are not lost.
func (c *Client) Await(ctx context.Context, id string, progress func(*Measurement)) (*Measurement, error) {
	var last *Measurement
	for i := 0; i < c.cfg.MaxPolls; i++ {
		m, err := c.Get(ctx, id)
		if err != nil {
			return last, err
		}
		last = m
		if progress != nil {
			progress(m)
		}
		if m.Done() {
			return m, nil
		}
		if err := c.cfg.Sleep(ctx, c.cfg.PollInterval); err != nil {
			return last, fmt.Errorf("await globalping measurement %s: %w", id, err)
		}
	}
	return last, fmt.Errorf("await globalping measurement %s: still in progress after %d polls", id, c.cfg.MaxPolls)
}

// Run creates the measurement and awaits it.
func (c *Client) Run(ctx context.Context, r Request, progress func(*Measurement)) (*Measurement, error) {
	id, _, err := c.Create(ctx, r)
	if err != nil {
		return nil, err
	}
	return c.Await(ctx, id, progress)
}

// do sends one request, waiting out rate limits the API asks for within MaxWait, and returns the body
// of a response with status want.
func (c *Client) do(ctx context.Context, method, u string, body []byte, want int) ([]byte, error) {
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
		if c.cfg.Token != "" {
			req.Header.Set("Authorization", "Bearer "+c.cfg.Token)
		}
		resp, err := c.cfg.HTTPClient.Do(req)
		if err != nil {
			return nil, err
		}
		data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
		resp.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("read answer: %w", err)
		}
		if resp.StatusCode == want {
			return data, nil
		}
		if resp.StatusCode == http.StatusTooManyRequests {
			rl := rateLimit(resp.Header, data)
			if rl.Wait <= 0 || rl.Wait > c.cfg.MaxWait || attempt >= 3 {
				return nil, rl
			}
			if err := c.cfg.Sleep(ctx, rl.Wait); err != nil {
				return nil, err
			}
			continue
		}
		return nil, apiError(resp.StatusCode, data)
	}
}

// APIError is an answer other than the expected one, with the API's own error type and message.
type APIError struct {
	Status  int
	Type    string // "validation_error", "no_probes_found", "unauthorized", ...
	Message string
	// Params holds per-field validation messages; nil when none.
	Params map[string]string
}

func (e *APIError) Error() string {
	s := "HTTP " + strconv.Itoa(e.Status)
	if e.Type != "" {
		s += " " + e.Type
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	for k, v := range e.Params {
		s += "; " + k + ": " + v
	}
	return s
}

// Is makes errors.Is(err, ErrBadToken) true for 401 and 403.
func (e *APIError) Is(target error) bool {
	return target == ErrBadToken && (e.Status == http.StatusUnauthorized || e.Status == http.StatusForbidden)
}

// RateLimitError is a 429 the client did not wait out.
type RateLimitError struct {
	// Wait is how long the API asked to wait (Retry-After, else X-RateLimit-Reset); 0 when it did not say.
	Wait time.Duration
	// Remaining is X-RateLimit-Remaining (-1 when absent); Credits is X-Credits-Remaining (-1 when absent).
	Remaining, Credits int
	Message            string
}

func (e *RateLimitError) Error() string {
	s := "rate limited (HTTP 429)"
	if e.Message != "" {
		s += ": " + e.Message
	}
	if e.Wait > 0 {
		s += "; retry in " + e.Wait.String()
	}
	return s
}

func rateLimit(h http.Header, body []byte) *RateLimitError {
	e := &RateLimitError{Remaining: headerInt(h, "X-RateLimit-Remaining"), Credits: headerInt(h, "X-Credits-Remaining")}
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.Atoi(v); err == nil && s >= 0 {
			e.Wait = time.Duration(s) * time.Second
		} else if t, err := http.ParseTime(v); err == nil {
			e.Wait = time.Until(t).Round(time.Second)
		}
	}
	if e.Wait == 0 {
		if s := headerInt(h, "X-RateLimit-Reset"); s > 0 {
			e.Wait = time.Duration(s) * time.Second // seconds until the window resets, per the spec
		}
	}
	if ae := apiError(http.StatusTooManyRequests, body); ae.Message != "" {
		e.Message = ae.Message
	}
	return e
}

func headerInt(h http.Header, k string) int {
	v, err := strconv.Atoi(strings.TrimSpace(h.Get(k)))
	if err != nil {
		return -1
	}
	return v
}

func apiError(status int, body []byte) *APIError {
	e := &APIError{Status: status}
	var doc struct {
		Error struct {
			Type    string            `json:"type"`
			Message string            `json:"message"`
			Params  map[string]string `json:"params"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &doc) == nil {
		e.Type, e.Message, e.Params = doc.Error.Type, doc.Error.Message, doc.Error.Params
	} else {
		e.Message = strings.TrimSpace(string(body[:min(len(body), 200)]))
	}
	return e
}

// DecodeError is an answer that is not the JSON expected; Body keeps the whole answer.
type DecodeError = measureapi.DecodeError

func decode(body []byte, what string, v any) error { return measureapi.Decode(body, what, v) }

// Token returns the API token: the environment variable TokenEnv (read through getenv), else the first
// line of TokenFile in dataDir, else "" (anonymous). A file that exists but cannot be read is an error.
func Token(getenv func(string) string, dataDir string) (string, error) {
	return measureapi.Credential(getenv, TokenEnv, dataDir, TokenFile)
}
