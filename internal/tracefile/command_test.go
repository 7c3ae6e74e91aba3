package tracefile

import (
	"testing"
)

// TestCommandTarget: the target of a copied command line, for every tool that reads one from it.
func TestCommandTarget(t *testing.T) {
	tr := []string{"traceroute", "traceroute6"}
	tests := []struct {
		name  string
		line  string
		tools []string
		opts  map[string]bool
		want  string // name or address; "" when none
	}{
		{"bare prompt and a name", "$ traceroute cs.example.ac.nz", tr, tracerouteValueOptions, "cs.example.ac.nz"},
		{"user@host prompt, -n", "user@host:~$ traceroute -n 192.0.2.8", tr, tracerouteValueOptions, "192.0.2.8"},
		{"csh prompt", "wagner % traceroute www.example.edu", tr, tracerouteValueOptions, "www.example.edu"},
		{"options with values and a packet length", "sudo traceroute -m 20 -q 1 -p 443 -T example.com 60", tr, tracerouteValueOptions, "example.com"},
		{"traceroute6", "# traceroute6 2001:db8::1", tr, tracerouteValueOptions, "2001:db8::1"},
		{"pipe before any target", "traceroute -n | tee x", tr, tracerouteValueOptions, ""},
		{"no target", "$ traceroute", tr, tracerouteValueOptions, ""},
		{"mtr", "[root@h ~]# mtr -r -c 10 example.com", []string{"mtr"}, mtrValueOptions, "example.com"},
		{"tracert, cmd.exe, upper case", `C:\>TRACERT -d -h 15 example.com`, []string{"tracert"}, tracertValueOptions, "example.com"},
		{"tracert slash options", `tracert /d /w 500 192.0.2.1`, []string{"tracert"}, tracertValueOptions, "192.0.2.1"},
		{"tracepath dest/port", "tracepath -n 192.0.2.1/33434", []string{"tracepath", "tracepath6"}, map[string]bool{"-l": true}, "192.0.2.1"},
		{"another tool", "$ ping example.com", tr, tracerouteValueOptions, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := commandTarget(tc.line, tc.tools, tc.opts)
			s := got.Name
			if got.Addr.IsValid() {
				s = got.Addr.String()
			}
			if s != tc.want || ok != (tc.want != "") {
				t.Errorf("commandTarget(%q) = %q, %v; want %q", tc.line, s, ok, tc.want)
			}
		})
	}
}

// TestTracerouteTargetFromCommand: a pasted traceroute without its header takes its target from the
// command line before it; a header, when there is one, says what was probed.
func TestTracerouteTargetFromCommand(t *testing.T) {
	tests := []struct {
		name, in, wantName, wantAddr string
	}{
		{"no header", "$ traceroute cs.example.ac.nz\n 1  192.0.2.1 (192.0.2.1)  1.0 ms\n 2  cs.example.ac.nz (198.51.100.22)  2.0 ms\n", "cs.example.ac.nz", "invalid IP"},
		{"no header, address", "user@host:~$ traceroute -n 198.51.100.22\n 1  192.0.2.1  1.0 ms\n 2  198.51.100.22  2.0 ms\n", "", "198.51.100.22"},
		{"header wins", "$ traceroute example.com\ntraceroute to example.net (198.51.100.9), 30 hops max, 60 byte packets\n 1  192.0.2.1  1.0 ms\n", "example.net", "198.51.100.9"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.in), "")
			if err != nil || len(trs) != 1 {
				t.Fatalf("%d traces, %v", len(trs), err)
			}
			if got := trs[0].Target; got.Name != tc.wantName || got.Addr.String() != tc.wantAddr {
				t.Errorf("target %q %v, want %q %s", got.Name, got.Addr, tc.wantName, tc.wantAddr)
			}
		})
	}
}
