package e2e

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/maxmind/mmdbwriter"
	"github.com/maxmind/mmdbwriter/mmdbtype"
	"golang.org/x/net/html"

	"hopscope/internal/htmltest"
	"hopscope/internal/netlab"
	"hopscope/internal/report"
)

// appHosts are the hosts the lab "app" fetches, where they are, and how often.
var appHosts = []struct {
	name     string
	addr     string // A record ("" for the alias)
	fetches  int
	location string // what the report must say
}{
	{"thumb.app.example", "", 3, "SG"}, // CNAME socwxsns.video.example (the article's alias) → 203.0.113.25..27
	{"img.app.example", "203.0.113.26", 2, "SG"},
	{"api.app.example", "203.0.113.27", 2, "SG"},
	{"static.app.example", "192.0.2.202", 2, "FR"}, // a CDN node next to the ISP in Paris
}

// TestInvestigateAppInArticleLab is issue 7's end-to-end acceptance: an app fetches several hosts through
// `hopscope proxy` in the article lab; `hopscope investigate` on the session names every host, its lab
// location, the slow long-haul segment and the carriers; the HTML report opens in headless Chromium
// without network access and its DOM shows the map, the routes and the tables.
func TestInvestigateAppInArticleLab(t *testing.T) {
	netlab.RequireRoot(t)
	for _, tool := range []string{"curl", "unbound"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (Debian package; .ci/run installs it)", tool)
		}
	}
	bin := buildHopscope(t)
	t.Log("built hopscope")
	dir := t.TempDir()
	data := filepath.Join(dir, "data")

	spec := netlab.Article(netlab.ArticleOptions{})
	spec.Nodes = append(spec.Nodes, netlab.Node{Name: "cdn"})
	spec.Links = append(spec.Links, netlab.Link{A: "isp", B: "cdn",
		AAddrs: []string{"192.0.2.201/30", "2001:db8:1ff::1/64"}, BAddrs: []string{"192.0.2.202/30", "2001:db8:1ff::2/64"}})
	for _, h := range appHosts {
		if h.addr == "" {
			spec.DNS.Records = append(spec.DNS.Records, h.name+". 300 IN CNAME "+netlab.ArticleCanonical+".")
		} else {
			spec.DNS.Records = append(spec.DNS.Records, fmt.Sprintf("%s. 300 IN A %s", h.name, h.addr))
		}
	}
	start := time.Now()
	step := func(what string) { t.Logf("%6.1fs %s", time.Since(start).Seconds(), what) }
	lab := netlab.New(t, spec)
	step("lab up")

	// Origin servers with their own CA, on the Singapore destination and the Paris CDN.
	originCA, serverCert := newTestPKI(t)
	originCAFile := filepath.Join(dir, "origin-ca.pem")
	writePEM(t, originCAFile, "CERTIFICATE", originCA.Raw)
	for _, node := range []string{netlab.ArticleDestination, "cdn"} {
		serveHTTPS(t, lab, node, serverCert)
	}

	// The proxy runs in the client's namespace, as the article's ZAP ran on the laptop.
	run(t, lab, bin, "ca", "create", "--data-dir", data)
	hsCA := filepath.Join(dir, "hopscope-ca.pem")
	run(t, lab, bin, "ca", "export", "--data-dir", data, "-o", hsCA)
	session := filepath.Join(dir, "app.session.jsonl")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	proxy := lab.Exec(ctx, netlab.ArticleClient, bin, "proxy", "--data-dir", data, "--listen", "127.0.0.1:18080",
		"--session", session, "--upstream-ca", originCAFile, "--quiet")
	proxyLog := &strings.Builder{}
	proxy.Stdout, proxy.Stderr = proxyLog, proxyLog
	if err := proxy.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		if proxy.ProcessState == nil {
			proxy.Process.Kill()
			proxy.Wait()
		}
	}()
	waitListening(t, lab, "127.0.0.1:18080")

	// The "app": fetches through the proxy, trusting hopscope's CA.
	for _, h := range appHosts {
		for i := 0; i < h.fetches; i++ {
			out, err := lab.Exec(ctx, netlab.ArticleClient, "curl", "-sS", "--max-time", "20", "--proxy", "http://127.0.0.1:18080",
				"--cacert", hsCA, "-o", "/dev/null", "-w", "%{http_code}", fmt.Sprintf("https://%s/item/%d", h.name, i)).CombinedOutput()
			if err != nil || string(out) != "200" {
				t.Fatalf("app fetch %s: %v: %s\nproxy log:\n%s", h.name, err, out, proxyLog)
			}
		}
	}
	proxy.Process.Signal(syscall.SIGINT)
	proxy.Wait()
	step("app fetched every host through the proxy")

	// Where the lab's servers and routers are, as a MaxMind-format database would say.
	city, asn := writeLabMMDBs(t, dir)
	resultJSON := filepath.Join(dir, "investigation.json")
	out, err := lab.Exec(ctx, netlab.ArticleClient, bin, "investigate", "--session", session, "--data-dir", data,
		"--mmdb", city, "--mmdb", asn, "--dns-server", netlab.ArticleResolver4, "--timeout", "1s",
		"--format", "json", "-o", resultJSON).CombinedOutput()
	if err != nil {
		t.Fatalf("investigate: %v\n%s", err, out)
	}
	step("investigated")
	fh, err := os.Open(resultJSON)
	if err != nil {
		t.Fatal(err)
	}
	var rep report.Report
	err = json.NewDecoder(fh).Decode(&rep)
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	inv := rep.Investigation
	if inv == nil {
		t.Fatalf("no investigation in the result")
	}
	checkInvestigation(t, inv)

	// Render the saved result as HTML and read it back through Chromium's DOM, offline.
	htmlFile := filepath.Join(dir, "investigation.html")
	run(t, lab, bin, "report", "--format", "html", "-o", htmlFile, resultJSON)
	checkHTMLInChromium(t, htmlFile)
	step("report rendered and checked in Chromium")

	// The article's name has several addresses: trace each and compare (issue 4).
	out, err = lab.Exec(ctx, netlab.ArticleClient, bin, "trace", "--all-addresses", "-4", "--json", "--data-dir", data,
		"--dns-server", netlab.ArticleResolver4, netlab.ArticleTargetName).Output()
	if err != nil {
		t.Fatalf("trace --all-addresses: %v\n%s", err, out)
	}
	var all report.Report
	if err := json.Unmarshal(out, &all); err != nil {
		t.Fatal(err)
	}
	if len(all.Paths) != len(netlab.ArticleTargets4) || all.Comparison == nil || all.Comparison.SharedHops < 12 {
		t.Errorf("trace --all-addresses: %d paths, comparison %+v; want %d paths sharing the route", len(all.Paths), all.Comparison, len(netlab.ArticleTargets4))
	}
	if !strings.Contains(string(out), "svw-singapore.as6453.example") && !strings.Contains(string(out), "esin4-singapore.as6453.example") {
		t.Errorf("trace did not name the Singapore routers through the lab's DNS (reverse names)")
	}
	step("traced every address of the alias, named the hops and compared")

	// A second investigation records the history and compares.
	out, err = lab.Exec(ctx, netlab.ArticleClient, bin, "history", "--data-dir", data, "img.app.example").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "investigate") {
		t.Errorf("history after an investigation: %v\n%s", err, out)
	}
}

