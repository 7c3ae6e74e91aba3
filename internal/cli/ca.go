package cli

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"hopscope/internal/mitm"
)

func caDir(g *globalOptions) (string, error) {
	d, err := g.dataPath()
	if err != nil {
		return "", err
	}
	return filepath.Join(d, "ca"), nil
}

// loadOrCreateCA loads the install's CA, creating it (and saying so on errw) when there is none.
func loadOrCreateCA(g *globalOptions, errw io.Writer) (*mitm.CA, error) {
	dir, err := caDir(g)
	if err != nil {
		return nil, err
	}
	ca, err := mitm.LoadCA(dir)
	if errors.Is(err, mitm.ErrNoCA) {
		ca, err = mitm.CreateCA(dir, false, time.Now(), rand.Reader)
		if err == nil {
			fmt.Fprintf(errw, "created a new CA in %s; trust it to intercept HTTPS (hopscope ca trust-help)\n", dir)
		}
	}
	return ca, err
}

func newCACmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "ca",
		Short: "Manage the interception CA (create, show, export, remove, trust-help)",
		Long: `The proxy signs a certificate for every intercepted host with a root CA made for this install only
(ECDSA P-256, key file mode 0600, kept in the data directory, never shipped). Apps accept those
certificates only once you trust the CA: see "hopscope ca trust-help", and remove it when you are done.`,
	}
	var force bool
	create := &cobra.Command{
		Use:   "create",
		Short: "Create the CA (refuses to replace one unless --force)",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			dir, err := caDir(g)
			if err != nil {
				return err
			}
			ca, err := mitm.CreateCA(dir, force, time.Now(), rand.Reader)
			if err != nil {
				return err
			}
			out := g.streams.Out
			fmt.Fprintf(out, "created %s (key %s, mode 0600)\n", ca.CertPath(), filepath.Join(dir, mitm.CAKeyFile))
			printCA(out, ca)
			fmt.Fprintln(out, "next: trust it (hopscope ca trust-help), then run hopscope proxy")
			return nil
		},
	}
	create.Flags().BoolVar(&force, "force", false, "replace an existing CA (certificates trusted from the old one stop working)")

	show := &cobra.Command{
		Use:   "show",
		Short: "Show the CA's subject, validity, fingerprint and SPKI hash",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			ca, err := loadCA(g)
			if err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "certificate: %s\n", ca.CertPath())
			printCA(g.streams.Out, ca)
			return nil
		},
	}

	var format, output, password string
	export := &cobra.Command{
		Use:   "export",
		Short: "Write the CA certificate as PEM, DER (.cer/.crt for Windows, Android) or PKCS#12 (.p12)",
		Long: `Write the CA certificate (never its key) as PEM, DER or a PKCS#12 trust store, to stdout or -o FILE.
DER and p12 are binary: use -o, or redirect stdout.`,
		Args: argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			ca, err := loadCA(g)
			if err != nil {
				return err
			}
			f, err := mitm.ParseExportFormat(format)
			if err != nil {
				return badInput(fmt.Errorf("ca export: %w", err))
			}
			if byName, ok := mitm.FormatForFile(output); ok && !c.Flags().Changed("format") {
				f = byName // -o ca.p12 asks for PKCS#12, -o ca.cer for DER
			} else if ok && byName != f {
				return badInput(fmt.Errorf("ca export: --format %s disagrees with the file name %s (a %s file)", format, output, byName))
			}
			data, err := ca.Export(f, password)
			if err != nil {
				return err
			}
			if output == "" || output == "-" {
				_, err = g.streams.Out.Write(data)
				return err
			}
			if err := os.WriteFile(output, data, 0o644); err != nil {
				return fmt.Errorf("ca export: %w", err)
			}
			fmt.Fprintf(g.streams.Err, "wrote %s (%s)\n", output, f)
			return nil
		},
	}
	export.Flags().StringVar(&format, "format", "pem", "pem, der or p12 (default: from the -o file's extension, .p12/.pfx, .der/.cer/.crt, .pem; else pem)")
	export.Flags().StringVarP(&output, "output", "o", "", "write to FILE instead of stdout")
	export.Flags().StringVar(&password, "password", "", "password protecting the p12 file (empty by default; some importers require one)")

	remove := &cobra.Command{
		Use:   "remove",
		Short: "Delete the CA files (untrust it first: see trust-help)",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			dir, err := caDir(g)
			if err != nil {
				return err
			}
			if err := mitm.RemoveCA(dir); err != nil {
				return err
			}
			fmt.Fprintf(g.streams.Out, "removed the CA from %s\nremember to remove it from every trust store you added it to (hopscope ca trust-help shows how)\n", dir)
			return nil
		},
	}

	trust := &cobra.Command{
		Use:   "trust-help",
		Short: "How to trust the CA on Linux, macOS, Windows, Firefox, Android and iOS, and how to remove it",
		Args:  argsUsage(cobra.NoArgs),
		RunE: func(c *cobra.Command, _ []string) error {
			ca, err := loadCA(g)
			if err != nil {
				return err
			}
			_, err = io.WriteString(g.streams.Out, mitm.TrustHelp(ca.CertPath(), ca.SPKIHash()))
			return err
		},
	}
	cmd.AddCommand(create, show, export, remove, trust)
	return cmd
}

func loadCA(g *globalOptions) (*mitm.CA, error) {
	dir, err := caDir(g)
	if err != nil {
		return nil, err
	}
	ca, err := mitm.LoadCA(dir)
	if errors.Is(err, mitm.ErrNoCA) {
		return nil, badInput(fmt.Errorf("%w in %s", err, dir))
	}
	return ca, err
}

func printCA(w io.Writer, ca *mitm.CA) {
	fmt.Fprintf(w, "subject:     %s\n", ca.Cert.Subject)
	fmt.Fprintf(w, "key:         ECDSA P-256\n")
	fmt.Fprintf(w, "valid:       %s to %s\n", ca.Cert.NotBefore.UTC().Format(time.DateOnly), ca.Cert.NotAfter.UTC().Format(time.DateOnly))
	fmt.Fprintf(w, "sha256:      %s\n", ca.Fingerprint())
	fmt.Fprintf(w, "spki sha256: %s\n", ca.SPKIHash())
}
