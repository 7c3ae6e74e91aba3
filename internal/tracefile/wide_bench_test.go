package tracefile

import (
	"fmt"
	"strings"
	"testing"
)

// Inputs with one hop of n responders known only by name (or n lines, results or links), for the
// work-counting test and the benchmarks (issue 16: work linear in the size of the input).

// wideAddr is the i-th documentation address of a wide hop (i up to 2^32).
func wideAddr(i int) string { return fmt.Sprintf("2001:db8::%x:%x", i>>16, i&0xffff) }

// wideName is the i-th host name of a wide hop.
func wideName(i int) string { return fmt.Sprintf("r%d.core.example.net", i) }

// wideMTRReport is an mtr --report with a second hop answered by n named routers: a row, then
// load-balancing lines.
func wideMTRReport(n int) []byte {
	var b strings.Builder
	b.WriteString("Start: 2024-01-02T03:04:05+0000\nHOST: myhost                      Loss%   Snt   Last   Avg  Best  Wrst StDev\n")
	b.WriteString("  1.|-- 192.0.2.1                  0.0%    10    0.5   0.6   0.4   0.9   0.1\n")
	fmt.Fprintf(&b, "  2.|-- %-26s 0.0%%    10    5.1   5.0   4.9   5.3   0.1\n", wideName(0))
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "    |  `|-- %s\n", wideName(i))
	}
	return []byte(b.String())
}

// wideMTRCurses is the mtr screen with a second hop answered by n named routers.
func wideMTRCurses(n int) []byte {
	var b strings.Builder
	b.WriteString(" Host                                Loss%   Snt   Last   Avg  Best  Wrst StDev\n")
	b.WriteString(" 1. 192.0.2.1                         0.0%    10    0.4   0.5   0.4   0.7   0.1\n")
	fmt.Fprintf(&b, " 2. %-33s 0.0%%    10    5.0   5.2   4.9   5.8   0.3\n", wideName(0))
	for i := 1; i < n; i++ {
		fmt.Fprintf(&b, "    %s\n", wideName(i))
	}
	return []byte(b.String())
}

// wideTracepath is tracepath output whose second hop is printed by n lines, each a named router.
func wideTracepath(n int) []byte {
	var b strings.Builder
	b.WriteString(" 1?: [LOCALHOST]                      pmtu 1500\n 1:  192.0.2.1                         1.000ms\n")
	for i := range n {
		fmt.Fprintf(&b, " 2:  %-34s %d.%03dms\n", wideName(i), 2+i%7, i%1000)
	}
	return []byte(b.String())
}

// wideTracepathError is tracepath output with one "send failed" line of n words.
func wideTracepathError(n int) []byte {
	var b strings.Builder
	b.WriteString(" 1:  192.0.2.1                         1.000ms\n 2:  send failed")
	for i := range n {
		fmt.Fprintf(&b, " w%d", i%10)
	}
	b.WriteString("\n")
	return []byte(b.String())
}