func checkInvestigation(t *testing.T, inv *report.Investigation) {
	t.Helper()
	hosts := map[string]report.InvestigatedHost{}
	for _, h := range inv.Hosts {
		hosts[h.Host] = h
	}
	for _, want := range appHosts {
		h, ok := hosts[want.name]
		if !ok {
			t.Errorf("host %s missing from the investigation (%d hosts)", want.name, len(inv.Hosts))
			continue
		}
		if h.Error != "" {
			t.Errorf("%s: %s", want.name, h.Error)
			continue
		}
		if h.Requests != want.fetches {
			t.Errorf("%s: %d requests, want %d", want.name, h.Requests, want.fetches)
		}
		if h.Country != want.location {
			t.Errorf("%s: placed in %q, want %s (addr %s)", want.name, h.Country, want.location, h.Addr)
		}
		if h.Port != 443 {
			t.Errorf("%s: traced port %d, want the app's 443", want.name, h.Port)
		}
	}
	if th := hosts["thumb.app.example"]; len(th.Aliases) == 0 && th.Path != nil && len(th.Path.Target.Aliases) == 0 {
		t.Errorf("thumb.app.example: alias chain to %s not shown", netlab.ArticleCanonical)
	}
	// The slow long-haul segment, shared by the Singapore hosts, and the carriers.
	if len(inv.Bottlenecks) == 0 {
		t.Errorf("no shared slow segment found; slowest: %+v", inv.Slowest)
	} else if b := inv.Bottlenecks[0]; len(b.Hosts) < 3 || b.DeltaMs < 80 {
		t.Errorf("bottleneck %+v: want the long-haul jump (~120 ms) shared by the 3 Singapore hosts", b)
	}
	sg := hosts["img.app.example"]
	if !sg.HasRTT || sg.MinRTTMs < 100 {
		t.Errorf("img.app.example RTT %.1f ms, want the ~160 ms of the long haul", sg.MinRTTMs)
	}
	if !strings.Contains(strings.Join(sg.Carriers, ","), "TATA") && !strings.Contains(strings.Join(sg.Carriers, ","), "Tata") {
		t.Errorf("img.app.example carriers %v: want Tata", sg.Carriers)
	}
	if len(inv.ByCountry) == 0 || inv.ByCountry[0].Key != "SG" {
		t.Errorf("by country %+v: want Singapore first", inv.ByCountry)
	}
	if !strings.Contains(inv.Summary, "Singapore") {
		t.Errorf("summary %q does not name Singapore", inv.Summary)
	}
}

