package tracefile

import "testing"

// TestDetectBlankLines pins that lines a reader sees as blank are skipped, never fatal.
func TestDetectBlankLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
	}{
		{"ideographic space line", "\u3000\ntraceroute to 192.0.2.9 (192.0.2.9), 30 hops max, 60 byte packets\n 1  192.0.2.1  1.0 ms\n", FormatTraceroute},
		{"next line then tracert", " \u0085\nTracing route to 192.0.2.9 over a maximum of 30 hops\n", FormatTracert},
		{"tabs and CR", "\t \r\n 1:  192.0.2.1  1.0ms\n", FormatTracepath},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Detect([]byte(tc.in))
			if err != nil || got != tc.want {
				t.Fatalf("Detect = %q, %v; want %q", got, err, tc.want)
			}
		})
	}
	if _, err := Detect([]byte("\u3000\n\u2003\n")); err == nil {
		t.Fatal("Detect of only Unicode-space lines: no error")
	}
}
