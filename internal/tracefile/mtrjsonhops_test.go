package tracefile

import (
	"strings"
	"testing"
)

// TestMTRJSONLayouts pins the --json layouts of real pastes: Red Hat's mtr 0.85 ("hops" with
// "ipaddr", "host": "unresolved", "asn" with --aslookup) and a report whose last closing brackets
// were lost in the copy.
func TestMTRJSONLayouts(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		target  string
		hops    int
		warning string
		errSub  string
	}{
		{
			name:   "hops layout, compact, prompt",
			in:     "# mtr --report -c 5 --json 192.0.2.9\n" + `{"src":"HOST","dst":"192.0.2.9","tos":"0x0","packetsize":64,"bitpattern":"0x00","packets":10,"hops":[{"hop":1,"ipaddr":"198.51.100.1","host":"unresolved","drop":1,"received":9,"losspercent":10.0,"sent":10,"last":1.5,"avg":1.2,"best":0.8,"worst":1.8,"stddev":0.0},{"hop":2,"ipaddr":"192.0.2.9","host":"dst.example.net","drop":0,"received":10,"losspercent":0.0,"sent":10,"last":2.0,"avg":2.0,"best":1.9,"worst":2.1,"stddev":0.0}]}` + "\n",
			target: "192.0.2.9", hops: 2,
		},
		{
			name:   "hops layout with --aslookup, a silent hop",
			in:     `{"src":"HOST","dst":"example.net","packetsize":64,"packets":5,"hops":[{"hop":1,"ipaddr":"198.51.100.1","host":"unresolved","asn":"AS64500","drop":0,"received":5,"sent":5,"last":1.2,"avg":1.4,"best":0.9,"worst":2.7,"stddev":0.7},{"hop":2,"ipaddr":"???","host":"???","asn":"AS???","drop":5,"received":0,"sent":5},{"hop":3,"ipaddr":"192.0.2.9","host":"dns.example","asn":"AS64501","drop":0,"received":5,"sent":5,"last":2,"avg":2,"best":1.9,"worst":2,"stddev":0}]}`,
			target: "example.net", hops: 3,
		},
		{
			name:   "report missing its last brace",
			in:     "{\n  \"report\": {\n    \"mtr\": {\n      \"src\": \"h\",\n      \"dst\": \"192.0.2.9\",\n      \"tests\": \"10\"\n    },\n    \"hubs\": [{\n      \"count\": \"1\",\n      \"host\": \"192.0.2.9\",\n      \"Loss%\": 0.00,\n      \"Snt\": 10,\n      \"Avg\": 34.93\n    }]\n  }\n",
			target: "192.0.2.9", hops: 1,
			warning: "1 closing bracket(s) added",
		},
		{
			name:   "a value lost, not only brackets",
			in:     "{\"report\": {\"mtr\": {\"src\": \"h\", \"dst\": \"192.0.2.9\"}, \"hubs\": [{\"count\": \"1\", \"host\":",
			errSub: "line 1",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			trs, err := ParseWith([]byte(tc.in), FormatMTRJSON, ParseOptions{})
			if tc.errSub != "" {
				if err == nil || !strings.Contains(err.Error(), tc.errSub) {
					t.Fatalf("err = %v, want one containing %q", err, tc.errSub)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tr := trs[0]
			if got := targetText(tr); got != tc.target || len(tr.Hops) != tc.hops {
				t.Errorf("target %q with %d hops, want %q with %d", got, len(tr.Hops), tc.target, tc.hops)
			}
			if tc.warning != "" {
				wantWarning(t, tr, tc.warning)
			}
			if f, err := Detect([]byte(tc.in)); err != nil || f != FormatMTRJSON {
				t.Errorf("Detect = %q, %v; want %q", f, err, FormatMTRJSON)
			}
		})
	}
}

// TestCloseTruncatedJSON pins when the repair adds brackets and when it declines.
func TestCloseTruncatedJSON(t *testing.T) {
	for _, tc := range []struct {
		in     string
		closed int
	}{
		{`{"a": [{"b": 1}]`, 1},
		{`{"a": [{"b": 1}`, 2},
		{`{"a": "x}]"`, 1},
		{`{"a": 1}`, 0},
		{`{"a": "unterminated`, 0},
		{`{"a": 1,`, 0},
		{`{"a":`, 0},
		{`{"a": 1]`, 0},
	} {
		if _, n := closeTruncatedJSON([]byte(tc.in)); n != tc.closed {
			t.Errorf("closeTruncatedJSON(%q) closed %d, want %d", tc.in, n, tc.closed)
		}
	}
}
