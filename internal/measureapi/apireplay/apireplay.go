// Package apireplay serves a measurement API's scripted answers on loopback, for the tests of its
// clients and of the commands that use them: each request must be the next one the script expects,
// and what the client sent (Authorization headers, bodies) is recorded.
package apireplay

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Step is one scripted answer: the request it expects (method and path) and what it answers.
type Step struct {
	Method, Path string
	Status       int
	Header       map[string]string
	// File is the body, a path under the server's directory; "" for an empty body.
	File string
}

// Server answers the steps in order and fails the test on any other request.
type Server struct {
	// URL is the server's base URL (http://127.0.0.1:port).
	URL string

	t     testing.TB
	dir   string
	mu    sync.Mutex
	steps []Step
	n     int
	auth  []string
	body  []string
}

// New starts a loopback server answering steps, their files read from dir; it stops with the test.
func New(t testing.TB, dir string, steps ...Step) *Server {
	s := &Server{t: t, dir: dir, steps: steps}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// ServeHTTP answers the next step, after checking the request is the one it expects.
func (s *Server) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, _ := io.ReadAll(req.Body)
	s.auth = append(s.auth, req.Header.Get("Authorization"))
	s.body = append(s.body, string(b))
	if s.n >= len(s.steps) {
		s.t.Errorf("unscripted request %d: %s %s", s.n+1, req.Method, req.URL.Path)
		w.WriteHeader(http.StatusTeapot)
		return
	}
	st := s.steps[s.n]
	s.n++
	if req.Method != st.Method || req.URL.Path != st.Path {
		s.t.Errorf("request %d: %s %s, want %s %s", s.n, req.Method, req.URL.Path, st.Method, st.Path)
	}
	w.Header().Set("Content-Type", "application/json")
	for k, v := range st.Header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(st.Status)
	if st.File != "" {
		data, err := os.ReadFile(filepath.Join(s.dir, st.File))
		if err != nil {
			s.t.Error(err)
		}
		w.Write(data)
	}
}

// Served returns how many steps have been answered.
func (s *Server) Served() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Auth returns the Authorization header of each request so far ("" when none was sent).
func (s *Server) Auth() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.auth...)
}

// Body returns the body of each request so far.
func (s *Server) Body() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.body...)
}

// Done fails the test unless every step was answered.
func (s *Server) Done(t testing.TB) {
	t.Helper()
	if n := s.Served(); n != len(s.steps) {
		t.Errorf("served %d of %d scripted answers", n, len(s.steps))
	}
}
