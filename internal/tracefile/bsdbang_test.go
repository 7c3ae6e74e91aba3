package tracefile

import "testing"

// TestBSDReplyTTLMark: BSD and macOS traceroute print "!" after an RTT whose reply came back with a TTL
// of 1 or less; the importer keeps that as the probe's reply TTL, so the explanation can name it.
func TestBSDReplyTTLMark(t *testing.T) {
	in := "traceroute to 192.0.2.9 (192.0.2.9), 64 hops max, 52 byte packets\n" +
		" 1  192.0.2.1 (192.0.2.1)  1.101 ms  0.912 ms  0.871 ms\n" +
		" 2  192.0.2.9 (192.0.2.9)  2.204 ms !  2.011 ms  2.113 ms !\n"
	trs, err := Parse([]byte(in), FormatTracerouteBSD)
	if err != nil || len(trs) != 1 {
		t.Fatalf("Parse: %v", err)
	}
	ps := trs[0].Hops[1].Probes
	if len(ps) != 3 || ps[0].ReplyTTL != 1 || ps[1].ReplyTTL != 0 || ps[2].ReplyTTL != 1 || !ps[0].HasRTT {
		t.Fatalf("probes = %+v", ps)
	}
}
