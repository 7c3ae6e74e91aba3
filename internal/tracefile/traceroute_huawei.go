package tracefile

import (
	"strconv"
	"strings"

	"hopscope/internal/path"
)

// FormatTracerouteHuawei is the tracert of Huawei VRP (and H3C Comware, its offspring): traceroute's
// hop syntax under a header of their own, with "tracert -v" label stacks glued to the address.
const FormatTracerouteHuawei = "traceroute-huawei"

// detectTracerouteHuawei claims traceroute output that tracerouteFlavour calls Huawei VRP/H3C.
func detectTracerouteHuawei(s *sniff) confidence {
	return detectTracerouteAs(s, FormatTracerouteHuawei)
}

// parseTracerouteHuawei imports Huawei VRP and H3C Comware tracert output:
//
//	<CE1>tracert -v 192.0.2.8
//	 traceroute to  192.0.2.8(192.0.2.8), max hops: 30 ,packet length: 40,press CTRL_C to break
//	 1 10.1.17.1 30 ms  20 ms  20 ms
//	 2 10.1.12.2[MPLS Label=1024/1028 Exp=0/0 S=0/1 TTL=1/1] 50 ms  40 ms  40 ms
//
// H3C prints "traceroute to 192.0.2.8(192.0.2.8), 30 hops at most, 40 bytes each packet, press CTRL_C
// to break" and Linux-like hop lines.
func parseTracerouteHuawei(data []byte, opts ParseOptions) ([]*path.Trace, error) {
	return parseTraceroute(data, FormatTracerouteHuawei, opts)
}

// isHuaweiHeader reports whether body is a VRP or Comware "traceroute to" header.
func isHuaweiHeader(body string) bool {
	return strings.HasPrefix(body, "traceroute to ") &&
		(strings.Contains(body, "max hops:") || strings.Contains(body, "hops at most") || strings.Contains(body, "press CTRL_C"))
}

// huaweiHeaderField reads one comma-separated part of a VRP or Comware header ("max hops: 30",
// "packet length: 40", "30 hops at most", "40 bytes each packet") into t; false when it is none of them.
func huaweiHeaderField(t *path.Trace, f []string) bool {
	switch {
	case len(f) == 3 && f[0] == "max" && f[1] == "hops:":
		t.MaxTTL, _ = parseUint(f[2], 1<<16)
	case len(f) == 3 && f[0] == "packet" && f[1] == "length:":
		t.PacketSize, _ = parseUint(f[2], 1<<20)
	case len(f) == 4 && f[1] == "hops" && f[2] == "at" && f[3] == "most":
		t.MaxTTL, _ = parseUint(f[0], 1<<16)
	case len(f) == 4 && f[1] == "bytes" && f[2] == "each" && f[3] == "packet":
		t.PacketSize, _ = parseUint(f[0], 1<<20)
	default:
		return false
	}
	return true
}

// splitGluedMPLS cuts a responder glued to VRP's label stack ("10.1.12.2[MPLS") into the address and
// "[MPLS"; toks is returned as it is when no token needs it.
func splitGluedMPLS(toks []token) []token {
	at := -1
	for i, t := range toks {
		if k := strings.Index(t.s, "[MPLS"); k > 0 {
			at = i
			break
		}
	}
	if at < 0 {
		return toks
	}
	out := make([]token, 0, len(toks)+2)
	for _, t := range toks {
		if k := strings.Index(t.s, "[MPLS"); k > 0 {
			out = append(out, token{s: t.s[:k], col: t.col}, token{s: t.s[k:], col: t.col + k})
			continue
		}
		out = append(out, t)
	}
	return out
}

// huaweiMPLS parses VRP's label stack after "[MPLS": "Label=1024/1028 Exp=0/0 S=0/1 TTL=1/1]", one
// value per stack entry in each field, top of the stack first; n is the number of tokens used (up to
// and including the one that closes the bracket).
func huaweiMPLS(toks []token) (labels []path.MPLSLabel, n int, ok bool) {
	fields := map[string][]string{}
	closed := false
	for n < len(toks) && !closed {
		s := toks[n].s
		n++
		if strings.HasSuffix(s, "]") {
			s, closed = s[:len(s)-1], true
		}
		if s == "" {
			continue
		}
		k, v, found := strings.Cut(s, "=")
		if !found || fields[k] != nil {
			return nil, n, false
		}
		fields[k] = strings.Split(v, "/")
	}
	stack := fields["Label"]
	if !closed || len(stack) == 0 {
		return nil, n, false
	}
	labels = make([]path.MPLSLabel, len(stack))
	for k, vals := range fields {
		if len(vals) != len(stack) {
			return nil, n, false
		}
		for i, v := range vals {
			x, err := strconv.ParseUint(v, 10, 32)
			if err != nil {
				return nil, n, false
			}
			switch k {
			case "Label":
				if x >= 1<<20 {
					return nil, n, false
				}
				labels[i].Label = uint32(x)
			case "Exp", "TC", "CoS":
				labels[i].TC = uint8(x & 7)
			case "S":
				labels[i].S = x != 0
			case "TTL":
				labels[i].TTL = uint8(x & 0xFF)
			default:
				return nil, n, false
			}
		}
	}
	return labels, n, true
}
