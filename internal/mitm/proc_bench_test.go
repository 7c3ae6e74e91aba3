package mitm

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"hopscope/internal/session"
)

// Issue 16's 1,000-connection load, and the helper processes (this test binary run again) that play
// its clients and its origin so that the proxy's process holds only the proxy's sockets, as it does
// in front of curl or a browser.

// procHelperEnv set to "client" or "origin" makes TestProcessTableNamesExternalClient that helper, if
// procParentEnv names the parent process (so that a stray variable in a test run's environment does
// not turn the test into a helper); helperLife bounds a helper's life.
const (
	procHelperEnv = "HOPSCOPE_PROC_HELPER"
	procParentEnv = "HOPSCOPE_PROC_HELPER_PARENT"
	helperLife    = 10 * time.Minute
)

// BenchmarkProxyConnections is issue 16's 1,000-connection load: each op opens 1,000 client
// connections at once, each sends one plain HTTP request through the proxy, and all stay open until
// every response is in and every flow is recorded. "lookup" names every client's process through a
// ProcessTable; "no-process" (--no-process) skips it. The issue asks lookup to cost at most 10% more.
//
// "external" is the headline: the clients are one child process and the origin another, so the
// benchmark's own process is the proxy alone and its cpu-ms/op is the proxy's CPU. "in-process" runs
// clients and origin as goroutines of the proxy's process (cpu-ms/op counts all three), where the
// table's descriptor reads also land on the proxy's and the origin's sockets.
func BenchmarkProxyConnections(b *testing.B) {
	const conns = 1000
	for _, where := range []string{"external", "in-process"} {
		b.Run(where, func(b *testing.B) {
			table := NewProcessTable(ProcessTableConfig{})
			for _, mode := range []struct {
				name   string
				lookup func(client, local netip.AddrPort) string
			}{
				{"no-process", nil},
				{"lookup", table.Lookup},
				{"scan-per-connection", LookupProcess},
			} {
				b.Run(mode.name, func(b *testing.B) {
					if mode.name == "scan-per-connection" && os.Getenv("HOPSCOPE_BENCH_OLD") == "" {
						b.Skip("the old per-connection walk takes seconds per op; HOPSCOPE_BENCH_OLD=1 runs it")
					}
					counted := table
					if mode.name != "lookup" {
						counted = nil
					}
					benchConnections(b, where == "external", counted, mode.lookup, conns)
				})
			}
		})
	}
}

// benchConnections runs BenchmarkProxyConnections' ops through a proxy that names processes with
// lookup (nil: not at all); table, when not nil, is lookup's, whose counters it reports.
func benchConnections(b *testing.B, external bool, table *ProcessTable, lookup func(client, local netip.AddrPort) string, conns int) {
	var named, recorded atomic.Int64
	l := newLabB(b, func(c *Config) {
		c.ProcessLookup = lookup
		c.Recorder = recorderFunc(func(f string) {
			recorded.Add(1)
			if f != "" {
				named.Add(1)
			}
		})
	})
	var burst func() error
	var originConns func() (int, error) // connections the origin has accepted
	if external {
		client, origin := startHelpers(b, l.addr, conns)
		burst = client.burst
		originConns = origin.count
	} else {
		var accepted atomic.Int64
		o := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
		o.Config.ConnState = countNew(&accepted)
		o.Start()
		b.Cleanup(o.Close)
		u, _ := url.Parse(o.URL + "/")
		burst = func() error { return connectionBurst(l.addr, u, conns) }
		originConns = func() (int, error) { return int(accepted.Load()), nil }
	}
	upstream0, err := originConns()
	if err != nil {
		b.Fatal(err)
	}
	want := int64(0)
	var stats0 tableStats
	if table != nil {
		table.mu.Lock()
		stats0 = table.stats
		table.mu.Unlock()
	}
	cpu0 := processCPU()
	for b.Loop() {
		if err := burst(); err != nil {
			b.Fatal(err)
		}
		// an op ends when every flow is recorded, its process named, not when the responses are in: a
		// lookup still running would otherwise be left out of the last op's time
		want += int64(conns)
		for deadline := time.Now().Add(60 * time.Second); recorded.Load() < want; time.Sleep(100 * time.Microsecond) {
			if time.Now().After(deadline) {
				b.Fatalf("%d of %d flows recorded after 60 s", recorded.Load(), want)
			}
		}
	}
	// the CPU this process used, steadier than wall time on a machine shared with other work
	if cpu := processCPU() - cpu0; cpu > 0 {
		b.ReportMetric(float64(cpu.Milliseconds())/float64(b.N), "cpu-ms/op")
	}
	// the proxy's upstream connections: it dials more when a burst's requests overlap more, which varies
	// from run to run; reported so that a difference between the cases shows
	upstream, err := originConns()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(upstream-upstream0)/float64(b.N), "upstream-conns/op")
	if table != nil {
		table.mu.Lock()
		s := table.stats
		table.mu.Unlock()
		n := float64(b.N * conns)
		b.ReportMetric(float64(s.probes-stats0.probes)/n, "probe-reads/conn")
		b.ReportMetric(float64(s.rereadReads-stats0.rereadReads)/n, "reread-reads/conn")
		b.ReportMetric(float64(s.recentWalks+s.fullWalks-stats0.recentWalks-stats0.fullWalks)/float64(b.N), "rereads/op")
	}
	if lookup != nil && named.Load() == 0 {
		b.Error("no flow named its process")
	}
}

