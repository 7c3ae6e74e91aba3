// Package inventory is the model of what an application talked to: flows from a proxy, a HAR file or a
// capture, and their grouping into hosts and registrable domains.
package inventory

import (
	"net/netip"
	"time"
)

// Flow is one exchange with one server: an HTTP request seen by the proxy, a HAR entry, or a
// transport flow (both directions) reassembled from a capture.
type Flow struct {
	// ID is unique within an inventory (proxy sequence number, capture flow index).
	ID string `json:"id"`
	// Host is the server name the flow is attributed to; empty when nothing named it.
	Host string `json:"host,omitempty"`
	// NameSource says what named the flow: "sni", "quic-sni", "http-host", "connect", "dns", "rdns", "har".
	// Empty when Host is empty.
	NameSource string `json:"name_source,omitempty"`
	// AskedName is the name the client asked DNS for when it differs from Host (Host is then a CNAME target);
	// empty otherwise.
	AskedName string `json:"asked_name,omitempty"`

	Client netip.AddrPort `json:"client,omitzero"`
	Server netip.AddrPort `json:"server,omitzero"`
	// Transport is "tcp" or "udp"; empty when unknown (HAR).
	Transport string `json:"transport,omitempty"`
	// Protocol is what the content was recognised as: "tls", "quic", "http", "http2", "dns", "mmtls", "ssh",
	// "websocket", "unknown".
	Protocol string `json:"protocol"`
	// FirstBytes is a hex dump of the first bytes of an unrecognised flow; empty otherwise.
	FirstBytes string `json:"first_bytes,omitempty"`

	Start    time.Time     `json:"start,omitzero"`
	Duration time.Duration `json:"duration_ns,omitempty"`

	BytesUp     int64 `json:"bytes_up"`
	BytesDown   int64 `json:"bytes_down"`
	PacketsUp   int64 `json:"packets_up,omitempty"`
	PacketsDown int64 `json:"packets_down,omitempty"`

	// HandshakeRTT is the TCP SYN→SYN/ACK→ACK time seen at the capture point (or the connect time at the proxy);
	// meaningful only when HasHandshakeRTT.
	HandshakeRTT    time.Duration `json:"handshake_rtt_ns,omitempty"`
	HasHandshakeRTT bool          `json:"has_handshake_rtt,omitempty"`

	// HTTP holds request-level details when the flow is an HTTP exchange; nil otherwise.
	HTTP *HTTPExchange `json:"http,omitempty"`
	// TLS holds handshake details when known; nil otherwise.
	TLS *TLSInfo `json:"tls,omitempty"`
	// Process is the client process ("name[pid]") when it could be known; empty otherwise.
	Process string `json:"process,omitempty"`
	// Intercepted is true when the proxy decrypted the flow; Passthrough gives the reason when it did not.
	Intercepted bool   `json:"intercepted,omitempty"`
	Passthrough string `json:"passthrough,omitempty"`
	// Error is what went wrong with this flow, if anything.
	Error string `json:"error,omitempty"`
	// CertRefusal is RefusalUntrusted when the client refused the proxy's certificate, RefusalPinned
	// when the host is passed through because its client refused it repeatedly; "" otherwise.
	CertRefusal string `json:"cert_refusal,omitempty"`
}

// Values of Flow.CertRefusal.
const (
	RefusalUntrusted = "untrusted"
	RefusalPinned    = "pinned"
)

// HTTPExchange is one HTTP request and its response.
type HTTPExchange struct {
	Method string `json:"method"`
	URL    string `json:"url"`
	// Status is the response status code; 0 when no response was received.
	Status      int    `json:"status,omitempty"`
	Proto       string `json:"proto,omitempty"`
	ContentType string `json:"content_type,omitempty"`
	// RequestBytes and ResponseBytes are body sizes as transferred; -1 when unknown.
	RequestBytes  int64 `json:"request_bytes"`
	ResponseBytes int64 `json:"response_bytes"`
	// Timings of the exchange; a negative value means not applicable (as in HAR).
	Timings Timings `json:"timings"`
}

// Timings splits an exchange's time the way HAR does. Negative means not applicable.
type Timings struct {
	DNS      time.Duration `json:"dns_ns"`
	Connect  time.Duration `json:"connect_ns"`
	TLS      time.Duration `json:"tls_ns"`
	Send     time.Duration `json:"send_ns"`
	Wait     time.Duration `json:"wait_ns"`
	Transfer time.Duration `json:"transfer_ns"`
}

// TLSInfo is what a TLS (or QUIC) handshake revealed.
type TLSInfo struct {
	SNI     string   `json:"sni,omitempty"`
	Version string   `json:"version,omitempty"`
	ALPN    []string `json:"alpn,omitempty"`
	// Cipher is the negotiated suite when known.
	Cipher string `json:"cipher,omitempty"`
}

// Inventory is every flow one source recorded.
type Inventory struct {
	// Source is "proxy", "har", "capture" or "hosts".
	Source string `json:"source"`
	// Origin names the file, interface or session it came from.
	Origin   string    `json:"origin,omitempty"`
	Started  time.Time `json:"started,omitzero"`
	Ended    time.Time `json:"ended,omitzero"`
	Flows    []Flow    `json:"flows"`
	Warnings []string  `json:"warnings,omitempty"`
}
