package tracefile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"hopscope/internal/path"
)

// TestPastedNotes: what people add around and inside a trace they paste (sudo and JunOS "run" on
// the prompt line, notes after a hop, a log line before the command, VRF info after a Cisco
// responder) is read past with a warning; strict mode still refuses it at that line.
func TestPastedNotes(t *testing.T) {
	const hdr = "traceroute to example.com (192.0.2.9), 30 hops max, 60 byte packets\n"
	tests := []struct {
		name       string
		in         string
		format     string
		hops       int
		warning    string // substring of a warning; "" for none expected
		strictLine int    // line strict mode stops at; 0 when strict reads it too
	}{
		{"sudo on the prompt line", "me@host:~$ sudo traceroute -T -p 443 example.com\n" + hdr + " 1  192.0.2.1  1.0 ms\n", FormatTraceroute, 1, "", 0},
		{"JunOS run in configuration mode", "[edit]\nroot@pe2# run traceroute 192.0.2.9 \ntraceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 40 byte packets\n 1  192.0.2.1 (192.0.2.1)  0.400 ms  0.602 ms  0.957 ms\n     MPLS Label=300304 CoS=0 TTL=1 S=1\n", FormatJunos, 1, "", 0},
		{"JunOS logical system prompt", "root@vmx1:ce2> traceroute 192.0.2.9\ntraceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 52 byte packets\n 1  192.0.2.1 (192.0.2.1)  14.939 ms  4.972 ms  5.950 ms\n", FormatJunos, 1, "", 0},
		{"note after a Linux hop", hdr + " 1  gw (192.0.2.1)  3.591 ms  4.195 ms  4.220 ms // my router\n 2  192.0.2.9  5.0 ms\n", FormatTraceroute, 2, `line 2: ignored "// my router", a comment appended to the hop line`, 2},
		{"arrow note after a tracepath hop", " 1?: [LOCALHOST]     pmtu 9000\n 1:  192.0.2.1     1.922ms asymm  4  <---- this one sent the ICMP\n 2:  192.0.2.9     2.0ms reached\n", FormatTracepath, 2, `line 2: ignored "<---- this one sent the ICMP", a comment`, 2},
		{"older tracepath: asymm before the RTT", " 1:  gw (192.0.2.1)      0.269ms pmtu 1500\n 2:  r2.example.net (192.0.2.7)         asymm  8   9.496ms \n 3:  r3.example.net (192.0.2.9)      asymm 15  76.136ms reached\n     Resume: pmtu 1500 hops 3 back 15 \n", FormatTracepath, 3, "", 0},
		{"log line before a Cisco command", "[2019-04-11 11:02:15,834] +++ PE1: executing command 'traceroute x' +++\ntraceroute x\nType escape sequence to abort.\nTracing the route to x (192.0.2.9)\n  1 192.0.2.1 1 msec 1 msec * \nPE1#\n", FormatCiscoIOS, 1, `line 1: skipped "[2019-04-11`, 1},
		{"Cisco VRF info without times", "Type escape sequence to abort.\nTracing the route to 192.0.2.9\nVRF info: (vrf in name/id, vrf out name/id)\n  1 192.0.2.1 4 msec 4 msec 4 msec\n  2 192.0.2.2 (red/1001, blue/2001)\n", FormatCiscoIOS, 2, "hop 2: a responder with no RTT", 5},
		{"KAME traceroute6 names without addresses", "traceroute6 to www.example.com (2001:db8::9) from 2001:db8::7, 30 hops max, 12 byte packets\n 1  2001:db8::1  13.821 ms  0.301 ms  0.324 ms\n 2  10ge.cr2.example.net  3.402 ms  3.34 ms  3.33 ms\n 3  mail.example.com  204.172 ms  203.755 ms  203.748 ms\n", FormatTracerouteBSD, 3, "", 0},
		{"scamper text output", "$ scamper -O text -i 198.51.100.9\ntraceroute from 192.0.2.1 to 198.51.100.9\n 1  192.0.2.254  0.512 ms\n 2  *\n 3  198.51.100.1  3.201 ms\n   MPLS Label=16 TC=0 S=1 TTL=1\n 4  198.51.100.9  9.100 ms\n", FormatTracerouteBSD, 4, "", 0}, // the indented MPLS line reads as BSD; either importer reads it
		{"HTML line breaks and a quoted row", "> traceroute -A 192.0.2.9</br>\n" + strings.TrimSuffix(hdr, "\n") + "</br>\n 1  gw (192.0.2.1) [*]  0.827 ms  0.762 ms</br>\n> 2  r2 (192.0.2.9) [AS64500]  1.0 ms<br />\n", FormatTraceroute, 2, "", 0},
		{"every line quoted", "> traceroute 192.0.2.9 </br>\n> " + strings.TrimSuffix(hdr, "\n") + "</br>\n>  1  gw (192.0.2.1)  0.287 ms</br>\n> 2  r2 (192.0.2.9)  3.5 ms</br>\n", FormatTraceroute, 2, "", 0},
		{"terminal wrap padded into the line", hdr + " 1  r1.example.net (192.0.2.1) [AS64500]  6.442 ms  6.                                                           357 ms  6.281 ms\n 2  r2.example.net (192.0.2.2)  1.064 ms xe-0-0-0-10g                                                           .r3.example.net (192.0.2.3)  1.916 ms\n", FormatTraceroute, 2, "", 2},
		{"unreachable code above 255", hdr + " 1  192.0.2.1  0.676 ms !<500>  0.7 ms !P\n", FormatTraceroute, 1, "", 0},
		{"Huawei VRP tracert header", "<HUAWEI> tracert 192.0.2.9\n traceroute to  192.0.2.9(192.0.2.9), max hops: 30 ,packet length: 40,press CTRL_C to break \n 1 192.0.2.1 3 ms  2 ms  3 ms \n 2 192.0.2.9 5 ms  4 ms  5 ms \n", FormatTracerouteHuawei, 2, "", 0},
		{"Cisco extended traceroute dialog", "R1#traceroute\nProtocol [ip]: \nTarget IP address: 192.0.2.9\nSource address or interface: \nNumeric display [n]: y\nResolve AS number in (G)lobal table, (V)RF or(N)one [G]: \nLoose, Strict, Record, Timestamp, Verbose[none]: \nType escape sequence to abort.\nTracing the route to 192.0.2.9\n  1 192.0.2.9 4 msec 4 msec 4 msec\n", FormatCiscoIOS, 1, "", 0},
		{"Cisco resolving the target", "R1#traceroute www.example.com\nTranslating \"www.example.com\"...domain server (192.0.2.53) [OK]\n\nType escape sequence to abort.\nTracing the route to www.example.com (192.0.2.9)\n\n  1 192.0.2.1 4 msec 4 msec 4 msec\n  2 192.0.2.9 8 msec *  8 msec\n", FormatCiscoIOS, 2, "", 0},
		{"Cisco VRF info with times", "Type escape sequence to abort.\nTracing the route to 192.0.2.9\n  1 192.0.2.1 (red/1001, blue/2001) 4 msec 4 msec 4 msec\n", FormatCiscoIOS, 1, "", 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := Parse([]byte(tc.in), "")
			if err != nil || len(trs) != 1 {
				t.Fatalf("Parse: %d traces, %v", len(trs), err)
			}
			if trs[0].Source != sourceName(tc.format) || len(trs[0].Hops) != tc.hops {
				t.Errorf("source %q with %d hops, want %q with %d", trs[0].Source, len(trs[0].Hops), tc.format, tc.hops)
			}
			if tc.warning != "" {
				wantWarning(t, trs[0], tc.warning)
			} else {
				for _, w := range trs[0].Warnings {
					if strings.Contains(w, "skipped") {
						t.Errorf("unexpected warning %q", w)
					}
				}
			}
			if tr := trs[0]; tr.Target.Name != "" && !strings.Contains(tc.in, tr.Target.Name) {
				t.Errorf("target name %q is not in the input", tr.Target.Name)
			}
			if strings.Contains(tc.in, "(192.0.2.9)") && trs[0].Target.Addr.String() != "192.0.2.9" && !strings.Contains(tc.in, "traceroute6") {
				t.Errorf("target %+v, want the address 192.0.2.9", trs[0].Target)
			}
			checkResult(t, tc.format, trs, nil)
			strict, err := ParseWith([]byte(tc.in), "", ParseOptions{Strict: true})
			var pe *ParseError
			switch {
			case tc.strictLine == 0 && err != nil:
				t.Errorf("strict: %v", err)
			case tc.strictLine > 0 && (!errors.As(err, &pe) || pe.Line != tc.strictLine || strict != nil):
				t.Errorf("strict = %d traces, %v; want a ParseError on line %d", len(strict), err, tc.strictLine)
			}
		})
	}
}

