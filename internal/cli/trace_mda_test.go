package cli

import (
	"strings"
	"testing"
	"time"

	"hopscope/internal/path"
	"hopscope/internal/probe"
)

// TestTraceMDAFlags checks the --mda flag combinations that are refused before anything is sent
// (the addresses are TEST-NET ones; a refused command never probes).
func TestTraceMDAFlags(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"confidence without mda", []string{"--confidence", "99"}, "--confidence applies to --mda"},
		{"max-probes without mda", []string{"--max-probes", "10"}, "--max-probes applies to --mda"},
		{"confidence 90", []string{"--mda", "--confidence", "90"}, "--confidence 90: want 95 or 99"},
		{"max-probes 0", []string{"--mda", "--max-probes", "0"}, "--max-probes 0: want 1..65534"},
		{"rounds", []string{"--mda", "-c", "3"}, "--mda makes one pass"},
		{"mtu", []string{"--mda", "--mtu"}, "--mda and --mtu"},
		{"probes per hop", []string{"--mda", "-q", "5"}, "-q does not apply to --mda"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			args := append(append([]string{"trace"}, tc.args...), "192.0.2.1")
			code, _, errs := run(t, "", args...)
			if code != ExitBadInput || !strings.Contains(errs, tc.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errs, ExitBadInput, tc.want)
			}
		})
	}
}

func TestTraceMDAOptions(t *testing.T) {
	po := probe.Options{Config: probe.Config{FirstTTL: 2, MaxTTL: 20, Rate: 500, Timeout: 3 * time.Second, MaxSilent: 4},
		Method: path.ProtoUDP, Port: 4000, Mode: probe.ModeRaw}
	got := mdaFlags{on: true, confidence: 99, maxProbes: 700}.options(po)
	c := got.Config
	if c.Confidence != 0.99 || c.FirstTTL != 2 || c.MaxTTL != 20 || c.MaxProbes != 700 || c.GapLimit != 4 ||
		c.Rate != 500 || c.Timeout != 3*time.Second {
		t.Errorf("config %+v", c)
	}
	if got.Method != path.ProtoUDP || got.Port != 4000 || got.Mode != probe.ModeRaw {
		t.Errorf("options %+v", got)
	}
}
