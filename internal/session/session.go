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
	"strings"
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
	// warnings is set by Open and never changes after.
	warnings []string
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
//
// A file that does not end in a newline has a torn tail: a power cut or a full disk stopped the last
// write mid-line. Open ends that fragment with a newline, so the next record starts a line of its own
// and readers skip the fragment as one corrupt line, and says so once through Warnings. Existing bytes
// are never rewritten. A file whose first line is not a session header is refused rather than
// appended to.
func Open(path string, cfg Config) (*Writer, error) {
	if cfg.SyncEvery <= 0 {
		cfg.SyncEvery = 200 * time.Millisecond
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open session: %w", err)
	}
	s := &Writer{f: f, stop: make(chan struct{}), done: make(chan struct{})}
	if err := s.heal(path, cfg); err != nil {
		f.Close()
		return nil, err
	}
	go s.syncLoop(cfg.SyncEvery)
	return s, nil
}

// heal checks an existing file's header and tail, terminates a torn last line, and writes the header
// of a new (or header-less torn) file.
func (s *Writer) heal(path string, cfg Config) error {
	st, err := s.f.Stat()
	if err != nil {
		return fmt.Errorf("stat session: %w", err)
	}
	size := st.Size()
	if size > 0 {
		head := make([]byte, min(size, 4096))
		if _, err := s.f.ReadAt(head, 0); err != nil && !errors.Is(err, io.EOF) {
			return fmt.Errorf("read session header: %w", err)
		}
		first, _, complete := bytes.Cut(head, []byte("\n"))
		var h fileHeader
		isHeader := json.Unmarshal(bytes.TrimSpace(first), &h) == nil && h.Session != 0
		switch {
		case isHeader && h.Session > Format:
			return fmt.Errorf("%s: session format %d is newer than this hopscope writes (%d); refusing to append", path, h.Session, Format)
		case isHeader:
		case !complete && int64(len(head)) == size && tornHeader(first):
			// the whole file is a torn header line: it holds no record, so start it again
			if err := s.f.Truncate(0); err != nil {
				return fmt.Errorf("truncate torn session header: %w", err)
			}
			s.warnings = append(s.warnings, fmt.Sprintf("%s:1: torn header line (%d bytes) replaced; the file held no records", path, size))
			size = 0
		default:
			return fmt.Errorf("%s: not a hopscope session file (its first line is not a session header); refusing to append", path)
		}
	}
	if size == 0 {
		b, _ := json.Marshal(fileHeader{Session: Format, Started: cfg.Now().UTC(), Tool: cfg.Tool})
		if _, err := s.f.Write(append(b, '\n')); err != nil {
			return fmt.Errorf("write session header: %w", err)
		}
		return nil
	}
	var last [1]byte
	if _, err := s.f.ReadAt(last[:], size-1); err != nil {
		return fmt.Errorf("read session tail: %w", err)
	}
	if last[0] != '\n' {
		line, start := lastLine(s.f, size)
		if _, err := s.f.Write([]byte{'\n'}); err != nil {
			return fmt.Errorf("end torn session line: %w", err)
		}
		if line == 1 {
			return nil // a whole header that only lacked its newline
		}
		s.warnings = append(s.warnings, fmt.Sprintf("%s:%d: torn last record (%d bytes, the writer stopped mid-line) ended with a newline; readers skip it and new records start on the next line", path, line, size-start))
	}
	return nil
}

// tornHeader reports whether b is a header line cut short.
func tornHeader(b []byte) bool {
	const h = `{"hopscope_session"`
	b = bytes.TrimSpace(b)
	return bytes.HasPrefix(b, []byte(h)) || len(b) < len(h) && strings.HasPrefix(h, string(b))
}

// lastLine returns the 1-based number of the line that starts the file's unterminated tail, and the
// offset where it starts, counting newlines in one pass over the file.
func lastLine(f *os.File, size int64) (int, int64) {
	br := bufio.NewReaderSize(io.NewSectionReader(f, 0, size), 64<<10)
	line, start := 1, int64(0)
	var off int64
	for {
		chunk, err := br.ReadSlice('\n')
		off += int64(len(chunk))
		if len(chunk) > 0 && chunk[len(chunk)-1] == '\n' {
			line++
			start = off
		}
		if err != nil && !errors.Is(err, bufio.ErrBufferFull) {
			return line, start
		}
	}
}

