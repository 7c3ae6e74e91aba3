package mitm

import (
	"fmt"
	"strings"
)

// TrustHelp returns step-by-step instructions for trusting the CA certificate at certPath on each
// platform, and for removing it afterwards. spki is the CA's SPKI hash (for Chromium's flag).
func TrustHelp(certPath, spki string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format+"\n", a...) }
	w("Trusting the hopscope CA lets hopscope decrypt HTTPS from apps on this machine or device.")
	w("Anyone holding its key (hopscope-ca-key.pem next to the certificate, mode 0600) can impersonate any site")
	w("to you: trust it only while you investigate, and remove it afterwards.")
	w("")
	w("CA certificate: %s", certPath)
	w("")
	w("Linux (Debian, Ubuntu):")
	w("  sudo cp %s /usr/local/share/ca-certificates/hopscope-ca.crt", certPath)
	w("  sudo update-ca-certificates")
	w("  remove: sudo rm /usr/local/share/ca-certificates/hopscope-ca.crt && sudo update-ca-certificates --fresh")
	w("Linux (Fedora, RHEL, Arch: p11-kit):")
	w("  sudo trust anchor --store %s", certPath)
	w("  remove: sudo trust anchor --remove %s", certPath)
	w("")
	w("macOS (System keychain, needs an administrator):")
	w("  sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain %s", certPath)
	w("  remove: sudo security remove-trusted-cert -d %s", certPath)
	w("          sudo security delete-certificate -c \"hopscope interception CA\" /Library/Keychains/System.keychain")
	w("")
	w("Windows (elevated prompt; export DER first: hopscope ca export --format der -o hopscope-ca.cer):")
	w("  certutil -addstore -f Root hopscope-ca.cer")
	w("  remove: certutil -delstore Root \"hopscope interception CA\"")
	w("  (per user, without elevation: certutil -user -addstore Root hopscope-ca.cer)")
	w("")
	w("Firefox (its own store):")
	w("  Settings > Privacy & Security > Certificates > View Certificates > Authorities > Import, tick")
	w("  \"Trust this CA to identify websites\"; or set security.enterprise_roots.enabled=true to use the OS store;")
	w("  or policies.json: {\"policies\":{\"Certificates\":{\"Install\":[\"%s\"]}}}", certPath)
	w("  NSS command line (also Chromium on Linux): certutil -d sql:$HOME/.pki/nssdb -A -t C,, -n hopscope -i %s", certPath)
	w("  remove: delete it in the same dialog, or certutil -d sql:$HOME/.pki/nssdb -D -n hopscope")
	w("")
	w("Chromium for one run only (no install): --ignore-certificate-errors-spki-list=%s", spki)
	w("")
	w("Android (user CA; Settings > Security > Encryption & credentials > Install a certificate > CA certificate):")
	w("  hopscope ca export --format der -o hopscope-ca.crt; adb push hopscope-ca.crt /sdcard/Download/")
	w("  Apps targeting Android 7+ trust user CAs only if their network_security_config allows it (debug builds):")
	w("    <network-security-config><debug-overrides><trust-anchors>")
	w("      <certificates src=\"user\"/></trust-anchors></debug-overrides></network-security-config>")
	w("  remove: Settings > Security > Encryption & credentials > User credentials > hopscope > Remove")
	w("")
	w("iOS: AirDrop or mail the DER file, install the profile, then enable it under")
	w("  Settings > General > About > Certificate Trust Settings; remove the profile under VPN & Device Management.")
	w("")
	w("Then point the app at the proxy (hopscope proxy, 127.0.0.1:8080). Apps that pin certificates refuse")
	w("the CA anyway: hopscope reports the first refusal, pins the host at the second and passes it through after.")
	w("When done: undo the steps above, then \"hopscope ca remove\".")
	return b.String()
}
