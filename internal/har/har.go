// Package har reads and writes HTTP Archive (HAR 1.2) files: export of hopscope proxy sessions, and
// import of HAR from browsers (Chromium), OWASP ZAP and mitmproxy into an inventory.Inventory.
//
// Format: the HAR 1.2 specification (W3C Web Performance draft, "HTTP Archive (HAR) format",
// http://www.softwareishard.com/blog/har-12-spec/). Custom fields start with '_'.
package har

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// File is a whole HAR document.
type File struct {
	Log Log `json:"log"`
}

// Log is the HAR root object.
type Log struct {
	Version string   `json:"version"`
	Creator Creator  `json:"creator"`
	Browser *Creator `json:"browser,omitempty"`
	Pages   []Page   `json:"pages,omitempty"`
	Entries []Entry  `json:"entries"`
	Comment string   `json:"comment,omitempty"`
}

// Creator names the tool (or browser) that wrote the file.
type Creator struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	Comment string `json:"comment,omitempty"`
}

// Page is one page load (browsers only).
type Page struct {
	StartedDateTime string         `json:"startedDateTime"`
	ID              string         `json:"id"`
	Title           string         `json:"title"`
	PageTimings     map[string]Num `json:"pageTimings"`
}

// Entry is one HTTP exchange.
type Entry struct {
	Pageref         string   `json:"pageref,omitempty"`
	StartedDateTime string   `json:"startedDateTime"`
	Time            Num      `json:"time"`
	Request         Request  `json:"request"`
	Response        Response `json:"response"`
	Cache           struct{} `json:"cache"`
	Timings         Timings  `json:"timings"`
	ServerIPAddress string   `json:"serverIPAddress,omitempty"`
	// Connection is the client or server connection id; Chromium writes a number in a string, others a
	// number or a host:port.
	Connection FlexString `json:"connection,omitempty"`
	Comment    string     `json:"comment,omitempty"`

	// Custom fields read on import and written on export.
	ResourceType      string            `json:"_resourceType,omitempty"`
	WebSocketMessages []json.RawMessage `json:"_webSocketMessages,omitempty"`
	FlowID            string            `json:"_hopscopeFlowId,omitempty"`
	Process           string            `json:"_process,omitempty"`
	Passthrough       string            `json:"_passthrough,omitempty"`
	Error             string            `json:"_error,omitempty"`
}

// Request is a HAR request.
type Request struct {
	Method      string    `json:"method"`
	URL         string    `json:"url"`
	HTTPVersion string    `json:"httpVersion"`
	Cookies     []Cookie  `json:"cookies"`
	Headers     []NV      `json:"headers"`
	QueryString []NV      `json:"queryString"`
	PostData    *PostData `json:"postData,omitempty"`
	HeadersSize Num       `json:"headersSize"`
	BodySize    Num       `json:"bodySize"`
	Comment     string    `json:"comment,omitempty"`
}

// Response is a HAR response.
type Response struct {
	Status      Num      `json:"status"`
	StatusText  string   `json:"statusText"`
	HTTPVersion string   `json:"httpVersion"`
	Cookies     []Cookie `json:"cookies"`
	Headers     []NV     `json:"headers"`
	Content     Content  `json:"content"`
	RedirectURL string   `json:"redirectURL"`
	HeadersSize Num      `json:"headersSize"`
	BodySize    Num      `json:"bodySize"`
	Comment     string   `json:"comment,omitempty"`
	// TransferSize is Chromium's bytes on the wire (headers and compressed body).
	TransferSize *Num `json:"_transferSize,omitempty"`
}

// NV is a name/value pair (headers, query parameters).
type NV struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Cookie is a HAR cookie.
type Cookie struct {
	Name     string `json:"name"`
	Value    string `json:"value"`
	Path     string `json:"path,omitempty"`
	Domain   string `json:"domain,omitempty"`
	Expires  string `json:"expires,omitempty"`
	HTTPOnly bool   `json:"httpOnly,omitempty"`
	Secure   bool   `json:"secure,omitempty"`
}

// PostData is a request body.
type PostData struct {
	MimeType string `json:"mimeType"`
	Text     string `json:"text"`
	Comment  string `json:"comment,omitempty"`
}

// Content is a response body.
type Content struct {
	Size     Num    `json:"size"`
	MimeType string `json:"mimeType"`
	Text     string `json:"text,omitempty"`
	Encoding string `json:"encoding,omitempty"`
	Comment  string `json:"comment,omitempty"`
}

// Timings are in milliseconds; -1 means not applicable. send, wait and receive are required.
type Timings struct {
	Blocked *Num `json:"blocked,omitempty"`
	DNS     *Num `json:"dns,omitempty"`
	Connect *Num `json:"connect,omitempty"`
	Send    Num  `json:"send"`
	Wait    Num  `json:"wait"`
	Receive Num  `json:"receive"`
	SSL     *Num `json:"ssl,omitempty"`
}

// Num is a HAR number that also accepts a numeric string or null (seen in hand-edited and ZAP files);
// null reads as -1.
type Num float64

// UnmarshalJSON accepts a number, a numeric string or null.
func (n *Num) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if string(b) == "null" {
		*n = -1
		return nil
	}
	s := string(b)
	if len(b) > 0 && b[0] == '"' {
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if strings.TrimSpace(s) == "" {
			*n = -1
			return nil
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
	if err != nil {
		return fmt.Errorf("want a number, got %.40s", b)
	}
	*n = Num(f)
	return nil
}

// FlexString is a string that also accepts a JSON number.
type FlexString string

// UnmarshalJSON accepts a string, a number or null.
func (f *FlexString) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	switch {
	case string(b) == "null":
		*f = ""
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*f = FlexString(s)
	default:
		var n json.Number
		if err := json.Unmarshal(b, &n); err != nil {
			return fmt.Errorf("want a string or number, got %.40s", b)
		}
		*f = FlexString(n.String())
	}
	return nil
}

func numPtr(v float64) *Num { n := Num(v); return &n }
