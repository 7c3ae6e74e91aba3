package mitm

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strconv"
	"strings"
)

// ErrProxyLoop means a request or tunnel would come back to this proxy: the upstream proxy is the
// proxy itself, or a message already carries this proxy's Via token (RFC 9110 section 7.6.3), so
// forwarding it again would recurse. The proxy refuses it with 508 Loop Detected instead.
var ErrProxyLoop = errors.New("proxy loop")

// newViaName is "hopscope-" and 8 random hex digits: unique per proxy, so two proxies chained on
// purpose pass each other's messages and only a message that comes back to its sender is refused.
func newViaName() string {
	var b [4]byte
	rand.Read(b[:])
	return "hopscope-" + hex.EncodeToString(b[:])
}

// viaHas reports whether any Via field value lists name as a received-by entry.
func viaHas(values []string, name string) bool {
	for _, v := range values {
		for _, entry := range strings.Split(v, ",") {
			if f := strings.Fields(entry); len(f) >= 2 && strings.EqualFold(f[1], name) {
				return true
			}
		}
	}
	return false
}

// viaEntry is this proxy's Via entry for a message received as HTTP major.minor.
func (p *Proxy) viaEntry(major, minor int) string {
	if major >= 2 {
		return strconv.Itoa(major) + " " + p.cfg.ViaName
	}
	return strconv.Itoa(major) + "." + strconv.Itoa(minor) + " " + p.cfg.ViaName
}

type viaKey struct{}

// withVia carries the Via chain of the message being forwarded to the dialer, which repeats it (and
// adds this proxy) on a CONNECT to an upstream proxy.
func withVia(ctx context.Context, chain []string) context.Context {
	if len(chain) == 0 {
		return ctx
	}
	return context.WithValue(ctx, viaKey{}, chain)
}

func viaFrom(ctx context.Context) []string {
	v, _ := ctx.Value(viaKey{}).([]string)
	return v
}

// refuseLoop answers a message that already passed through this proxy; it is logged once here and
// recorded as a flow by the proxy that sent it, so a loop costs one error flow, not one per pass.
func (p *Proxy) refuseLoop(w http.ResponseWriter, r *http.Request, ci *connInfo) {
	p.cfg.Logf("refused %s %s from %s: it already passed through this proxy (Via %q): %v", r.Method, r.Host, ci.client, r.Header.Values("Via"), ErrProxyLoop)
	w.Header().Set("Connection", "close")
	http.Error(w, "hopscope proxy: proxy loop: this request already passed through this proxy ("+p.cfg.ViaName+")", http.StatusLoopDetected)
}
