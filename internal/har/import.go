package har

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"hopscope/internal/inventory"
)

// maxHARSize bounds how much of a HAR file is read (bodies can make them large).
const maxHARSize = 1 << 30

// Decode reads a HAR document. Errors name the file (name), the line and column, and what was expected.
func Decode(r io.Reader, name string) (*File, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxHARSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if len(data) > maxHARSize {
		return nil, fmt.Errorf("%s: larger than %d bytes", name, maxHARSize)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // some Windows tools write a BOM
	var f File
	if err := json.Unmarshal(data, &f); err != nil {
		var se *json.SyntaxError
		var te *json.UnmarshalTypeError
		switch {
		case errors.As(err, &se):
			line, col := lineCol(data, se.Offset-1)
			return nil, fmt.Errorf("%s:%d:%d: not valid JSON: %v", name, line, col, se)
		case errors.As(err, &te):
			line, col := lineCol(data, te.Offset)
			return nil, fmt.Errorf("%s:%d:%d: field %s: want %s, got %s", name, line, col, te.Field, te.Type, te.Value)
		}
		return nil, fmt.Errorf("%s: %v", name, err)
	}
	if f.Log.Entries == nil {
		if !bytes.Contains(data, []byte(`"log"`)) {
			return nil, fmt.Errorf("%s: not a HAR file (no \"log\" object)", name)
		}
		return nil, fmt.Errorf("%s: HAR log has no \"entries\" array", name)
	}
	return &f, nil
}

func lineCol(data []byte, off int64) (int, int) {
	off = min(max(off, 0), int64(len(data)))
	before := data[:off]
	line := bytes.Count(before, []byte("\n")) + 1
	col := int(off) - bytes.LastIndexByte(before, '\n')
	return line, col
}

// timeLayouts are the startedDateTime spellings seen in the wild (ISO 8601 with or without a colon in
// the offset, with or without fractions).
var timeLayouts = []string{time.RFC3339Nano, "2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05.999999999Z07:00"}

// ParseTime parses a HAR startedDateTime.
func ParseTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("startedDateTime %q: want ISO 8601 (2006-01-02T15:04:05.000Z)", s)
}

func ms(n Num) time.Duration {
	f := float64(n)
	if f < 0 || math.IsNaN(f) || math.IsInf(f, 0) || f > 1e12 {
		return -1
	}
	return time.Duration(f * float64(time.Millisecond))
}

func msp(n *Num) time.Duration {
	if n == nil {
		return -1
	}
	return ms(*n)
}

func nonNeg(n Num) int64 {
	if n < 0 || math.IsNaN(float64(n)) || n > 1e15 {
		return 0
	}
	return int64(n)
}

// Creator names which flavour of HAR the file is ("chromium", "zap", "mitmproxy", "hopscope" or the
// creator's name), for warnings and the inventory's origin.
func (f *File) Flavour() string {
	n := strings.ToLower(f.Log.Creator.Name)
	switch {
	case strings.Contains(n, "webinspector") || strings.Contains(n, "chrom") || strings.Contains(n, "devtools"):
		return "chromium"
	case strings.Contains(n, "zap") || strings.Contains(n, "zed attack"):
		return "zap"
	case strings.Contains(n, "mitmproxy"):
		return "mitmproxy"
	case strings.Contains(n, "firefox"):
		return "firefox"
	case n == "":
		return "unknown"
	}
	return n
}

