// Package session reads and writes the proxy's durable session file, one flow record per line.
//
// The file is JSON lines: a header line {"hopscope_session":1,"started":...,"tool":...}, then one Record
// per line, appended as each flow finishes.
package session

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"hopscope/internal/inventory"
)

// Format is the first line's "hopscope_session" value; it changes when a record's meaning does.
const Format = 1

// Header is one HTTP header field as sent (HAR keeps the order and duplicates, so do we).
type Header struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Record is one line of a session file: a flow plus what HAR export needs beyond the inventory model.
type Record struct {
	Flow            inventory.Flow `json:"flow"`
	RequestHeaders  []Header       `json:"request_headers,omitempty"`
	ResponseHeaders []Header       `json:"response_headers,omitempty"`
	StatusText      string         `json:"status_text,omitempty"`
	// RequestBody and ResponseBody hold at most the proxy's record limit of each body (after any
	// content encoding, as transferred); the Truncated flags say when more was sent.
	RequestBody           []byte `json:"request_body,omitempty"`
	ResponseBody          []byte `json:"response_body,omitempty"`
	RequestBodyTruncated  bool   `json:"request_body_truncated,omitempty"`
	ResponseBodyTruncated bool   `json:"response_body_truncated,omitempty"`
}

type fileHeader struct {
	Session int       `json:"hopscope_session"`
	Started time.Time `json:"started"`
	Tool    string    `json:"tool,omitempty"`
}

// Writer appends to a session file. Each record is written with one write(2) as soon
// as it is recorded, so a crash of the proxy loses nothing already recorded; fsync runs in batches
// (every SyncEvery) so a crash of the machine loses at most that much. Safe for concurrent use.
//
// JSON lines rather than SQLite: a record costs one append and no index maintenance on the proxy's hot
// path, a torn last line after a power cut is detectable and skipped, and the file streams into jq, a
// HAR export or hopscope domains without loading it whole.
type Writer struct {
	mu    sync.Mutex
	f     *os.File
	dirty bool
	err   error
	stop  chan struct{}
	done  chan struct{}
	n     int
}

// Config configures Open; zero values have working defaults.
type Config struct {
	// SyncEvery is the fsync batching interval; 0 means 200 ms.
	SyncEvery time.Duration
	// Now stamps the header of a new file; nil means time.Now.
	Now func() time.Time
	// Tool is written in the header of a new file ("hopscope v1.2").
	Tool string
}

// Open opens (or creates, 0600) a session file for appending.
func Open(path string, cfg Config) (*Writer, error) {
	if cfg.SyncEvery <= 0 {
		cfg.SyncEvery = 200 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("stat session: %w", err)
	}
	s := &Writer{f: f, stop: make(chan struct{}), done: make(chan struct{})}
	if st.Size() == 0 {
		b, _ := json.Marshal(fileHeader{Session: Format, Started: cfg.Now().UTC(), Tool: cfg.Tool})
		if _, err := f.Write(append(b, '\n')); err != nil {
			f.Close()
			return nil, fmt.Errorf("write session header: %w", err)
		}
	}
	go s.syncLoop(cfg.SyncEvery)
	return s, nil
}

func (s *Writer) syncLoop(every time.Duration) {
	defer close(s.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			s.sync()
		}
	}
}

func (s *Writer) sync() {
	s.mu.Lock()
	dirty := s.dirty
	s.dirty = false
	s.mu.Unlock()
	if dirty {
		if err := s.f.Sync(); err != nil {
			s.mu.Lock()
			s.err = fmt.Errorf("sync session: %w", err)
			s.mu.Unlock()
		}
	}
}

// Record appends rec; errors are kept and returned by Err and Close (the proxy keeps serving).
func (s *Writer) Record(rec *Record) {
	b, err := json.Marshal(rec)
	if err != nil {
		s.mu.Lock()
		s.err = fmt.Errorf("encode flow %s: %w", rec.Flow.ID, err)
		s.mu.Unlock()
		return
	}
	b = append(b, '\n')
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.Write(b); err != nil {
		s.err = fmt.Errorf("write session: %w", err)
		return
	}
	s.dirty = true
	s.n++
}

// Count is the number of records written since opening.
func (s *Writer) Count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// Err is the first write error, if any.
func (s *Writer) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close syncs and closes the file.
func (s *Writer) Close() error {
	close(s.stop)
	<-s.done
	s.sync()
	if err := s.f.Close(); err != nil && s.err == nil {
		s.err = fmt.Errorf("close session: %w", err)
	}
	return s.Err()
}

// maxLine bounds one session line (a record with body prefixes).
const maxLine = 64 << 20

// Read reads a session file: its records, and an inventory of their flows (Source "proxy",
// Origin name). A torn last line (a crash mid-write) becomes a warning; any other malformed line is an
// error naming name and the line number.
func Read(r io.Reader, name string) (*inventory.Inventory, []Record, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	inv := &inventory.Inventory{Source: "proxy", Origin: name, Flows: []inventory.Flow{}}
	var recs []Record
	for line := 1; ; line++ {
		b, err := readLine(br)
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
		atEOF := errors.Is(err, io.EOF)
		tb := bytes.TrimSpace(b)
		if len(tb) > 0 {
			if line == 1 {
				var h fileHeader
				if jerr := json.Unmarshal(tb, &h); jerr != nil || h.Session == 0 {
					return nil, nil, fmt.Errorf("%s:1: not a hopscope session file (want a {\"hopscope_session\":...} header line)", name)
				}
				if h.Session > Format {
					return nil, nil, fmt.Errorf("%s:1: session format %d is newer than this hopscope understands (%d)", name, h.Session, Format)
				}
				inv.Started = h.Started
			} else {
				var rec Record
				if jerr := json.Unmarshal(tb, &rec); jerr != nil {
					if atEOF {
						inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s:%d: torn last record skipped (the writer stopped mid-line)", name, line))
						break
					}
					return nil, nil, fmt.Errorf("%s:%d: bad record: %v", name, line, jerr)
				}
				recs = append(recs, rec)
				inv.Flows = append(inv.Flows, rec.Flow)
				if end := rec.Flow.Start.Add(rec.Flow.Duration); end.After(inv.Ended) {
					inv.Ended = end
				}
			}
		} else if line == 1 && atEOF {
			return nil, nil, fmt.Errorf("%s: empty file, not a hopscope session", name)
		}
		if atEOF {
			break
		}
	}
	return inv, recs, nil
}

func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	for {
		chunk, err := br.ReadSlice('\n')
		out = append(out, chunk...)
		if len(out) > maxLine {
			return nil, fmt.Errorf("line longer than %d bytes", maxLine)
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return out, err
	}
}
