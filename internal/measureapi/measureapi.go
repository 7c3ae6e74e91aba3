// Package measureapi holds what hopscope's clients of public measurement networks (Globalping, RIPE
// Atlas) share: their HTTP settings with one set of defaults, answers decoded with errors that keep the
// whole body, credentials read from the environment or the data directory, and pauses that end with
// the context.
package measureapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DecodeError is an answer that is not the JSON expected. Body keeps the whole answer, so nothing the
// service sent is lost.
type DecodeError struct {
	// What names the answer ("the measurement", "the create-measurement answer").
	What string
	// Offset is the byte offset of the problem in Body; -1 when unknown.
	Offset int64
	Err    error
	Body   []byte
}

func (e *DecodeError) Error() string {
	s := "decode " + e.What
	if e.Offset >= 0 {
		s += " at byte " + strconv.FormatInt(e.Offset, 10)
	}
	return s + ": " + e.Err.Error() + " (" + strconv.Itoa(len(e.Body)) + " bytes kept)"
}

func (e *DecodeError) Unwrap() error { return e.Err }

// Decode unmarshals body into v; a failure is a *DecodeError naming what and where.
func Decode(body []byte, what string, v any) error {
	if err := json.Unmarshal(body, v); err != nil {
		de := &DecodeError{What: what, Offset: -1, Err: err, Body: body}
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		if errors.As(err, &se) {
			de.Offset = se.Offset
		} else if errors.As(err, &te) {
			de.Offset = te.Offset
		}
		return de
	}
	return nil
}

// Credential returns a token or key: the environment variable env (read through getenv; nil reads
// none), else the first line of file in dataDir (empty dataDir: none), else "" (anonymous). A file that
// exists but cannot be read is an error.
func Credential(getenv func(string) string, env, dataDir, file string) (string, error) {
	if getenv != nil {
		if t := strings.TrimSpace(getenv(env)); t != "" {
			return t, nil
		}
	}
	if dataDir == "" {
		return "", nil
	}
	data, err := os.ReadFile(filepath.Join(dataDir, file))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("read %s: %w", file, err)
	}
	line, _, _ := strings.Cut(string(data), "\n")
	return strings.TrimSpace(line), nil
}

// Sleep waits d, or until ctx ends (then it returns ctx's error).
func Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// HTTP is what every client of a measurement network is configured with; each client's Config embeds
// it. The zero value works: WithDefaults fills it in.
type HTTP struct {
	// BaseURL is the API root; "" means the network's public API (the client's DefaultBaseURL).
	BaseURL string
	// HTTPClient sends the requests; nil means a client with a 30 s timeout.
	HTTPClient *http.Client
	// Sleep waits d or until ctx ends; nil means a real timer (Sleep). Tests inject one that records.
	Sleep func(ctx context.Context, d time.Duration) error
	// UserAgent identifies the caller; "" means "hopscope".
	UserAgent string
	// MaxWait is the longest rate-limit wait honoured before giving up; 0 means one minute.
	MaxWait time.Duration
}

// WithDefaults returns h with every zero field given its documented default, the base URL being
// defaultBase, and the base URL's trailing slashes removed.
func (h HTTP) WithDefaults(defaultBase string) HTTP {
	if h.BaseURL == "" {
		h.BaseURL = defaultBase
	}
	h.BaseURL = strings.TrimRight(h.BaseURL, "/")
	if h.HTTPClient == nil {
		h.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if h.Sleep == nil {
		h.Sleep = Sleep
	}
	if h.UserAgent == "" {
		h.UserAgent = "hopscope"
	}
	if h.MaxWait == 0 {
		h.MaxWait = time.Minute
	}
	return h
}

// Host returns the host of the base URL, for telling the user where a request goes.
func (h HTTP) Host() string {
	u, err := url.Parse(h.BaseURL)
	if err != nil || u.Host == "" {
		return h.BaseURL
	}
	return u.Host
}