// ToInventory turns the HAR entries into flows (Source "har", Origin name). Entries that cannot be
// used (no URL) become warnings naming their index.
func ToInventory(f *File, name string) *inventory.Inventory {
	inv := &inventory.Inventory{Source: "har", Origin: name, Flows: []inventory.Flow{}}
	seenConn := map[string]bool{}
	for i, e := range f.Log.Entries {
		u, err := url.Parse(strings.TrimSpace(e.Request.URL))
		if err != nil || u.Host == "" {
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s: entry %d: unusable request URL %q", name, i, e.Request.URL))
			continue
		}
		fl := inventory.Flow{ID: strconv.Itoa(i + 1), Host: strings.ToLower(u.Hostname()), NameSource: "har", Transport: "tcp"}
		if e.FlowID != "" {
			fl.ID = e.FlowID
		}
		if t, err := ParseTime(e.StartedDateTime); err == nil {
			fl.Start = t
			if inv.Started.IsZero() || t.Before(inv.Started) {
				inv.Started = t
			}
		} else if e.StartedDateTime != "" {
			inv.Warnings = append(inv.Warnings, fmt.Sprintf("%s: entry %d: %v", name, i, err))
		}
		if d := ms(e.Time); d > 0 {
			fl.Duration = d
		}
		if end := fl.Start.Add(fl.Duration); !fl.Start.IsZero() && end.After(inv.Ended) {
			inv.Ended = end
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443", "ws": "80", "wss": "443"}[strings.ToLower(u.Scheme)]
		}
		if a, err := netip.ParseAddr(strings.Trim(strings.TrimSpace(e.ServerIPAddress), "[]")); err == nil {
			if p, err := strconv.ParseUint(port, 10, 16); err == nil {
				fl.Server = netip.AddrPortFrom(a.Unmap(), uint16(p))
			}
		} else if h, p, err := net.SplitHostPort(e.ServerIPAddress); err == nil {
			if a, err := netip.ParseAddr(h); err == nil {
				pp, _ := strconv.ParseUint(p, 10, 16)
				fl.Server = netip.AddrPortFrom(a.Unmap(), uint16(pp))
			}
		}
		fl.Protocol = protocolOf(e)
		status := int(e.Response.Status)
		if status < 0 || status > 999 {
			status = 0
		}
		ex := &inventory.HTTPExchange{
			Method: e.Request.Method, URL: e.Request.URL, Status: status, Proto: e.Request.HTTPVersion,
			ContentType:  strings.TrimSpace(strings.Split(e.Response.Content.MimeType, ";")[0]),
			RequestBytes: int64(e.Request.BodySize), ResponseBytes: int64(e.Response.BodySize),
		}
		if ex.RequestBytes < 0 {
			ex.RequestBytes = -1
		}
		if ex.ResponseBytes < 0 {
			ex.ResponseBytes = -1
			if e.Response.Content.Size >= 0 && status != 0 {
				ex.ResponseBytes = nonNeg(e.Response.Content.Size)
			}
		}
		connect, ssl := msp(e.Timings.Connect), msp(e.Timings.SSL)
		tcp := connect
		if connect >= 0 && ssl >= 0 && ssl <= connect {
			tcp = connect - ssl // HAR's connect includes the TLS handshake
		}
		ex.Timings = inventory.Timings{DNS: msp(e.Timings.DNS), Connect: tcp, TLS: ssl, Send: ms(e.Timings.Send), Wait: ms(e.Timings.Wait), Transfer: ms(e.Timings.Receive)}
		fl.HTTP = ex
		conn := string(e.Connection)
		if tcp > 0 && (conn == "" || !seenConn[conn]) {
			fl.HandshakeRTT, fl.HasHandshakeRTT = tcp, true
		}
		if conn != "" {
			seenConn[conn] = true
		}
		fl.BytesUp = nonNeg(e.Request.HeadersSize) + nonNeg(e.Request.BodySize)
		switch {
		case e.Response.TransferSize != nil && *e.Response.TransferSize > 0:
			fl.BytesDown = nonNeg(*e.Response.TransferSize)
		case e.Response.HeadersSize > 0 || e.Response.BodySize > 0:
			fl.BytesDown = nonNeg(e.Response.HeadersSize) + nonNeg(e.Response.BodySize)
		default:
			fl.BytesDown = nonNeg(e.Response.Content.Size)
		}
		if strings.EqualFold(u.Scheme, "https") || strings.EqualFold(u.Scheme, "wss") {
			fl.TLS = &inventory.TLSInfo{SNI: fl.Host}
		}
		fl.Process, fl.Passthrough, fl.Error = e.Process, e.Passthrough, e.Error
		if status == 0 && fl.Error == "" {
			fl.Error = "no response"
			if e.Response.StatusText != "" {
				fl.Error += ": " + e.Response.StatusText
			}
		}
		inv.Flows = append(inv.Flows, fl)
	}
	return inv
}

// protocolOf names an entry's protocol: "websocket" for upgrades, "http2"/"http3" from the version
// spelling ("HTTP/2.0", "h2", "http/2"), else "http".
func protocolOf(e Entry) string {
	if e.Response.Status == 101 || len(e.WebSocketMessages) > 0 || strings.EqualFold(e.ResourceType, "websocket") {
		return "websocket"
	}
	v := strings.ToLower(strings.TrimSpace(e.Response.HTTPVersion))
	if v == "" {
		v = strings.ToLower(strings.TrimSpace(e.Request.HTTPVersion))
	}
	switch {
	case v == "h2" || strings.HasPrefix(v, "http/2"):
		return "http2"
	case v == "h3" || strings.HasPrefix(v, "http/3") || strings.HasPrefix(v, "h3-"):
		return "http3"
	}
	return "http"
}