func checkHTMLInChromium(t *testing.T, file string) {
	t.Helper()
	chromium, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (Debian package; .ci/run installs it)")
	}
	art := t.ArtifactDir()
	common := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir(), "--proxy-server=socks5://127.0.0.1:9", "--proxy-bypass-list=<-loopback>"}
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// The proxy setting points at a closed port: any fetch the page attempted would fail, and the DOM
	// below proves the report renders without one.
	dom, err := exec.CommandContext(ctx, chromium, append(common, "--dump-dom", "file://"+file)...).Output()
	if err != nil {
		t.Fatalf("chromium --dump-dom: %v", err)
	}
	os.WriteFile(filepath.Join(art, "investigation.dom.html"), dom, 0o644)
	shot := filepath.Join(art, "investigation.png")
	if out, err := exec.CommandContext(ctx, chromium, append(common, "--window-size=1280,2000", "--screenshot="+shot, "file://"+file)...).CombinedOutput(); err != nil {
		t.Errorf("chromium screenshot: %v\n%s", err, out)
	} else if st, err := os.Stat(shot); err != nil || st.Size() < 10_000 {
		t.Errorf("screenshot %s missing or empty", shot)
	} else {
		t.Logf("screenshot: %s", shot)
	}
	doc, err := html.Parse(strings.NewReader(string(dom)))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(htmltest.FindAll(doc, "path", "country")); n < 200 {
		t.Errorf("map has %d country shapes", n)
	}
	segs := htmltest.FindAll(doc, "polyline", "route-seg")
	routes := map[string]bool{}
	asns := map[string]bool{}
	longHaul := 0
	for _, s := range segs {
		for _, h := range strings.Fields(htmltest.Attr(s, "data-hosts")) {
			routes[h] = true
		}
		asns[htmltest.Attr(s, "data-asn")] = true
		if htmltest.HasClass(s, "long-haul") {
			longHaul++
		}
	}
	for _, h := range []string{"img.app.example", "api.app.example"} {
		if !routes[h] {
			t.Errorf("no route drawn for %s (routes: %v)", h, routes)
		}
	}
	if !asns["6453"] {
		t.Errorf("no segment in Tata's colour (AS6453): %v", asns)
	}
	if longHaul == 0 {
		t.Error("the long-haul segment is not labelled on the map")
	}
	rows := map[string]bool{}
	for _, tr := range htmltest.FindAll(doc, "tr", "host") {
		rows[htmltest.Attr(tr, "data-host")] = true
	}
	for _, h := range appHosts {
		if !rows[h.name] {
			t.Errorf("hosts table lacks %s", h.name)
		}
	}
	if len(htmltest.FindAll(doc, "table", "domains-table")) == 0 {
		t.Error("domains table missing")
	}
}

// newTestPKI makes a CA and a server certificate for every lab name.
func newTestPKI(t *testing.T) (*x509.Certificate, tls.Certificate) {
	t.Helper()
	caKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	caTmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lab origin CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour), IsCA: true,
		KeyUsage: x509.KeyUsageCertSign, BasicConstraintsValid: true}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	ca, _ := x509.ParseCertificate(caDER)
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	names := []string{netlab.ArticleCanonical, netlab.ArticleTargetName}
	for _, h := range appHosts {
		names = append(names, h.name)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: names[0]}, DNSNames: names,
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(24 * time.Hour),
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return ca, tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