// Warnings says what Open repaired (a torn tail ended, a torn header replaced), once; nil when the
// file was whole. The caller prints them.
func (s *Writer) Warnings() []string { return s.warnings }

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

// maxWarnings bounds the warnings Read returns one by one; the rest are counted in one last warning.
const maxWarnings = 20

// recordStart is how every record line begins; a line where it appears past the start is a torn
// fragment with a whole record appended to it (what Open did before it healed torn tails).
var recordStart = []byte(`{"flow":`)

// Read reads a session file: its records, and an inventory of their flows (Source "proxy",
// Origin name). A torn or corrupt record is skipped with a warning naming name and the line (in
// inv.Warnings, for the caller to print in every output mode); the records after it are still read.
// A record appended straight after a torn fragment is recovered. Only a file that is not a session
// (bad header line, newer format, empty) is an error.
func Read(r io.Reader, name string) (*inventory.Inventory, []Record, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	inv := &inventory.Inventory{Source: "proxy", Origin: name, Flows: []inventory.Flow{}}
	var recs []Record
	nwarn := 0
	warn := func(line int, format string, args ...any) {
		nwarn++
		if nwarn <= maxWarnings {
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s:%d: ", name, line)+fmt.Sprintf(format, args...))
		}
	}
	for line := 1; ; line++ {
		b, err := readLine(br)
		atEOF := errors.Is(err, io.EOF)
		if errors.Is(err, errLineTooLong) {
			if line == 1 {
				return nil, nil, fmt.Errorf("%s:1: not a hopscope session file (first line longer than %d bytes)", name, maxLine)
			}
			warn(line, "record longer than %d bytes skipped", maxLine)
			continue
		}
		if err != nil && !atEOF {
			return nil, nil, fmt.Errorf("%s:%d: %w", name, line, err)
		}
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
			} else if rec, why := decodeRecord(tb); why == "" {
				recs = append(recs, rec)
				inv.Flows = append(inv.Flows, rec.Flow)
				if end := rec.Flow.Start.Add(rec.Flow.Duration); end.After(inv.Ended) {
					inv.Ended = end
				}
			} else if i := bytes.LastIndex(tb, recordStart); i > 0 {
				if rec, why2 := decodeRecord(tb[i:]); why2 == "" {
					warn(line, "torn fragment (%d bytes) before a record skipped; the record is kept", i)
					recs = append(recs, rec)
					inv.Flows = append(inv.Flows, rec.Flow)
					if end := rec.Flow.Start.Add(rec.Flow.Duration); end.After(inv.Ended) {
						inv.Ended = end
					}
				} else {
					warn(line, "corrupt record skipped: %s", why)
				}
			} else if atEOF && !bytes.HasSuffix(b, []byte("\n")) {
				warn(line, "torn last record skipped (the writer stopped mid-line)")
			} else {
				warn(line, "corrupt record skipped: %s", why)
			}
		} else if line == 1 && atEOF {
			return nil, nil, fmt.Errorf("%s: empty file, not a hopscope session", name)
		}
		if atEOF {
			break
		}
	}
	if nwarn > maxWarnings {
		inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s: %d more torn or corrupt lines skipped", name, nwarn-maxWarnings))
	}
	return inv, recs, nil
}

// decodeRecord parses one record line; why says what is wrong with it ("" when it is whole).
func decodeRecord(b []byte) (Record, string) {
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return Record{}, err.Error()
	}
	return rec, ""
}

var errLineTooLong = fmt.Errorf("line longer than %d bytes", maxLine)

// readLine reads one line; a line longer than maxLine is consumed to its end and reported as
// errLineTooLong, so the lines after it can still be read.
func readLine(br *bufio.Reader) ([]byte, error) {
	var out []byte
	long := false
	for {
		chunk, err := br.ReadSlice('\n')
		if !long {
			out = append(out, chunk...)
			if len(out) > maxLine {
				long, out = true, nil
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		if long {
			if err == nil {
				err = errLineTooLong
			} else if errors.Is(err, io.EOF) {
				err = errLineTooLong // the EOF is seen again by the next read
			}
		}
		return out, err
	}
}
