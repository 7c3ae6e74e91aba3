package cli

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseSubnet(t *testing.T) {
	tests := []struct{ in, want, err string }{
		{"203.0.113.77/24", "203.0.113.0/24", ""},
		{"203.0.113.77", "203.0.113.0/24", ""},
		{"2001:db8:1:2::5", "2001:db8:1::/56", ""},
		{"2001:db8::/32", "2001:db8::/32", ""},
		{"0.0.0.0/0", "0.0.0.0/0", ""},
		{"shenzhen", "", "neither a CIDR prefix nor an address"},
		{"203.0.113.0/33", "", "neither"},
	}
	for _, tc := range tests {
		t.Run(tc.in, func(t *testing.T) {
			p, err := parseSubnet(tc.in)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v", err)
				}
				return
			}
			if err != nil || p.String() != tc.want {
				t.Fatalf("parseSubnet(%q) = %v, %v", tc.in, p, err)
			}
		})
	}
}

func TestReadNames(t *testing.T) {
	names, err := readNames("-", strings.NewReader("# list\n a.test \n\nb.test # trailing\n"))
	if err != nil || strings.Join(names, ",") != "a.test,b.test" {
		t.Fatalf("names %v, %v", names, err)
	}
	if _, err := readNames("-", strings.NewReader("a.test\nb.test c.test\n")); err == nil || !strings.Contains(err.Error(), "-:2:") {
		t.Fatalf("two names on a line: err = %v (want the line)", err)
	}
	if _, err := readNames("-", strings.NewReader("# only comments\n")); err == nil || !strings.Contains(err.Error(), "no names") {
		t.Fatalf("empty list: err = %v", err)
	}
	if _, err := readNames("/nonexistent/names", nil); err == nil || !strings.Contains(err.Error(), "/nonexistent/names") {
		t.Fatalf("missing file: err = %v", err)
	}
}

func TestReverseName(t *testing.T) {
	for in, want := range map[string]string{
		"198.51.100.25":    "25.100.51.198.in-addr.arpa.",
		"::ffff:192.0.2.1": "1.2.0.192.in-addr.arpa.",
		"2001:db8::1":      "1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa.",
	} {
		if got := reverseName(netip.MustParseAddr(in)); got != want {
			t.Errorf("reverseName(%s) = %s, want %s", in, got, want)
		}
	}
}

// FuzzParseSubnet: an accepted subnet is masked and reads back as itself.
func FuzzParseSubnet(f *testing.F) {
	for _, s := range []string{"203.0.113.0/24", "203.0.113.5", "2001:db8::1", "::/0", "x", "1.2.3.4/99"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseSubnet(s)
		if err != nil {
			return
		}
		if p != p.Masked() {
			t.Fatalf("%q → %v not masked", s, p)
		}
		if back, err := parseSubnet(p.String()); err != nil || back != p {
			t.Fatalf("%q → %v → %v, %v", s, p, back, err)
		}
	})
}

// FuzzReadNames: every name read is one non-empty word without a comment.
func FuzzReadNames(f *testing.F) {
	for _, s := range []string{"a.test\nb.test\n", "# c\n\n x.test # y\n", "a b\n", "\x00\n", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		names, err := readNames("-", strings.NewReader(s))
		if err != nil {
			if !strings.HasPrefix(err.Error(), "-") {
				t.Fatalf("error does not name the input: %v", err)
			}
			return
		}
		for _, n := range names {
			if n == "" || strings.ContainsAny(n, " \t#\n") {
				t.Fatalf("bad name %q from %q", n, s)
			}
		}
	})
}
