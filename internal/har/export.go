package har

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"hopscope/internal/session"
)

// FromRecords builds a HAR 1.2 log from proxy session records. Only HTTP exchanges become entries;
// tunnels that were passed through (mmTLS, pinned TLS, ...) have no HAR form and are counted in the log
// comment. tool is the creator version ("v1.2.3").
func FromRecords(recs []session.Record, tool string) *File {
	f := &File{Log: Log{Version: "1.2", Creator: Creator{Name: "hopscope", Version: tool}, Entries: []Entry{}}}
	skipped := 0
	for i := range recs {
		r := &recs[i]
		if r.Flow.HTTP == nil {
			skipped++
			continue
		}
		f.Log.Entries = append(f.Log.Entries, entryOf(r))
	}
	slices.SortStableFunc(f.Log.Entries, func(a, b Entry) int { return strings.Compare(a.StartedDateTime, b.StartedDateTime) })
	if skipped > 0 {
		f.Log.Comment = fmt.Sprintf("%d non-HTTP flows (passed-through tunnels, failed handshakes) are not representable in HAR; see the session file", skipped)
	}
	return f
}

// Write encodes f as indented JSON.
func Write(w io.Writer, f *File) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return fmt.Errorf("write HAR: %w", err)
	}
	return nil
}

func toMS(d time.Duration) Num {
	if d < 0 {
		return -1
	}
	return Num(float64(d.Microseconds()) / 1000)
}

func optMS(d time.Duration) *Num { n := toMS(d); return &n }

func nv(hs []session.Header) []NV {
	out := make([]NV, 0, len(hs))
	for _, h := range hs {
		out = append(out, NV{Name: h.Name, Value: h.Value})
	}
	slices.SortStableFunc(out, func(a, b NV) int { return strings.Compare(a.Name, b.Name) })
	return out
}

func httpHeader(hs []session.Header) http.Header {
	h := http.Header{}
	for _, x := range hs {
		h.Add(x.Name, x.Value)
	}
	return h
}

func entryOf(r *session.Record) Entry {
	fl, ex := r.Flow, r.Flow.HTTP
	tm := ex.Timings
	proto := ex.Proto
	if proto == "" {
		proto = "HTTP/1.1"
	}
	e := Entry{
		StartedDateTime: fl.Start.UTC().Format("2006-01-02T15:04:05.000Z"),
		Time:            toMS(fl.Duration),
		FlowID:          fl.ID,
		Process:         fl.Process,
		Passthrough:     fl.Passthrough,
		Error:           fl.Error,
	}
	if fl.Server.IsValid() {
		e.ServerIPAddress = fl.Server.Addr().String()
	}
	if fl.Client.IsValid() {
		e.Connection = FlexString(fl.Client.String())
	}
	if fl.Protocol == "websocket" {
		e.ResourceType = "websocket"
	}
	reqH := httpHeader(r.RequestHeaders)
	req := Request{
		Method: ex.Method, URL: ex.URL, HTTPVersion: proto, Cookies: []Cookie{}, Headers: nv(r.RequestHeaders),
		QueryString: []NV{}, HeadersSize: -1, BodySize: Num(max(ex.RequestBytes, -1)),
	}
	for _, c := range (&http.Request{Header: reqH}).Cookies() {
		req.Cookies = append(req.Cookies, Cookie{Name: c.Name, Value: c.Value})
	}
	if u, err := url.Parse(ex.URL); err == nil {
		for k, vs := range u.Query() {
			for _, v := range vs {
				req.QueryString = append(req.QueryString, NV{Name: k, Value: v})
			}
		}
		slices.SortStableFunc(req.QueryString, func(a, b NV) int { return strings.Compare(a.Name, b.Name) })
	}
	if len(r.RequestBody) > 0 || ex.RequestBytes > 0 {
		pd := &PostData{MimeType: reqH.Get("Content-Type")}
		if utf8.Valid(r.RequestBody) {
			pd.Text = string(r.RequestBody)
		} else {
			pd.Text = base64.StdEncoding.EncodeToString(r.RequestBody)
			pd.Comment = "text is base64"
		}
		if r.RequestBodyTruncated {
			pd.Comment = strings.TrimPrefix(pd.Comment+"; truncated to the first recorded bytes", "; ")
		}
		req.PostData = pd
	}
	respH := httpHeader(r.ResponseHeaders)
	resp := Response{
		Status: Num(ex.Status), StatusText: r.StatusText, HTTPVersion: proto, Cookies: []Cookie{}, Headers: nv(r.ResponseHeaders),
		RedirectURL: respH.Get("Location"), HeadersSize: -1, BodySize: Num(max(ex.ResponseBytes, -1)),
		Content: Content{Size: Num(max(ex.ResponseBytes, 0)), MimeType: respH.Get("Content-Type")},
	}
	if resp.StatusText == "" {
		resp.StatusText = http.StatusText(ex.Status)
	}
	if ex.Status == 0 {
		resp.HTTPVersion = ""
		resp.Comment = fl.Error
	}
	for _, c := range (&http.Response{Header: respH}).Cookies() {
		resp.Cookies = append(resp.Cookies, Cookie{Name: c.Name, Value: c.Value, Path: c.Path, Domain: c.Domain, HTTPOnly: c.HttpOnly, Secure: c.Secure})
	}
	if len(r.ResponseBody) > 0 {
		if utf8.Valid(r.ResponseBody) && respH.Get("Content-Encoding") == "" {
			resp.Content.Text = string(r.ResponseBody)
		} else {
			resp.Content.Text = base64.StdEncoding.EncodeToString(r.ResponseBody)
			resp.Content.Encoding = "base64"
		}
		if r.ResponseBodyTruncated {
			resp.Content.Comment = fmt.Sprintf("text holds the first %d of %d bytes", len(r.ResponseBody), ex.ResponseBytes)
		}
	}
	e.Request, e.Response = req, resp
	connect := tm.Connect
	if connect >= 0 && tm.TLS >= 0 {
		connect += tm.TLS // HAR's connect includes the TLS handshake
	}
	clamp := func(d time.Duration) Num { return max(toMS(d), 0) }
	e.Timings = Timings{Blocked: numPtr(-1), DNS: optMS(tm.DNS), Connect: optMS(connect), SSL: optMS(tm.TLS),
		Send: clamp(tm.Send), Wait: clamp(tm.Wait), Receive: clamp(tm.Transfer)}
	return e
}
