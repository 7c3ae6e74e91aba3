//go:build linux

package netlab

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// traceLine returns the line for hop ttl in `traceroute -n` output.
func traceLine(out string, ttl int) string {
	re := regexp.MustCompile(`(?m)^\s*` + strconv.Itoa(ttl) + `\s+(.*)$`)
	m := re.FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestArticleLab(t *testing.T) {
	RequireTool(t, "traceroute", "dig", "ping", "unbound", "nft")
	spec := Article(ArticleOptions{})
	l := New(t, spec)
	hops, err := ExpectedHops(spec, ArticleClient, ArticleDestination)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("ping v4 and v6", func(t *testing.T) {
		for _, dst := range []string{ArticleTarget4, ArticleTarget6} {
			run(t, l, ArticleClient, "ping", "-c", "1", "-W", "3", dst)
		}
	})

	for _, fam := range []string{"-4", "-6"} {
		target := ArticleTarget4
		if fam == "-6" {
			target = ArticleTarget6
		}
		t.Run("traceroute "+fam, func(t *testing.T) {
			// UDP probes with varying ports, 6 per hop, all sent at once.
			out := run(t, l, ArticleClient, "traceroute", fam, "-n", "-q", "6", "-N", "120", "-w", "1", "-m", "20", target)
			for _, h := range hops {
				line := traceLine(out, h.TTL)
				if line == "" {
					t.Errorf("no line for hop %d in:\n%s", h.TTL, out)
					continue
				}
				last := h.TTL == len(hops)
				if len(h.Responders) > 1 {
					// Multipath hop: one run may see a single branch; TestECMP
					// checks that both show up.
					seen := false
					for _, r := range h.Responders {
						addr := r.Addr4
						if fam == "-6" {
							addr = r.Addr6
						}
						seen = seen || strings.Contains(line, addr.String()+" ")
					}
					if !seen {
						t.Errorf("hop %d: none of the branches in %q", h.TTL, line)
					}
					continue
				}
				for _, r := range h.Responders {
					addr := r.Addr4
					if fam == "-6" {
						addr = r.Addr6
					}
					want := addr.String()
					if last {
						want = target
					}
					switch {
					case r.Silent:
						if strings.Trim(line, "* ") != "" {
							t.Errorf("hop %d (%s) is silent but traceroute shows %q", h.TTL, r.Node, line)
						}
					case !strings.Contains(line, want+" "):
						t.Errorf("hop %d: want %s (%s) in %q", h.TTL, want, r.Node, line)
					}
				}
			}
			if t.Failed() {
				t.Logf("traceroute output:\n%s", out)
			}
		})
	}

	t.Run("dns", func(t *testing.T) {
		r4, ok := l.Resolver(false)
		if !ok || r4.Addr().String() != ArticleResolver4 {
			t.Fatalf("Resolver(false) = %v %v, want %s", r4, ok, ArticleResolver4)
		}
		tests := []struct{ name, args, want string }{
			{"PTR v4", "-x 192.0.2.6", "lag-10.nenly00z.rbci.orange.example."},
			{"PTR v6", "-x 2001:db8:10c::2", "if-ae-2-2.tcore2.svw-singapore.as6453.example."},
			{"PTR unannounced-like", "-x 198.51.100.10", "if-be-7-2.ecore1.emrs2-marseille.as6453.example."},
			{"alias chain", ArticleTargetName + " A", "socwxsns.video.example.\n203.0.113.25\n203.0.113.26\n203.0.113.27"},
			{"AAAA", ArticleCanonical + " AAAA", "2001:db8:ff::25\n2001:db8:ff::26"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				// Through the node's resolv.conf, as tools in the lab see it.
				args := append([]string{"+short", "+time=2", "+tries=1"}, strings.Fields(tc.args)...)
				out := strings.TrimSpace(run(t, l, ArticleClient, "dig", args...))
				lines := strings.Split(out, "\n")
				if tc.name == "alias chain" || tc.name == "AAAA" {
					// A records come in any order after the CNAME.
					sortTail(lines)
				}
				if got := strings.Join(lines, "\n"); got != tc.want {
					t.Errorf("dig %s = %q, want %q", tc.args, got, tc.want)
				}
			})
		}
	})
}

func sortTail(lines []string) {
	start := 0
	if len(lines) > 0 && strings.HasSuffix(lines[0], ".") {
		start = 1
	}
	tail := lines[start:]
	for i := range tail {
		for j := i + 1; j < len(tail); j++ {
			if tail[j] < tail[i] {
				tail[i], tail[j] = tail[j], tail[i]
			}
		}
	}
}

func TestArticleSilentDestination(t *testing.T) {
	RequireTool(t, "traceroute", "nft")
	l := New(t, Article(ArticleOptions{SilentDestination: true, NoDNS: true}))
	if l.Spec().DNS != nil {
		t.Error("NoDNS lab has a DNS spec")
	}
	tests := []struct{ name, method string }{{"icmp", "-I"}, {"udp", "-U"}, {"tcp", "-T"}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := run(t, l, ArticleClient, "traceroute", "-n", tc.method, "-q", "1", "-w", "0.5", "-f", "14", "-m", "18", ArticleTarget4)
			if h := traceLine(out, 14); !strings.Contains(h, "10.28.18") {
				t.Errorf("hop 14 = %q, want an answer from una or unb\n%s", h, out)
			}
			for ttl := 15; ttl <= 18; ttl++ {
				if h := traceLine(out, ttl); strings.Trim(h, "* ") != "" {
					t.Errorf("hop %d = %q, want silence\n%s", ttl, h, out)
				}
			}
		})
	}
}