// TestProcessTableNamesExternalClient runs the benchmark's external case small: a client process
// (this test binary again) opens connections through the proxy to an origin in a third process, twice,
// and every flow must be named with the client's pid. With HOPSCOPE_PROC_HELPER set, this test is
// that helper instead.
func TestProcessTableNamesExternalClient(t *testing.T) {
	if role := os.Getenv(procHelperEnv); role != "" && os.Getenv(procParentEnv) == strconv.Itoa(os.Getppid()) {
		os.Exit(runHelper(role, os.Stdin, os.Stdout))
	}
	if runtime.GOOS != "linux" {
		t.Skip("process lookup is implemented on Linux only")
	}
	const conns, bursts = 20, 2
	table := NewProcessTable(ProcessTableConfig{})
	l := newLab(t, func(c *Config) { c.ProcessLookup = table.Lookup })
	client, _ := startHelpers(t, l.addr, conns)
	for range bursts {
		if err := client.burst(); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "every flow", func() bool { return len(l.rec.all()) == conns*bursts })
	want := fmt.Sprintf("[%d]", client.cmd.Process.Pid)
	for i, r := range l.rec.all() {
		if !strings.HasSuffix(r.Flow.Process, want) {
			t.Errorf("flow %d: process %q, want the client process (pid %d)", i, r.Flow.Process, client.cmd.Process.Pid)
		}
	}
}

// helperProc is a running helper: a line on its stdin asks, a line on its stdout answers.
type helperProc struct {
	role string
	cmd  *exec.Cmd
	in   io.WriteCloser
	out  *bufio.Reader
}

// startHelpers starts an origin helper and a client helper that sends conns connections through the
// proxy at proxy to that origin on each burst; both end when tb's cleanup runs.
func startHelpers(tb testing.TB, proxy string, conns int) (client, origin *helperProc) {
	tb.Helper()
	origin = startHelper(tb, "origin")
	addr, err := origin.line()
	if err != nil {
		tb.Fatal(err)
	}
	client = startHelper(tb, "client", "HOPSCOPE_PROC_PROXY="+proxy, "HOPSCOPE_PROC_URL=http://"+addr+"/",
		"HOPSCOPE_PROC_CONNS="+strconv.Itoa(conns))
	return client, origin
}

// startHelper runs this test binary again as a helper of this role.
func startHelper(tb testing.TB, role string, env ...string) *helperProc {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), helperLife)
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestProcessTableNamesExternalClient$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), procHelperEnv+"="+role, procParentEnv+"="+strconv.Itoa(os.Getpid())), env...)
	cmd.Stderr = os.Stderr
	cmd.WaitDelay = 5 * time.Second
	in, err := cmd.StdinPipe()
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		tb.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		tb.Fatalf("start %s helper: %v", role, err)
	}
	tb.Cleanup(func() {
		in.Close() // the helper ends at the end of its input
		if err := cmd.Wait(); err != nil {
			tb.Errorf("%s helper: %v", role, err)
		}
		cancel()
	})
	return &helperProc{role: role, cmd: cmd, in: in, out: bufio.NewReader(out)}
}

// line reads the helper's next answer.
func (h *helperProc) line() (string, error) {
	s, err := h.out.ReadString('\n')
	if err != nil {
		return "", fmt.Errorf("%s helper's answer: %w", h.role, err)
	}
	return strings.TrimSuffix(s, "\n"), nil
}

