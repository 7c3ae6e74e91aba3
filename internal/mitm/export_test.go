package mitm

import (
	"bytes"
	"crypto/rand"
	"encoding/pem"
	"testing"
	"time"

	"software.sslmate.com/src/go-pkcs12"
)

// TestExportFormatForFile is issue 16 finding 9 (library side): `ca export -o ca.p12` wrote PEM into a
// file named .p12. The file name now picks the format and Export writes it.
func TestExportFormatForFile(t *testing.T) {
	ca, err := NewCA("export test", time.Now(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		file string
		want ExportFormat
		ok   bool
	}{
		{"ca.p12", FormatP12, true},
		{"CA.PFX", FormatP12, true},
		{"dir.d/ca.cer", FormatDER, true},
		{"ca.crt", FormatDER, true},
		{"ca.der", FormatDER, true},
		{"ca.pem", FormatPEM, true},
		{"ca", "", false},
		{"ca.txt", "", false},
	} {
		t.Run(c.file, func(t *testing.T) {
			got, ok := FormatForFile(c.file)
			if got != c.want || ok != c.ok {
				t.Fatalf("FormatForFile(%q) = %q %v, want %q %v", c.file, got, ok, c.want, c.ok)
			}
			if !ok {
				return
			}
			data, err := ca.Export(got, "pw")
			if err != nil {
				t.Fatal(err)
			}
			switch got {
			case FormatP12:
				certs, err := pkcs12.DecodeTrustStore(data, "pw")
				if err != nil || len(certs) != 1 || !certs[0].Equal(ca.Cert) {
					t.Errorf("p12 does not decode to the CA: %v", err)
				}
			case FormatDER:
				if !bytes.Equal(data, ca.Cert.Raw) {
					t.Error("DER is not the certificate")
				}
			case FormatPEM:
				if b, _ := pem.Decode(data); b == nil || !bytes.Equal(b.Bytes, ca.Cert.Raw) {
					t.Error("PEM is not the certificate")
				}
			}
		})
	}
	if _, err := ParseExportFormat("jks"); err == nil {
		t.Error("ParseExportFormat accepted jks")
	}
}
