package probe

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"hopscope/internal/path"
)

var update = flag.Bool("update", false, "rewrite testdata fuzz seeds")

// seedPackets are well-formed replies to every probe kind, written to testdata by -update.
func seedPackets(v6 bool) map[string][]byte {
	out := map[string][]byte{}
	rtr, dst := rtr4, dst4
	te, unr, port := uint8(11), uint8(3), uint8(3)
	if v6 {
		rtr, dst, te, unr, port = rtr6, dst6, 3, 1, 4
	}
	lbl := []path.MPLSLabel{{Label: 24001, TTL: 1}, {Label: 3, S: true, TTL: 1}}
	for _, m := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
		f := testFlow(m, v6, false)
		pkt, _ := BuildPacket(f, Probe{Seq: 42, TTL: 7, Flow: 1})
		out[string(m)+"-time-exceeded"] = icmpError(v6, rtr, te, 0, pkt, nil, false)
		out[string(m)+"-mpls-rfc4884"] = icmpError(v6, rtr, te, 0, pkt, mplsExt(lbl...), true)
		out[string(m)+"-mpls-compat"] = icmpError(v6, rtr, te, 0, pkt, mplsExt(lbl...), false)
		out[string(m)+"-unreachable"] = icmpError(v6, dst, unr, port, pkt, nil, false)
	}
	out["echo-reply"] = echoReply(v6, dst, 0x1234, 42)
	return out
}

func TestWriteFuzzSeeds(t *testing.T) {
	if !*update {
		if len(readSeeds(t, "icmp4")) == 0 || len(readSeeds(t, "icmp6")) == 0 {
			t.Fatal("no fuzz seeds in testdata; run go test -run TestWriteFuzzSeeds -update")
		}
		return
	}
	for dir, v6 := range map[string]bool{"icmp4": false, "icmp6": true} {
		if err := os.MkdirAll(filepath.Join("testdata", dir), 0o755); err != nil {
			t.Fatal(err)
		}
		for name, b := range seedPackets(v6) {
			if err := os.WriteFile(filepath.Join("testdata", dir, name+".bin"), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// checkMessage runs every flow's matcher over m and checks the invariants a trace relies on.
func checkMessage(t *testing.T, m *Message) {
	for _, meth := range []path.Protocol{path.ProtoICMP, path.ProtoUDP, path.ProtoTCP} {
		f := testFlow(meth, m.V6, true)
		r, ok := f.Match(m)
		if !ok {
			continue
		}
		if !validSeq(r.Seq) || r.Kind < KindTimeExceeded || r.Kind > KindUnreachable {
			t.Fatalf("matched reply with seq %d kind %d", r.Seq, r.Kind)
		}
		if r.Kind == KindReached && r.From != f.Dst {
			t.Fatalf("reached reply from %v, not the target %v", r.From, f.Dst)
		}
	}
	for _, l := range m.MPLS {
		if l.Label >= 1<<20 || l.TC > 7 {
			t.Fatalf("label out of range: %+v", l)
		}
	}
}

func FuzzParseICMPv4(f *testing.F) {
	for _, b := range readSeeds(f, "icmp4") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseICMPv4(b)
		if err != nil {
			if m != nil {
				t.Fatal("message with error")
			}
			return
		}
		checkMessage(t, m)
	})
}

func FuzzParseICMPv6(f *testing.F) {
	for _, b := range readSeeds(f, "icmp6") {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseICMPv6(b)
		if err != nil {
			return
		}
		m.From = dst6
		checkMessage(t, m)
	})
}

func FuzzParseTCP(f *testing.F) {
	f.Add([]byte{0x45, 0, 0, 40, 0, 0, 0, 0, 55, 6, 0, 0, 203, 0, 113, 25, 10, 0, 0, 2, 1, 187, 156, 64, 0, 0, 0, 0, 255, 255, 240, 43, 0x50, 0x12, 0, 0, 0, 0, 0, 0}, false)
	f.Fuzz(func(t *testing.T, b []byte, v6 bool) {
		s, err := ParseTCP(b, v6)
		if err != nil {
			return
		}
		if v6 {
			s.From = dst6
		}
		fl := testFlow(path.ProtoTCP, v6, true)
		if r, ok := fl.MatchTCP(s); ok && !validSeq(r.Seq) {
			t.Fatalf("seq %d", r.Seq)
		}
	})
}

func FuzzParseExtensions(f *testing.F) {
	f.Add(mplsExt(path.MPLSLabel{Label: 16, S: true, TTL: 1}))
	f.Add([]byte{0x20, 0, 0, 0, 0, 8, 1, 1, 0, 0, 0x11, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		labels, ok := parseExtensions(b)
		if !ok && labels != nil {
			t.Fatal("labels from an invalid structure")
		}
		if len(labels)*4 > len(b) {
			t.Fatal(fmt.Sprintf("%d labels from %d bytes", len(labels), len(b)))
		}
	})
}

func FuzzParseErrQueue(f *testing.F) {
	fl := testFlow(path.ProtoUDP, false, false)
	pl, _ := BuildPayload(fl, Probe{Seq: 42, TTL: 7, Flow: 1})
	f.Add(pl, uint8(protoUDP), uint8(11), uint8(0))
	icmp, _ := BuildPayload(testFlow(path.ProtoICMP, false, false), Probe{Seq: 42, TTL: 7, Flow: 1})
	f.Add(icmp, uint8(protoICMP), uint8(3), uint8(3))
	f.Fuzz(func(t *testing.T, data []byte, proto, typ, code uint8) {
		m, err := ParseErrQueue(ErrQueueEntry{Data: data, Offender: rtr4, Dst: dst4, DstPort: 33434, SrcPort: 40000,
			Type: typ, Code: code, Proto: proto})
		if err != nil {
			return
		}
		checkMessage(t, m)
	})
}