// count asks an origin helper how many connections it has accepted.
func (h *helperProc) count() (int, error) {
	if _, err := io.WriteString(h.in, "count\n"); err != nil {
		return 0, fmt.Errorf("ask the %s helper: %w", h.role, err)
	}
	got, err := h.line()
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(got)
	if err != nil {
		return 0, fmt.Errorf("%s helper's count %q: %w", h.role, got, err)
	}
	return n, nil
}

// countNew is an http.Server ConnState hook counting new connections into n.
func countNew(n *atomic.Int64) func(net.Conn, http.ConnState) {
	return func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			n.Add(1)
		}
	}
}

// burst asks a client helper for one burst of connections and waits until every response is in.
func (h *helperProc) burst() error {
	if _, err := io.WriteString(h.in, "go\n"); err != nil {
		return fmt.Errorf("ask the %s helper: %w", h.role, err)
	}
	got, err := h.line()
	if err != nil {
		return err
	}
	if got != "ok" {
		return fmt.Errorf("%s helper: %s", h.role, got)
	}
	return nil
}

// runHelper is a helper process's work, until in ends (at most helperLife): "origin" serves "ok" on a
// new loopback port, written first to out, and answers every line read from in with how many
// connections it has accepted; "client" runs connectionBurst for every line read from in, answering
// "ok" or the error.
func runHelper(role string, in io.Reader, out io.Writer) int {
	time.AfterFunc(helperLife, func() { os.Exit(3) })
	switch role {
	case "origin":
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			fmt.Fprintf(os.Stderr, "origin helper: %v\n", err)
			return 1
		}
		var accepted atomic.Int64
		srv := &http.Server{
			Handler:           http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }),
			ReadHeaderTimeout: 10 * time.Second,
			ConnState:         countNew(&accepted),
		}
		go srv.Serve(ln)
		fmt.Fprintln(out, ln.Addr())
		for sc := bufio.NewScanner(in); sc.Scan(); {
			fmt.Fprintln(out, accepted.Load())
		}
		srv.Close()
		return 0
	case "client":
		u, err := url.Parse(os.Getenv("HOPSCOPE_PROC_URL"))
		if err != nil {
			fmt.Fprintf(os.Stderr, "client helper: HOPSCOPE_PROC_URL: %v\n", err)
			return 1
		}
		n, err := strconv.Atoi(os.Getenv("HOPSCOPE_PROC_CONNS"))
		if err != nil || n < 1 || n > 10000 {
			fmt.Fprintf(os.Stderr, "client helper: HOPSCOPE_PROC_CONNS %q: want 1 to 10000\n", os.Getenv("HOPSCOPE_PROC_CONNS"))
			return 1
		}
		proxy := os.Getenv("HOPSCOPE_PROC_PROXY")
		for sc := bufio.NewScanner(in); sc.Scan(); {
			if err := connectionBurst(proxy, u, n); err != nil {
				fmt.Fprintf(out, "error: %v\n", err)
				continue
			}
			fmt.Fprintln(out, "ok")
		}
		return 0
	}
	fmt.Fprintf(os.Stderr, "%s=%q: want client or origin\n", procHelperEnv, role)
	return 1
}

// recorderFunc hands each flow's process name to a function.
type recorderFunc func(process string)

func (f recorderFunc) Record(r *session.Record) { f(r.Flow.Process) }

// connectionBurst opens n connections to the proxy, sends one absolute-form GET on each, reads every
// response, and closes them all; it gives up after 60 s.
func connectionBurst(proxy string, u *url.URL, n int) error {
	deadline := time.Now().Add(60 * time.Second)
	cs := make([]net.Conn, n)
	defer func() {
		for _, c := range cs {
			if c != nil {
				c.Close()
			}
		}
	}()
	errc := make(chan error, n)
	var ready sync.WaitGroup
	for i := range cs {
		c, err := net.DialTimeout("tcp", proxy, 10*time.Second)
		if err != nil {
			return err
		}
		c.SetDeadline(deadline)
		cs[i] = c
		ready.Add(1)
		go func() {
			defer ready.Done()
			if _, err := fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: %s\r\n\r\n", u, u.Host); err != nil {
				errc <- err
				return
			}
			buf := make([]byte, 512)
			got := 0
			for {
				k, err := c.Read(buf[got:])
				got += k
				if bytes.HasSuffix(buf[:got], []byte("\r\n\r\nok")) {
					return
				}
				if err != nil || got == len(buf) {
					errc <- fmt.Errorf("response %q: %v", buf[:got], err)
					return
				}
			}
		}()
	}
	ready.Wait()
	close(errc)
	return <-errc
}
