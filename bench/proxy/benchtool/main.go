// Command benchtool is the loopback origin server and bounded load generator used by bench/proxy/run.sh
// to compare hopscope proxy with mitmproxy under the same load.
//
//	benchtool origin -listen 127.0.0.1:0 -dir DIR   HTTPS origin with its own CA (DIR/origin-ca.pem), prints its address
//	benchtool load -url URL [-proxy URL -cacert FILE] -c N -d DUR -n MAX [-raw]   keep-alive GETs, JSON summary on stdout
//	benchtool proxy -listen ADDR -upstream-ca FILE -dir DIR -cpuprofile FILE -d DUR  the proxy in-process, profiled
//
// Every address must be loopback: the tool refuses anything else.
package main

import (
	"bufio"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"hopscope/internal/mitm"
	"hopscope/internal/session"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: benchtool origin|load [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "origin":
		err = origin(os.Args[2:])
	case "load":
		err = load(os.Args[2:])
	case "proxy":
		err = proxyProfile(os.Args[2:])
	default:
		err = fmt.Errorf("unknown subcommand %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchtool:", err)
		os.Exit(1)
	}
}

func mustLoopback(hostport string) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return err
	}
	if host == "localhost" {
		return nil
	}
	a, err := netip.ParseAddr(host)
	if err != nil || !a.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address", hostport)
	}
	return nil
}

// origin serves /small (1 KiB), /big?bytes=N (generated on the fly) over HTTPS with HTTP/2.
func origin(args []string) error {
	fs := flag.NewFlagSet("origin", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback listen address")
	dir := fs.String("dir", ".", "where to write origin-ca.pem")
	fs.Parse(args)
	if err := mustLoopback(*listen); err != nil {
		return err
	}
	ca, err := mitm.NewCA("benchtool origin CA", time.Now(), rand.Reader)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "origin-ca.pem"), ca.PEM(), 0o644); err != nil {
		return err
	}
	leaves, err := mitm.NewLeaves(ca, mitm.LeafConfig{})
	if err != nil {
		return err
	}
	small := make([]byte, 1024)
	chunk := make([]byte, 64<<10)
	for i := range chunk {
		chunk[i] = byte('a' + i%26)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/small", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/octet-stream")
		w.Write(small)
	})
	mux.HandleFunc("/big", func(w http.ResponseWriter, r *http.Request) {
		n, err := strconv.ParseInt(r.URL.Query().Get("bytes"), 10, 64)
		if err != nil || n < 0 || n > 8<<30 {
			http.Error(w, "bytes: 0..8 GiB", 400)
			return
		}
		w.Header().Set("Content-Length", strconv.FormatInt(n, 10))
		for n > 0 {
			k := min(n, int64(len(chunk)))
			if _, err := w.Write(chunk[:k]); err != nil {
				return
			}
			n -= k
		}
	})
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, TLSConfig: &tls.Config{
		NextProtos: []string{"h2", "http/1.1"},
		GetCertificate: func(hi *tls.ClientHelloInfo) (*tls.Certificate, error) {
			name := hi.ServerName
			if name == "" {
				name = "127.0.0.1"
			}
			return leaves.Get(name)
		},
	}}
	fmt.Println(ln.Addr().String())
	os.Stdout.Sync()
	return srv.ServeTLS(ln, "", "")
}

type result struct {
	Requests  int64   `json:"requests"`
	Errors    int64   `json:"errors"`
	Seconds   float64 `json:"seconds"`
	RPS       float64 `json:"rps"`
	P50ms     float64 `json:"p50_ms"`
	P90ms     float64 `json:"p90_ms"`
	P99ms     float64 `json:"p99_ms"`
	Conns     int     `json:"connections"`
	FirstErr  string  `json:"first_error,omitempty"`
	BodyBytes int64   `json:"body_bytes"`
}

