package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"software.sslmate.com/src/go-pkcs12"
)

// TestBadInputSmall pins the small findings of the hostile-input review (issue 16, item 9): one clear
// error per failure, the right exit code, the file format the name asks for.
func TestBadInputSmall(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"report of a directory says so once", []string{"report", dir}, ExitBadInput, dir + ": is a directory, not a file"},
		{"domains of a directory says so", []string{"domains", dir}, ExitBadInput, dir + ": is a directory, not a file"},
		{"report of a missing file names it once", []string{"report", filepath.Join(dir, "nope.json")}, ExitBadInput, "nope.json: no such file or directory"},
		{"negative stream bound", []string{"capture", "--max-stream-bytes", "-1", "../capture/testdata/zeek-wikipedia.pcap"}, ExitBadInput, "--max-stream-bytes -1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"--data-dir", t.TempDir()}, tc.args...)...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d: %s", code, tc.code, errs)
			}
			if out != "" {
				t.Errorf("stdout = %q, want nothing", out)
			}
			if !strings.Contains(errs, tc.want) {
				t.Errorf("stderr = %q, want %q", errs, tc.want)
			}
			if n := strings.Count(errs, filepath.Base(tc.args[len(tc.args)-1])); n > 1 {
				t.Errorf("the file is named %d times in %q", n, errs)
			}
		})
	}
}

func TestCAExportFollowsFileName(t *testing.T) {
	data := t.TempDir()
	if code, _, errs := run(t, "", "--data-dir", data, "ca", "create"); code != ExitOK {
		t.Fatalf("ca create: exit %d: %s", code, errs)
	}
	p12 := filepath.Join(t.TempDir(), "ca.p12")
	if code, _, errs := run(t, "", "--data-dir", data, "ca", "export", "-o", p12); code != ExitOK {
		t.Fatalf("ca export: exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(p12)
	if err != nil {
		t.Fatal(err)
	}
	certs, err := pkcs12.DecodeTrustStore(b, "")
	if err != nil || len(certs) != 1 || !certs[0].IsCA {
		t.Fatalf("ca.p12 is not a PKCS#12 trust store holding the CA: %v (%d certs)", err, len(certs))
	}
	pem := filepath.Join(t.TempDir(), "ca.pem")
	if code, _, _ := run(t, "", "--data-dir", data, "ca", "export", "-o", pem); code != ExitOK {
		t.Fatal("ca export -o ca.pem failed")
	}
	if b, _ := os.ReadFile(pem); !strings.HasPrefix(string(b), "-----BEGIN CERTIFICATE-----") {
		t.Errorf("ca.pem is not PEM: %.40q", b)
	}
	if code, _, errs := run(t, "", "--data-dir", data, "ca", "export", "--format", "pem", "-o", p12); code != ExitBadInput || !strings.Contains(errs, "disagrees") {
		t.Errorf("--format pem -o ca.p12: exit %d %s, want a usage error", code, errs)
	}
}

// TestTornSessionWarnsInEveryMode: a session whose last record was cut (a power cut, a full disk) still
// reads, and the skipped line is named on stderr whatever the output format (issue 16, item 8).
func TestTornSessionWarnsInEveryMode(t *testing.T) {
	good, err := os.ReadFile("../session/testdata/format1.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	torn := filepath.Join(t.TempDir(), "torn.jsonl")
	if err := os.WriteFile(torn, append(append([]byte{}, good...), `{"flow":{"host":"cut.exam`...), 0o644); err != nil {
		t.Fatal(err)
	}
	lines := strings.Count(string(good), "\n") + 1
	for _, args := range [][]string{
		{"domains", torn},
		{"domains", "--json", torn},
		{"domains", "--format", "markdown", torn},
		{"har", "export", torn},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			code, out, errs := run(t, "", append([]string{"--data-dir", t.TempDir()}, args...)...)
			if code != ExitOK || out == "" {
				t.Fatalf("exit %d, %d bytes out: %s", code, len(out), errs)
			}
			if want := fmt.Sprintf("torn.jsonl:%d:", lines); !strings.Contains(errs, "warning: ") || !strings.Contains(errs, want) {
				t.Errorf("stderr = %q, want a warning naming %s", errs, want)
			}
		})
	}
}

// TestErrorsAreNeutralised: an error that quotes input (here a file name with a terminal escape) is
// printed with its control characters made visible, never obeyed (issue 16, item 6).
func TestErrorsAreNeutralised(t *testing.T) {
	name := filepath.Join(t.TempDir(), "evil\x1b]0;pwned\x07.txt")
	code, _, errs := run(t, "", "analyze", name)
	if code != ExitBadInput {
		t.Fatalf("exit %d: %q", code, errs)
	}
	if strings.ContainsAny(errs, "\x1b\x07") {
		t.Errorf("stderr carries raw control bytes: %q", errs)
	}
	if !strings.Contains(errs, `\x1b]0;pwned`) {
		t.Errorf("stderr = %q, want the escape shown", errs)
	}
}