func writePEM(t *testing.T, file, typ string, der []byte) {
	t.Helper()
	if err := os.WriteFile(file, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}

// serveHTTPS listens on :443 inside node and serves a small body per path.
func serveHTTPS(t *testing.T, lab *netlab.Lab, node string, cert tls.Certificate) {
	t.Helper()
	var ln net.Listener
	if err := lab.Run(node, func() error {
		var err error
		ln, err = net.Listen("tcp", ":443")
		return err
	}); err != nil {
		t.Fatalf("listen in %s: %v", node, err)
	}
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "image/jpeg")
			w.Write([]byte(strings.Repeat("x", 4096)))
		}),
		TLSConfig:         &tls.Config{Certificates: []tls.Certificate{cert}},
		ReadHeaderTimeout: 10 * time.Second,
	}
	go srv.ServeTLS(ln, "", "")
	t.Cleanup(func() { srv.Close() })
}

func waitListening(t *testing.T, lab *netlab.Lab, addr string) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		err := lab.Run(netlab.ArticleClient, func() error {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err == nil {
				c.Close()
			}
			return err
		})
		if err == nil {
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("nothing listens on %s in the client namespace", addr)
}

func run(t *testing.T, lab *netlab.Lab, bin string, args ...string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if out, err := lab.Exec(ctx, netlab.ArticleClient, bin, args...).CombinedOutput(); err != nil {
		t.Fatalf("hopscope %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// writeLabMMDBs writes a city and an ASN database placing the lab's addresses like the article's.
func writeLabMMDBs(t *testing.T, dir string) (city, asn string) {
	t.Helper()
	place := func(cityName, cc string, lat, lon float64) mmdbtype.Map {
		return mmdbtype.Map{
			"city":     mmdbtype.Map{"names": mmdbtype.Map{"en": mmdbtype.String(cityName)}},
			"country":  mmdbtype.Map{"iso_code": mmdbtype.String(cc)},
			"location": mmdbtype.Map{"latitude": mmdbtype.Float64(lat), "longitude": mmdbtype.Float64(lon)},
		}
	}
	as := func(n uint32, org string) mmdbtype.Map {
		return mmdbtype.Map{"autonomous_system_number": mmdbtype.Uint32(n), "autonomous_system_organization": mmdbtype.String(org)}
	}
	city = writeMMDB(t, filepath.Join(dir, "lab-City.mmdb"), "GeoLite2-City", map[string]mmdbtype.Map{
		"203.0.113.0/24": place("Singapore", "SG", 1.2897, 103.8501),
		"192.0.2.0/24":   place("Paris", "FR", 48.8566, 2.3522),
	})
	asn = writeMMDB(t, filepath.Join(dir, "lab-ASN.mmdb"), "GeoLite2-ASN", map[string]mmdbtype.Map{
		"203.0.113.0/24":  as(132203, "Tencent Building, Kejizhongyi Avenue"),
		"198.51.100.0/24": as(6453, "TATA COMMUNICATIONS(AMERICA) INC"),
		"192.0.2.0/25":    as(3215, "Orange S.A."),
		"192.0.2.200/30":  as(64500, "Example CDN"),
	})
	return city, asn
}

func writeMMDB(t *testing.T, file, dbType string, recs map[string]mmdbtype.Map) string {
	t.Helper()
	tree, err := mmdbwriter.New(mmdbwriter.Options{DatabaseType: dbType, RecordSize: 24, IncludeReservedNetworks: true})
	if err != nil {
		t.Fatal(err)
	}
	for cidr, v := range recs {
		_, n, err := net.ParseCIDR(cidr)
		if err != nil {
			t.Fatal(err)
		}
		if err := tree.Insert(n, v); err != nil {
			t.Fatalf("insert %s: %v", cidr, err)
		}
	}
	f, err := os.Create(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := tree.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	return file
}

// buildHopscope builds the command once per test binary.
func buildHopscope(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "hopscope")
	cmd := exec.Command("go", "build", "-o", bin, "hopscope/cmd/hopscope")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build hopscope: %v\n%s", err, out)
	}
	return bin
}