// load runs c workers, each with its own keep-alive connection (through the proxy's CONNECT tunnel
// when -proxy is set), for at most d and at most n requests in total.
func load(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	target := fs.String("url", "", "https URL on loopback")
	proxy := fs.String("proxy", "", "http://127.0.0.1:PORT of the proxy (empty: direct)")
	cacert := fs.String("cacert", "", "PEM CA the client trusts (the proxy's CA, or the origin's when direct)")
	conns := fs.Int("c", 1, "connections (workers)")
	dur := fs.Duration("d", 10*time.Second, "duration (at most 120s)")
	maxN := fs.Int64("n", 1_000_000, "request cap (at most 10M)")
	h2 := fs.Bool("h2", false, "use HTTP/2 to the proxy instead of HTTP/1.1")
	raw := fs.Bool("raw", false, "HTTP/1.1 on one TLS connection per worker written and read on the worker's goroutine (no net/http client), so the generator takes less of a shared CPU")
	fs.Parse(args)
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "https" {
		return fmt.Errorf("-url must be https://127.0.0.1:PORT/...")
	}
	if err := mustLoopback(u.Host); err != nil {
		return err
	}
	*dur = min(*dur, 120*time.Second)
	*maxN = min(*maxN, 10_000_000)
	*conns = max(1, min(*conns, 256))
	pool := x509.NewCertPool()
	if *cacert != "" {
		b, err := os.ReadFile(*cacert)
		if err != nil {
			return err
		}
		if !pool.AppendCertsFromPEM(b) {
			return fmt.Errorf("%s: no certificates", *cacert)
		}
	}
	var proxyURL *url.URL
	if *proxy != "" {
		proxyURL, err = url.Parse(*proxy)
		if err != nil {
			return err
		}
		if err := mustLoopback(proxyURL.Host); err != nil {
			return err
		}
	}
	var done, errs, body atomic.Int64
	var firstErr atomic.Value
	lat := make([][]time.Duration, *conns)
	deadline := time.Now().Add(*dur)
	start := time.Now()
	var wg sync.WaitGroup
	for w := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if *raw {
				rawWorker(u, proxyURL, pool, deadline, *maxN, &done, &errs, &body, &firstErr, &lat[w])
				return
			}
			tr := &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, MaxConnsPerHost: 1, MaxIdleConnsPerHost: 1, ForceAttemptHTTP2: *h2}
			if !*h2 {
				tr.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			}
			if proxyURL != nil {
				tr.Proxy = http.ProxyURL(proxyURL)
			}
			c := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			defer tr.CloseIdleConnections()
			for time.Now().Before(deadline) && done.Add(1) <= *maxN {
				t0 := time.Now()
				resp, err := c.Get(*target)
				if err == nil {
					var n int64
					n, err = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					body.Add(n)
					if err == nil && resp.StatusCode != 200 {
						err = fmt.Errorf("status %s", resp.Status)
					}
				}
				if err != nil {
					errs.Add(1)
					firstErr.CompareAndSwap(nil, err.Error())
					continue
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	el := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	q := func(p float64) float64 {
		if len(all) == 0 {
			return 0
		}
		return float64(all[int(p*float64(len(all)-1))].Microseconds()) / 1000
	}
	r := result{Requests: int64(len(all)), Errors: errs.Load(), Seconds: el.Seconds(), RPS: float64(len(all)) / el.Seconds(),
		P50ms: q(0.5), P90ms: q(0.9), P99ms: q(0.99), Conns: *conns, BodyBytes: body.Load()}
	if v, ok := firstErr.Load().(string); ok {
		r.FirstErr = v
	}
	return json.NewEncoder(os.Stdout).Encode(r)
}

// rawWorker sends keep-alive GETs for u on one TLS connection (through a CONNECT tunnel when proxy is
// set), reconnecting after an error, until the deadline or the request cap; latencies go to lat.
func rawWorker(u, proxy *url.URL, pool *x509.CertPool, deadline time.Time, maxN int64, done, errs, body *atomic.Int64, firstErr *atomic.Value, lat *[]time.Duration) {
	req := []byte("GET " + u.RequestURI() + " HTTP/1.1\r\nHost: " + u.Host + "\r\nUser-Agent: benchtool\r\n\r\n")
	fail := func(err error) {
		errs.Add(1)
		firstErr.CompareAndSwap(nil, err.Error())
	}
	for time.Now().Before(deadline) && done.Load() < maxN {
		c, br, err := rawConnect(u, proxy, pool)
		if err != nil {
			fail(err)
			time.Sleep(10 * time.Millisecond)
			continue
		}
		for time.Now().Before(deadline) && done.Add(1) <= maxN {
			t0 := time.Now()
			c.SetDeadline(t0.Add(30 * time.Second))
			if _, err = c.Write(req); err != nil {
				break
			}
			var resp *http.Response
			if resp, err = http.ReadResponse(br, nil); err != nil {
				break
			}
			n, cerr := io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			body.Add(n)
			if err = cerr; err == nil && resp.StatusCode != 200 {
				err = fmt.Errorf("status %s", resp.Status)
			}
			if err != nil {
				break
			}
			*lat = append(*lat, time.Since(t0))
		}
		if err != nil {
			fail(err)
		}
		c.Close()
	}
}

// rawConnect opens a TLS connection to u's host, through a CONNECT tunnel of proxy when it is set.
func rawConnect(u, proxy *url.URL, pool *x509.CertPool) (net.Conn, *bufio.Reader, error) {
	addr := u.Host
	if proxy != nil {
		addr = proxy.Host
	}
	c, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return nil, nil, err
	}
	c.SetDeadline(time.Now().Add(30 * time.Second))
	if proxy != nil {
		fmt.Fprintf(c, "CONNECT %s HTTP/1.1\r\nHost: %s\r\n\r\n", u.Host, u.Host)
		resp, err := http.ReadResponse(bufio.NewReaderSize(c, 1), &http.Request{Method: http.MethodConnect})
		if err != nil || resp.StatusCode != 200 {
			c.Close()
			return nil, nil, fmt.Errorf("CONNECT %s: %v %v", u.Host, resp, err)
		}
	}
	tc := tls.Client(c, &tls.Config{RootCAs: pool, ServerName: u.Hostname(), NextProtos: []string{"http/1.1"}})
	if err := tc.Handshake(); err != nil {
		c.Close()
		return nil, nil, err
	}
	return tc, bufio.NewReaderSize(tc, 16<<10), nil
}