// wideMTRJSON is mtr --json whose hubs list n named routers at hop 2.
func wideMTRJSON(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"report":{"mtr":{"src":"myhost","dst":"192.0.2.9","tos":0,"tests":10,"psize":"64","bitpattern":"0x00"},"hubs":[`)
	b.WriteString(`{"count":1,"host":"192.0.2.1","Loss%":0.0,"Snt":10,"Last":0.5,"Avg":0.6,"Best":0.4,"Wrst":0.9,"StDev":0.1}`)
	for i := range n {
		fmt.Fprintf(&b, `,{"count":2,"host":%q,"Loss%%":0.0,"Snt":10,"Last":5.1,"Avg":5.0,"Best":4.9,"Wrst":5.3,"StDev":0.1}`, wideName(i))
	}
	b.WriteString("]}}\n")
	return []byte(b.String())
}

// wideMTRHopsJSON is Red Hat mtr 0.85's --json with n entries for hop 2, each a name without address.
func wideMTRHopsJSON(n int) []byte {
	var b strings.Builder
	b.WriteString(`{"src":"myhost","dst":"192.0.2.9","tos":"0x0","packetsize":64,"bitpattern":"0x00","packets":5,"hops":[`)
	b.WriteString(`{"hop":1,"ipaddr":"192.0.2.1","host":"unresolved","sent":5,"received":5,"avg":1.2,"best":0.8,"worst":1.8}`)
	for i := range n {
		fmt.Fprintf(&b, `,{"hop":2,"ipaddr":"???","host":%q,"sent":5,"received":5,"avg":5.2,"best":4.8,"worst":5.8}`, wideName(i))
	}
	b.WriteString("]}\n")
	return []byte(b.String())
}

// wideNextTrace is NextTrace output whose second hop lists n responders with hidden addresses.
func wideNextTrace(n int) []byte {
	var b strings.Builder
	b.WriteString("traceroute to 192.0.2.9 (example.com), 30 hops max, 52 bytes payload, ICMP mode\n")
	b.WriteString("1   192.0.2.1       AS64500  [EXAMPLE-NET]    Country Province City  example.net\n")
	b.WriteString("                                              1.90 ms / 1.94 ms / 1.81 ms\n")
	for i := range n {
		lead := "2 "
		if i > 0 {
			lead = "  "
		}
		fmt.Fprintf(&b, "%s  1xx.x.%d.%d    AS64500  [EXAMPLE-NET]    Country Province City  example.net\n", lead, i/250, i%250)
		b.WriteString("                                              8.74 ms / * ms / 8.65 ms\n")
	}
	return []byte(b.String())
}

// wideJunosMPLS is JunOS traceroute whose first hop has n responders, each on its own line with an
// MPLS label line under it.
func wideJunosMPLS(n int) []byte {
	var b strings.Builder
	b.WriteString("traceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 40 byte packets\n")
	for i := range n {
		lead := " 1"
		if i > 0 {
			lead = "  "
		}
		a := wideAddr(i + 1)
		fmt.Fprintf(&b, "%s  %s (%s)  0.861 ms  *\n     MPLS Label=%d CoS=0 TTL=1 S=1\n", lead, a, a, 16+i)
	}
	return []byte(b.String())
}

// wideAtlasLatest is the RIPE Atlas "latest" form ({"probe id": [result], ...}) with n results.
func wideAtlasLatest(n int) []byte {
	var b strings.Builder
	b.WriteString("{")
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `"%d":[{"prb_id":%d,"fw":5080,"type":"traceroute","af":4,"dst_addr":"192.0.2.9","proto":"ICMP","result":[{"hop":1,"result":[{"from":"192.0.2.1","rtt":1.0,"ttl":64}]}]}]`, i+1, i+1)
	}
	b.WriteString("}\n")
	return []byte(b.String())
}

// wideTracelbJSON is a scamper tracelb whose second node, reached by n probe flows, fans out to n
// interfaces at the next hop, one of those flows to each.
func wideTracelbJSON(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, `{"type":"tracelb","method":"udp-dport","src":"192.0.2.100","dst":"203.0.113.25","firsthop":1,"confidence":95,"probec":%d,"nodec":%d,"linkc":%d,"nodes":[`, 2*n, n+2, n+1)
	b.WriteString(`{"addr":"192.0.2.1","linkc":1,"links":[[{"addr":"192.0.2.2","probes":[`)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"ttl":2,"flowid":%d,"replies":[{"ttl":63,"rtt":0.4}]}`, 33435+i)
	}
	fmt.Fprintf(&b, `]}]]},{"addr":"192.0.2.2","linkc":%d,"links":[[`, n)
	for i := range n {
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, `{"addr":"%s","probes":[{"ttl":3,"flowid":%d,"replies":[{"ttl":62,"rtt":0.5}]}]}`, wideAddr(i+1), 33435+i)
	}
	b.WriteString("]]}]}\n")
	return []byte(b.String())
}

// wideTracelbText is sc_warts2text tracelb output of a chain of n nodes, one line per link, printed
// from the far end back to the first hop: each line's first node is placed only by the line after it.
func wideTracelbText(n int) []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "tracelb from 192.0.2.100 to 203.0.113.25, %d nodes, %d links, %d probes, 95%%\n", n+1, n, 6*n)
	for i := n - 1; i >= 0; i-- {
		fmt.Fprintf(&b, "%s -> %s\n", wideAddr(i+1), wideAddr(i+2))
	}
	return []byte(b.String())
}

// wideBenchInputs are the generators of BenchmarkImportWideHop, one per importer that had work
// growing with a hop's size, with the format each is read as.
var wideBenchInputs = []struct {
	name, format string
	gen          func(n int) []byte
}{
	{"mtr-report", FormatMTRReport, wideMTRReport},
	{"mtr-curses", FormatMTRCurses, wideMTRCurses},
	{"tracepath", FormatTracepath, wideTracepath},
	{"mtr-json", FormatMTRJSON, wideMTRJSON},
	{"mtr-json-0.85", FormatMTRJSON, wideMTRHopsJSON},
	{"nexttrace", FormatNextTrace, wideNextTrace},
	{"junos-mpls", FormatJunos, wideJunosMPLS},
	{"tracepath-sendfailed", FormatTracepath, wideTracepathError},
	{"atlas-latest", FormatRIPEAtlas, wideAtlasLatest},
	{"tracelb-json", FormatScamper, wideTracelbJSON},
	{"tracelb-text", FormatTracelbText, wideTracelbText},
}

// BenchmarkImportWideHop imports, for each of those importers, an input of 2,000, 20,000 and 200,000
// responders on one hop (or words on one line, results, or links of one node), generated here. Linear
// work shows as ns/op growing ten times per step; a scan per responder, a hundred times.
func BenchmarkImportWideHop(b *testing.B) {
	for _, in := range wideBenchInputs {
		for _, n := range []int{2_000, 20_000, 200_000} {
			b.Run(fmt.Sprintf("%s/n=%d", in.name, n), func(b *testing.B) {
				data := in.gen(n)
				trs, err := ParseWith(data, in.format, ParseOptions{Strict: in.format != FormatNextTrace})
				if err != nil || len(trs) == 0 {
					b.Fatalf("the generated input does not import whole: %v", err)
				}
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				start := processCPU()
				for b.Loop() {
					if trs, err := ParseWith(data, in.format, ParseOptions{}); err != nil || len(trs) == 0 {
						b.Fatal(err)
					}
				}
				reportCPU(b, start)
			})
		}
	}
}
