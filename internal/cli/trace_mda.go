package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/pflag"

	"hopscope/internal/mda"
	"hopscope/internal/probe"
)

// mdaFlags are the flags of trace --mda: multipath enumeration with the MDA's stopping rule.
type mdaFlags struct {
	on         bool
	confidence int
	maxProbes  int
}

func addMDAFlags(f *pflag.FlagSet, m *mdaFlags) {
	f.BoolVar(&m.on, "mda", false, "enumerate every load-balanced path with the Multipath Detection Algorithm, as scamper tracelb does: flows are varied hop by hop until the stopping rule holds at --confidence")
	f.IntVar(&m.confidence, "confidence", 95, "with --mda: how sure (percent, 95 or 99) to be that no load-balanced next hop was missed")
	f.IntVar(&m.maxProbes, "max-probes", 3000, "with --mda: the most probes to send; hops where the stopping rule did not hold when they ran out are reported incomplete")
}

// validate checks the --mda flags against the rest of trace's.
func (m mdaFlags) validate(fs *pflag.FlagSet, o *traceOptions) error {
	if !m.on {
		for _, name := range []string{"confidence", "max-probes"} {
			if fs.Changed(name) {
				return usageError{fmt.Errorf("--%s applies to --mda", name)}
			}
		}
		return nil
	}
	switch {
	case m.confidence != 95 && m.confidence != 99:
		return usageError{fmt.Errorf("--confidence %d: want 95 or 99", m.confidence)}
	case m.maxProbes < 1 || m.maxProbes > 65534:
		return usageError{fmt.Errorf("--max-probes %d: want 1..65534", m.maxProbes)}
	case o.count > 0:
		return usageError{errors.New("--mda makes one pass: not with -c")}
	case o.mtu:
		return usageError{errors.New("--mda and --mtu: run them as two traces")}
	case o.via.via != "":
		return usageError{errors.New("--mda probes from this machine: not with --via")}
	case fs.Changed("probes"):
		return usageError{errors.New("-q does not apply to --mda: the stopping rule decides how many probes each hop gets")}
	}
	return nil
}

// options turns the trace's probe options into the MDA's: the same method, port, sockets, TTLs, rate,
// timeout and namer; --max-silent is the gap limit (silent hops after which a branch is given up).
func (m mdaFlags) options(po probe.Options) mda.Options {
	return mda.Options{
		Config: mda.Config{Confidence: float64(m.confidence) / 100, FirstTTL: po.FirstTTL, MaxTTL: po.MaxTTL,
			MaxProbes: m.maxProbes, GapLimit: po.MaxSilent, Rate: po.Rate, Timeout: po.Timeout},
		Method: po.Method, Port: po.Port, Mode: po.Mode, Names: po.Names, Rand: po.Rand,
	}
}