// TestPromptLines pins which lines read as a copied prompt or command line.
func TestPromptLines(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"javier@javier-machine:~$ sudo traceroute -T www.google.es", true},
		{"server:~$ sudo traceroute -T -p 25 asp-mxa.belnet.be", true},
		{"sudo traceroute -T 192.0.2.1", true},
		{"jnpr@MX304-PE11# run traceroute routing-instance VRF_PURPLE 10.13.4.1", true},
		{"$ LANG=C traceroute 192.0.2.1", true},
		{"(base) MLI-JGM412:~ govekk$ traceroute ctome01ld.jax.org", true},
		{"traceroute from 192.0.2.1 to 198.51.100.9", false},
		{"RP/0/0/CPU0:PE1#traceroute", true},
		{"lxc-attach -n mlc1000 -- traceroute6 fd70:1191::1", true},
		{"docker exec -it R1 traceroute -n 10.0.0.1", true},
		{"ip netns exec blue traceroute 10.0.0.1", true},
		{"traceroute", true},
		{" 1  192.0.2.1  1.0 ms", false},
		{"run the traceroute again", false},
		{"traceroute to 192.0.2.1 (192.0.2.1), 30 hops max", false},
		{"parallels@ubuntu-linux-20-04-desktop:~$ less mtr.out.json", true},
		{"[root@host tmp]# cat trace.txt", true},
		{"me@mac ~ % cat out.txt", true},
		{" 3  mail@example  10.0.0.1  1.0 ms", false},
		{"[192.0.2.1] 1.0 ms", false},
	}
	for _, tc := range tests {
		if got := isPromptLine(tc.line); got != tc.want {
			t.Errorf("isPromptLine(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestBracketedPrefix pins the lines that open with a bracket but no JSON value.
func TestBracketedPrefix(t *testing.T) {
	tests := []struct {
		line string
		want bool
	}{
		{"[2019-04-11 11:02:15,834] +++ PE1: executing command 'traceroute www.xyz.com' +++", true},
		{"[edit]", true},
		{"[edit protocols mpls]", true},
		{"[", false},
		{`[{"af":4,"dst_addr":"192.0.2.1"}]`, false},
		{"[1, 2]", false},
		{"[true]", false},
		{`["a"]`, false},
	}
	for _, tc := range tests {
		if got := isBracketedPrefix(tc.line); got != tc.want {
			t.Errorf("isBracketedPrefix(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// FuzzRealPastes fuzzes detection and the lenient importers from the real outputs of the analysis
// corpus (../analysis/testdata/realcorpus): pastes with prompts, notes and odd lines as published.
func FuzzRealPastes(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("..", "analysis", "testdata", "realcorpus", "*"))
	for _, name := range files {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "facts") || strings.HasPrefix(base, "SOURCES") {
			continue
		}
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, false)
		f.Add(data, true)
	}
	f.Fuzz(func(t *testing.T, data []byte, strict bool) {
		trs, err := ParseWith(data, "", ParseOptions{Strict: strict})
		checkResult(t, "", trs, err)
	})
}

// TestTracepathNotClockTimes: a line opening with a clock time ("12:00:01 ...") is not a tracepath
// hop, while " 1:  192.0.2.1" and " 1?: [LOCALHOST]" are.
func TestTracepathNotClockTimes(t *testing.T) {
	tests := []struct {
		line string
		want confidence
	}{
		{"12:00:01 traceroute to 192.0.2.9 (192.0.2.9), 30 hops max", notMine},
		{"1:  192.0.2.1   4.063ms", likely},
		{"1?: [LOCALHOST]     pmtu 1500", likely},
		{"10:", likely},
	}
	for _, tc := range tests {
		if got := detectTracepath(&sniff{line: tc.line}); got != tc.want {
			t.Errorf("detectTracepath(%q) = %v, want %v", tc.line, got, tc.want)
		}
	}
}

// TestGlobalpingCLI: the Globalping CLI's raw output keeps each probe's place from the line it prints
// before the probe's traceroute, and the protocol its command implies.
func TestGlobalpingCLI(t *testing.T) {
	in := "$ globalping traceroute example.com from Western Europe --limit 2\n" +
		"> NA, US, (NC), Raleigh, ASN:11426, Charter Communications Inc\n" +
		"traceroute to example.com (192.0.2.9), 20 hops max, 60 byte packets\n 1  192.0.2.1 (192.0.2.1)  0.747 ms  0.714 ms\n\n" +
		"> EU, NL, Zwolle, ASN:50673\n" +
		"traceroute to example.com (192.0.2.9), 20 hops max, 60 byte packets\n 1  192.0.2.2 (192.0.2.2)  1.747 ms  1.714 ms\n"
	trs, err := Parse([]byte(in), "")
	if err != nil || len(trs) != 2 {
		t.Fatalf("Parse: %d traces, %v", len(trs), err)
	}
	want := []map[string]string{
		{MetaProbeContinent: "NA", MetaProbeCountry: "US", MetaProbeState: "NC", MetaProbeCity: "Raleigh", MetaProbeASN: "11426", MetaProbeNetwork: "Charter Communications Inc"},
		{MetaProbeContinent: "EU", MetaProbeCountry: "NL", MetaProbeCity: "Zwolle", MetaProbeASN: "50673"},
	}
	for i, tr := range trs {
		for k, v := range want[i] {
			if tr.Meta[k] != v {
				t.Errorf("trace %d: Meta[%s] = %q, want %q", i, k, tr.Meta[k], v)
			}
		}
	}
	if trs[0].Protocol != path.ProtoICMP {
		t.Errorf("protocol %q, want ICMP", trs[0].Protocol)
	}
	for _, line := range []string{"> traceroute -A 8.8.8.8", "> EU, DE", "> 1, 2, 3, ASN:x"} {
		if _, ok := globalpingCLIProbe(line); ok {
			t.Errorf("globalpingCLIProbe(%q) read a probe", line)
		}
	}
}

// TestTracepathCommandTarget: a copied tracepath command names the target the output leaves out.
func TestTracepathCommandTarget(t *testing.T) {
	tests := []struct {
		in   string
		want string
	}{
		{"$ tracepath -n 192.0.2.9\n 1?: [LOCALHOST]   pmtu 1500\n 1:  192.0.2.1   1.0ms\n 2:  no reply\n", "192.0.2.9"},
		{"me@host:~$ tracepath -l 1400 -m 5 www.example.com\n 1:  192.0.2.1   1.0ms\n", "www.example.com"},
		{"$ tracepath6 2001:db8::9/33434\n 1:  2001:db8::1   1.0ms\n", "2001:db8::9"},
		{" 1:  192.0.2.1   1.0ms\n", ""},
		{"❯ tracepath 192.0.2.30\n 1:  _gateway   0.192ms\n 2:  pve.homelab   0.311ms reached\n", "192.0.2.30"},
	}
	for _, tc := range tests {
		trs, err := Parse([]byte(tc.in), FormatTracepath)
		if err != nil || len(trs) != 1 {
			t.Fatalf("Parse(%q): %d traces, %v", tc.in, len(trs), err)
		}
		got := trs[0].Target.Name
		if trs[0].Target.Addr.IsValid() {
			got = trs[0].Target.Addr.String()
		}
		if got != tc.want {
			t.Errorf("Parse(%q): target %q, want %q", tc.in, got, tc.want)
		}
		if last := trs[0].Hops[len(trs[0].Hops)-1]; strings.Contains(tc.in, "reached") && last.Responders[0].Addr != trs[0].Target.Addr {
			t.Errorf("Parse(%q): the hop that reached the target answers from %v", tc.in, last.Responders[0].Addr)
		}
	}
}
