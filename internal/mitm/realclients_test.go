package mitm

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"hopscope/internal/inventory"
)

func needTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not installed (CI installs it): %v", name, err)
	}
	return p
}

func TestCurl(t *testing.T) {
	curl := needTool(t, "curl")
	l := newLab(t)
	o := l.origin(t, http.HandlerFunc(hello), true)
	ca := l.caFile(t)
	for _, tc := range []struct {
		name, flag, want string
	}{
		{"http/1.1", "--http1.1", "1.1"},
		{"http/2", "--http2", "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			u := "https://curl.app.test:" + l.port(o) + "/c"
			out, err := exec.Command(curl, "-sS", "--max-time", "20", "--proxy", "http://"+l.addr, "--cacert", ca, tc.flag,
				"-w", "\n%{http_code} %{http_version}", u).CombinedOutput()
			if err != nil {
				t.Fatalf("curl: %v\n%s", err, out)
			}
			lines := strings.Split(strings.TrimSpace(string(out)), "\n")
			if last := lines[len(lines)-1]; last != "200 "+tc.want || !strings.HasPrefix(lines[0], "hello curl.app.test") {
				t.Errorf("curl output %q, want status 200 over HTTP/%s", out, tc.want)
			}
		})
	}
}

// TestCurlLargeDownloadStreams downloads a body generated on the fly (200 MB by default,
// HOPSCOPE_BIG_MB to change it) and samples the process's heap and RSS during the transfer: the proxy
// must stream, so memory stays flat. The figures are logged, not asserted against a time.
func TestCurlLargeDownloadStreams(t *testing.T) {
	curl := needTool(t, "curl")
	mb := 200
	if v, err := strconv.Atoi(os.Getenv("HOPSCOPE_BIG_MB")); err == nil && v > 0 {
		mb = v
	}
	size := int64(mb) << 20
	l := newLab(t)
	chunk := []byte(strings.Repeat("0123456789abcdef", 4096))
	o := l.origin(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
		for left := size; left > 0; {
			n := min(left, int64(len(chunk)))
			if _, err := w.Write(chunk[:n]); err != nil {
				return
			}
			left -= n
		}
	}), true)
	runtime.GC()
	base := heapInuse()
	var mu sync.Mutex
	var heap, rss []uint64
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tk.C:
				h, r := heapInuse(), vmRSS()
				mu.Lock()
				heap, rss = append(heap, h), append(rss, r)
				mu.Unlock()
			}
		}
	}()
	start := time.Now()
	out, err := exec.Command(curl, "-sS", "--max-time", "120", "--proxy", "http://"+l.addr, "--cacert", l.caFile(t), "--http2",
		"-o", "/dev/null", "-w", "%{size_download}", "https://big.app.test:"+l.port(o)+"/big").CombinedOutput()
	elapsed := time.Since(start)
	cancel()
	<-done
	if err != nil {
		t.Fatalf("curl: %v\n%s", err, out)
	}
	if got := strings.TrimSpace(string(out)); got != strconv.FormatInt(size, 10) {
		t.Fatalf("downloaded %s bytes, want %d", got, size)
	}
	waitFor(t, "flow", func() bool { return len(l.rec.all()) == 1 })
	if f := l.rec.all()[0]; f.Flow.HTTP.ResponseBytes != size || len(f.ResponseBody) != 1024 || !f.ResponseBodyTruncated {
		t.Errorf("flow recorded %d bytes, kept %d (truncated %v)", f.Flow.HTTP.ResponseBytes, len(f.ResponseBody), f.ResponseBodyTruncated)
	}
	mu.Lock()
	defer mu.Unlock()
	hp, rp := pctl(heap, 0.5), pctl(heap, 1)
	t.Logf("%d MB in %v (%.0f MB/s through the proxy, both TLS legs in this process); heap in use: baseline %.1f MB, median %.1f MB, max %.1f MB; RSS median %.1f MB, max %.1f MB (%d samples)",
		mb, elapsed.Round(time.Millisecond), float64(mb)/elapsed.Seconds(), mib(base), mib(hp), mib(rp), mib(pctl(rss, 0.5)), mib(pctl(rss, 1)), len(heap))
	// The body is 200 MB; a proxy that buffered it would hold it. Flat means far below the body size.
	if rp > base+uint64(size)/4 {
		t.Errorf("heap grew to %.1f MB while streaming %d MB: the body is being buffered", mib(rp), mb)
	}
}

func heapInuse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// vmRSS reads VmRSS from /proc/self/status in bytes; 0 when unavailable.
func vmRSS() uint64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			kb, _ := strconv.ParseUint(f[1], 10, 64)
			return kb << 10
		}
	}
	return 0
}

func pctl(v []uint64, q float64) uint64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]uint64(nil), v...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[int(q*float64(len(s)-1))]
}

