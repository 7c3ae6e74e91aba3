package mitm

import (
	"crypto/rand"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func BenchmarkLeafCached(b *testing.B) {
	ca, _ := NewCA("bench", time.Now(), rand.Reader)
	l, _ := NewLeaves(ca, LeafConfig{})
	l.Get("api.app.test")
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.Get("api.app.test"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLeafMint(b *testing.B) {
	ca, _ := NewCA("bench", time.Now(), rand.Reader)
	l, _ := NewLeaves(ca, LeafConfig{Size: 16})
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		if _, err := l.Get("h" + strconv.Itoa(i) + ".app.test"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkInterceptedRequest measures one intercepted HTTPS request over a kept-alive tunnel, both TLS
// legs and the origin in this process.
func BenchmarkInterceptedRequest(b *testing.B) {
	l := newLabB(b)
	o := l.origin(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 1024)) }), true)
	c := l.client(false)
	u := "https://api.app.test:" + l.port(o) + "/small"
	b.ReportAllocs()
	for b.Loop() {
		resp, err := c.Get(u)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
}

// BenchmarkInterceptedParallel runs intercepted requests from several kept-alive client connections.
func BenchmarkInterceptedParallel(b *testing.B) {
	l := newLabB(b)
	o := l.origin(b, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write(make([]byte, 1024)) }), true)
	u := "https://api.app.test:" + l.port(o) + "/small"
	b.ReportAllocs()
	b.SetParallelism(4)
	b.RunParallel(func(pb *testing.PB) {
		c := l.client(false)
		for pb.Next() {
			resp, err := c.Get(u)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
}