// proxyProfile runs the hopscope proxy in this process for d, writing a CPU profile (for finding where an
// intercepted request's time goes; the CLI has no profiling endpoint by design).
func proxyProfile(args []string) error {
	fs := flag.NewFlagSet("proxy", flag.ExitOnError)
	listen := fs.String("listen", "127.0.0.1:0", "loopback listen address")
	upCA := fs.String("upstream-ca", "", "origin CA PEM")
	dir := fs.String("dir", ".", "where to write proxy-ca.pem and the session")
	prof := fs.String("cpuprofile", "", "CPU profile output")
	d := fs.Duration("d", 10*time.Second, "run time (at most 120s)")
	fs.Parse(args)
	if err := mustLoopback(*listen); err != nil {
		return err
	}
	ca, err := mitm.NewCA("benchtool proxy CA", time.Now(), rand.Reader)
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(*dir, "proxy-ca.pem"), ca.PEM(), 0o644); err != nil {
		return err
	}
	b, err := os.ReadFile(*upCA)
	if err != nil {
		return err
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		return fmt.Errorf("%s: no PEM", *upCA)
	}
	oc, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		return err
	}
	sess, err := session.Open(filepath.Join(*dir, "profile.jsonl"), session.Config{})
	if err != nil {
		return err
	}
	defer sess.Close()
	p, err := mitm.New(mitm.Config{CA: ca, UpstreamCAs: []*x509.Certificate{oc}, Recorder: sess, RecordBytes: 64 << 10})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	os.Stdout.Sync()
	if *prof != "" {
		f, err := os.Create(*prof)
		if err != nil {
			return err
		}
		pprof.StartCPUProfile(f)
		defer func() { pprof.StopCPUProfile(); f.Close() }()
	}
	go p.Serve(ln)
	time.Sleep(min(*d, 120*time.Second))
	return p.Close()
}