func mib(b uint64) float64 { return float64(b) / (1 << 20) }

// TestChromium loads a page whose subresources come from several hosts through the proxy with headless
// Chromium, trusting our CA the two ways `hopscope ca trust-help` gives for Chromium on Linux: added to
// the user's NSS database with certutil (as a user installs it), and by its SPKI hash for one run.
// Chromium resolves nothing itself (every name maps to NOTFOUND); the proxy maps every name to the
// loopback origin.
func TestChromium(t *testing.T) {
	chromium := ""
	for _, n := range []string{"chromium", "chromium-browser"} {
		if p, err := exec.LookPath(n); err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("chromium not installed (CI installs Debian's chromium)")
	}
	t.Run("NSS database", func(t *testing.T) {
		if _, err := exec.LookPath("certutil"); err != nil {
			t.Skip("certutil not installed (CI installs Debian's libnss3-tools)")
		}
		home := t.TempDir()
		testChromium(t, chromium, func(l *lab) (args, env []string) {
			ca := filepath.Join(t.TempDir(), "hopscope-ca.pem")
			if err := os.WriteFile(ca, l.ca.PEM(), 0o644); err != nil {
				t.Fatal(err)
			}
			db := "sql:" + filepath.Join(home, ".pki", "nssdb")
			os.MkdirAll(filepath.Join(home, ".pki", "nssdb"), 0o700)
			for _, c := range [][]string{
				{"-N", "-d", db, "--empty-password"},
				{"-d", db, "-A", "-t", "C,,", "-n", "hopscope", "-i", ca}, // the command trust-help prints
			} {
				if out, err := exec.Command("certutil", c...).CombinedOutput(); err != nil {
					t.Fatalf("certutil %v: %v\n%s", c, err, out)
				}
			}
			return nil, []string{"HOME=" + home}
		})
	})
	t.Run("SPKI flag", func(t *testing.T) {
		testChromium(t, chromium, func(l *lab) (args, env []string) {
			return []string{"--ignore-certificate-errors-spki-list=" + l.ca.SPKIHash()}, nil
		})
	})
}

// testChromium runs the page load of TestChromium; trust returns Chromium's extra arguments and
// environment that make it trust the lab's CA.
func testChromium(t *testing.T, chromium string, trust func(l *lab) (args, env []string)) {
	l := newLab(t)
	var o string
	mux := http.NewServeMux()
	mux.HandleFunc("www.app.test/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		fmt.Fprintf(w, `<!doctype html><html><head><link rel="stylesheet" href="https://static.app.test:%[1]s/site.css"></head>
<body><img src="https://img.app.test:%[1]s/logo.png"><script src="https://api.app.test:%[1]s/app.js"></script></body></html>`, o)
	})
	mux.HandleFunc("static.app.test/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/css")
		fmt.Fprint(w, "body{color:#333}")
	})
	mux.HandleFunc("img.app.test/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "image/gif")
		w.Write([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"))
	})
	mux.HandleFunc("api.app.test/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/javascript")
		fmt.Fprint(w, `document.body.insertAdjacentHTML("beforeend", "<p id=ok>script-ran</p>");`)
	})
	srv := l.origin(t, mux, true)
	o = l.port(srv)
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	extra, env := trust(l)
	args := append([]string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage",
		"--user-data-dir=" + t.TempDir(), "--proxy-server=http://" + l.addr,
		"--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1", "--virtual-time-budget=5000"}, extra...)
	cmd := exec.CommandContext(ctx, chromium, append(args, "--dump-dom", "https://www.app.test:"+o+"/")...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("chromium: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "script-ran") {
		t.Fatalf("page did not run its script:\n%s", out)
	}
	// the inventory hopscope domains would print: every host of the page, under app.test
	inv := &inventory.Inventory{Source: "proxy"}
	for _, r := range l.rec.all() {
		if strings.HasSuffix(r.Flow.Host, ".app.test") { // Chromium's own background hosts are mapped away
			inv.Flows = append(inv.Flows, r.Flow)
		}
	}
	sum := inventory.Summarize(inv, nil)
	count := map[string]int{}
	for _, d := range sum.Domains {
		for _, h := range d.Hosts {
			if d.Domain != "app.test" {
				t.Errorf("host %s grouped under %s, want app.test", h.Host, d.Domain)
			}
			count[h.Host] = h.Requests
		}
	}
	for h, want := range map[string]int{"static.app.test": 1, "img.app.test": 1, "api.app.test": 1} {
		if count[h] != want {
			t.Errorf("%s: %d requests, want %d (all: %v)", h, count[h], want, count)
		}
	}
	if count["www.app.test"] < 1 { // the page, and perhaps /favicon.ico
		t.Errorf("no request for the page (all: %v)", count)
	}
	t.Logf("requests per host: %v", count)
}
