package enrich

import (
	"net/netip"
	"strings"
	"sync"
)

// Anycast says that an address is announced from many places at once, so the instance that answered
// is wherever routing led the probe (usually the nearest): the registry country and any database city
// say nothing about where it is, and only the trace's RTTs bound the distance.
type Anycast struct {
	// Prefix is the anycast prefix that holds the address (the address itself for a name rule).
	Prefix netip.Prefix
	// Operator runs the service ("Cloudflare", "Google", "Verisign").
	Operator string
	// Service is what the prefix serves ("public DNS resolver", "F root name server", "CDN").
	Service string
	// Source is where the fact comes from: the operator's published list or the name rule that matched.
	Source string
}

// anycastRow is one hand-kept anycast prefix with the public document that states it.
type anycastRow struct {
	prefix, operator, service, source string
}

// Sources of anycastRows.
const (
	srcCloudflareIPs = "Cloudflare's published IP ranges (cloudflare.com/ips)"
	srcCloudflareDNS = "Cloudflare 1.1.1.1 documentation (1.1.1.1, 1.0.0.1, 2606:4700:4700::1111)"
	srcGoogleDNS     = "Google Public DNS documentation (8.8.8.8, 8.8.4.4, 2001:4860:4860::8888)"
	srcGoogleNS      = "Google's authoritative name servers ns1-ns4.google.com (anycast)"
	srcQuad9         = "Quad9 documentation (9.9.9.9, 149.112.112.112, 2620:fe::fe)"
	srcOpenDNS       = "Cisco OpenDNS documentation (208.67.222.222, 208.67.220.220)"
	srcRoot          = "IANA root hints / root-servers.org (every root server letter is anycast)"
	srcGTLD          = "Verisign gtld-servers.net addresses (com/net name servers, anycast)"
	srcHEDNS         = "Hurricane Electric's public resolver ordns.he.net (74.82.42.42, 2001:470:20::2), anycast on its backbone"
	srcAdGuardDNS    = "AdGuard DNS documentation (94.140.14.14, 94.140.15.15, 2a10:50c0::ad1:ff, 2a10:50c0::ad2:ff; anycast)"
	srcLevel3DNS     = "Level 3 (Lumen) resolvers 4.2.2.1-4.2.2.6, anycast"
	srcFastly        = "Fastly documentation \"Using Fastly with apex domains\" (anycast addresses in 151.101.0.0/16, AS54113)"
	srcGitHubPages   = "GitHub Pages documentation (A records 185.199.108.153-185.199.111.153, AAAA 2606:50c0:8000::153-2606:50c0:8003::153)"
	srcAWSGA         = "AWS Global Accelerator documentation (static IP addresses anycast from the AWS edge network; AWS ip-ranges.json lists 3.33.128.0/17 and 15.197.0.0/16 as service GLOBALACCELERATOR, region GLOBAL)"
	srcYandexDNS     = "Yandex.DNS documentation (77.88.8.8, 77.88.8.1, 2a02:6b8::feed:0ff, 2a02:6b8:0:1::feed:0ff; also the Safe and Family addresses in 77.88.8.0/24), anycast, AS13238"
)

// anycastRows are well-documented anycast prefixes: public resolvers, the 13 root server letters, the
// com/net name servers and Cloudflare's published ranges. Facts compiled for hopscope, each with its
// source; no third-party dataset is copied.
var anycastRows = []anycastRow{
	{"1.1.1.0/24", "Cloudflare", "public DNS resolver 1.1.1.1", srcCloudflareDNS},
	{"1.0.0.0/24", "Cloudflare", "public DNS resolver 1.0.0.1", srcCloudflareDNS},
	{"2606:4700:4700::/48", "Cloudflare", "public DNS resolver", srcCloudflareDNS},
	{"8.8.8.0/24", "Google", "public DNS resolver 8.8.8.8", srcGoogleDNS},
	{"8.8.4.0/24", "Google", "public DNS resolver 8.8.4.4", srcGoogleDNS},
	{"2001:4860:4860::/48", "Google", "public DNS resolver", srcGoogleDNS},
	{"216.239.32.0/24", "Google", "name server ns1.google.com", srcGoogleNS},
	{"216.239.34.0/24", "Google", "name server ns2.google.com", srcGoogleNS},
	{"216.239.36.0/24", "Google", "name server ns3.google.com", srcGoogleNS},
	{"216.239.38.0/24", "Google", "name server ns4.google.com", srcGoogleNS},
	{"9.9.9.0/24", "Quad9", "public DNS resolver 9.9.9.9", srcQuad9},
	{"149.112.112.0/24", "Quad9", "public DNS resolver 149.112.112.112", srcQuad9},
	{"2620:fe::/48", "Quad9", "public DNS resolver", srcQuad9},
	{"208.67.222.0/24", "Cisco OpenDNS", "public DNS resolver 208.67.222.222", srcOpenDNS},
	{"208.67.220.0/24", "Cisco OpenDNS", "public DNS resolver 208.67.220.220", srcOpenDNS},
	{"2620:119:35::/48", "Cisco OpenDNS", "public DNS resolver", srcOpenDNS},
	{"2620:119:53::/48", "Cisco OpenDNS", "public DNS resolver", srcOpenDNS},
	{"74.82.42.42/32", "Hurricane Electric", "public DNS resolver ordns.he.net", srcHEDNS},
	{"2001:470:20::/64", "Hurricane Electric", "public DNS resolver ordns.he.net", srcHEDNS}, // the index reads IPv6 by /64
	{"94.140.14.0/24", "AdGuard", "public DNS resolver 94.140.14.14", srcAdGuardDNS},
	{"94.140.15.0/24", "AdGuard", "public DNS resolver 94.140.15.15", srcAdGuardDNS},
	{"2a10:50c0::/64", "AdGuard", "public DNS resolver", srcAdGuardDNS},
	{"4.2.2.0/29", "Lumen (Level 3)", "public DNS resolver 4.2.2.1-4.2.2.6", srcLevel3DNS},
	{"77.88.8.0/24", "Yandex", "public DNS resolver 77.88.8.8, 77.88.8.1", srcYandexDNS},
	{"2a02:6b8::/64", "Yandex", "public DNS resolver", srcYandexDNS},     // 2a02:6b8::feed:0ff
	{"2a02:6b8:0:1::/64", "Yandex", "public DNS resolver", srcYandexDNS}, // 2a02:6b8:0:1::feed:0ff
	// The root server letters (a.root-servers.net … m.root-servers.net), IPv4 and IPv6.
	{"198.41.0.0/24", "Verisign", "A root name server", srcRoot}, {"2001:503:ba3e::/48", "Verisign", "A root name server", srcRoot},
	{"170.247.170.0/24", "USC-ISI", "B root name server", srcRoot}, {"2801:1b8:10::/48", "USC-ISI", "B root name server", srcRoot},
	{"199.9.14.0/24", "USC-ISI", "B root name server (former address)", srcRoot}, {"2001:500:200::/48", "USC-ISI", "B root name server (former address)", srcRoot},
	{"192.33.4.0/24", "Cogent", "C root name server", srcRoot}, {"2001:500:2::/48", "Cogent", "C root name server", srcRoot},
	{"199.7.91.0/24", "University of Maryland", "D root name server", srcRoot}, {"2001:500:2d::/48", "University of Maryland", "D root name server", srcRoot},
	{"192.203.230.0/24", "NASA", "E root name server", srcRoot}, {"2001:500:a8::/48", "NASA", "E root name server", srcRoot},
	{"192.5.5.0/24", "ISC", "F root name server", srcRoot}, {"2001:500:2f::/48", "ISC", "F root name server", srcRoot},
	{"192.112.36.0/24", "US DoD", "G root name server", srcRoot}, {"2001:500:12::/48", "US DoD", "G root name server", srcRoot},
	{"198.97.190.0/24", "US Army", "H root name server", srcRoot}, {"2001:500:1::/48", "US Army", "H root name server", srcRoot},
	{"192.36.148.0/24", "Netnod", "I root name server", srcRoot}, {"2001:7fe::/33", "Netnod", "I root name server", srcRoot},
	{"192.58.128.0/24", "Verisign", "J root name server", srcRoot}, {"2001:503:c27::/48", "Verisign", "J root name server", srcRoot},
	{"193.0.14.0/24", "RIPE NCC", "K root name server", srcRoot}, {"2001:7fd::/48", "RIPE NCC", "K root name server", srcRoot},
	{"199.7.83.0/24", "ICANN", "L root name server", srcRoot}, {"2001:500:9f::/48", "ICANN", "L root name server", srcRoot},
	{"202.12.27.0/24", "WIDE", "M root name server", srcRoot}, {"2001:dc3::/32", "WIDE", "M root name server", srcRoot},
	// The com and net name servers (a.gtld-servers.net … m.gtld-servers.net).
	{"192.5.6.0/24", "Verisign", "com/net name server a.gtld-servers.net", srcGTLD},
	{"192.33.14.0/24", "Verisign", "com/net name server b.gtld-servers.net", srcGTLD},
	{"192.26.92.0/24", "Verisign", "com/net name server c.gtld-servers.net", srcGTLD},
	{"192.31.80.0/24", "Verisign", "com/net name server d.gtld-servers.net", srcGTLD},
	{"192.12.94.0/24", "Verisign", "com/net name server e.gtld-servers.net", srcGTLD},
	{"192.35.51.0/24", "Verisign", "com/net name server f.gtld-servers.net", srcGTLD},
	{"192.42.93.0/24", "Verisign", "com/net name server g.gtld-servers.net", srcGTLD},
	{"192.54.112.0/24", "Verisign", "com/net name server h.gtld-servers.net", srcGTLD},
	{"192.43.172.0/24", "Verisign", "com/net name server i.gtld-servers.net", srcGTLD},
	{"192.48.79.0/24", "Verisign", "com/net name server j.gtld-servers.net", srcGTLD},
	{"192.52.178.0/24", "Verisign", "com/net name server k.gtld-servers.net", srcGTLD},
	{"192.41.162.0/24", "Verisign", "com/net name server l.gtld-servers.net", srcGTLD},
	{"192.55.83.0/24", "Verisign", "com/net name server m.gtld-servers.net", srcGTLD},
	// GitHub Pages answers from Fastly's anycast edge.
	{"185.199.108.0/22", "GitHub", "Pages", srcGitHubPages}, {"2606:50c0:8000::/46", "GitHub", "Pages", srcGitHubPages},
	// AWS Global Accelerator's static addresses (a customer's accelerator: the nearest AWS edge answers).
	{"3.33.128.0/17", "Amazon", "Global Accelerator", srcAWSGA}, {"15.197.0.0/16", "Amazon", "Global Accelerator", srcAWSGA},
	// Fastly's global anycast addresses (apex-domain A records, shared front ends such as cdn.jsdelivr.net's 151.101.1.229).
	{"151.101.0.0/16", "Fastly", "CDN", srcFastly},
	// Cloudflare's whole edge is anycast.
	{"173.245.48.0/20", "Cloudflare", "CDN", srcCloudflareIPs}, {"103.21.244.0/22", "Cloudflare", "CDN", srcCloudflareIPs},
	{"103.22.200.0/22", "Cloudflare", "CDN", srcCloudflareIPs}, {"103.31.4.0/22", "Cloudflare", "CDN", srcCloudflareIPs},
	{"141.101.64.0/18", "Cloudflare", "CDN", srcCloudflareIPs}, {"108.162.192.0/18", "Cloudflare", "CDN", srcCloudflareIPs},
	{"190.93.240.0/20", "Cloudflare", "CDN", srcCloudflareIPs}, {"188.114.96.0/20", "Cloudflare", "CDN", srcCloudflareIPs},
	{"197.234.240.0/22", "Cloudflare", "CDN", srcCloudflareIPs}, {"198.41.128.0/17", "Cloudflare", "CDN", srcCloudflareIPs},
	{"162.158.0.0/15", "Cloudflare", "CDN", srcCloudflareIPs}, {"104.16.0.0/13", "Cloudflare", "CDN", srcCloudflareIPs},
	{"104.24.0.0/14", "Cloudflare", "CDN", srcCloudflareIPs}, {"172.64.0.0/13", "Cloudflare", "CDN", srcCloudflareIPs},
	{"131.0.72.0/22", "Cloudflare", "CDN", srcCloudflareIPs},
	{"2400:cb00::/32", "Cloudflare", "CDN", srcCloudflareIPs}, {"2606:4700::/32", "Cloudflare", "CDN", srcCloudflareIPs},
	{"2803:f800::/32", "Cloudflare", "CDN", srcCloudflareIPs}, {"2405:b500::/32", "Cloudflare", "CDN", srcCloudflareIPs},
	{"2405:8100::/32", "Cloudflare", "CDN", srcCloudflareIPs}, {"2a06:98c0::/29", "Cloudflare", "CDN", srcCloudflareIPs},
	{"2c0f:f248::/32", "Cloudflare", "CDN", srcCloudflareIPs},
}

// anycastTable parses anycastRows once, on first use.
var anycastTable = sync.OnceValue(func() *prefixIndex[Anycast] {
	ix := &prefixIndex[Anycast]{}
	for _, r := range anycastRows {
		p := netip.MustParsePrefix(r.prefix).Masked()
		ix.add(p, Anycast{Prefix: p, Operator: r.operator, Service: r.service, Source: r.source})
	}
	ix.sort()
	return ix
})

// anycastOf returns the listed anycast prefix holding a, the most specific one; nil when none. The
// result points into the table: callers must not change it.
func anycastOf(a netip.Addr) *Anycast { return anycastTable().lookup(a) }

// AnycastFromName is anycastFromName for a name that is not the address's reverse name: a trace's
// target ("ns1.it-mil.k.ripe.net"), when the trace does not give the address the name resolved to.
func AnycastFromName(a netip.Addr, name string) *Anycast { return anycastFromName(a, name) }

// anycastFromName recognises operators' names for anycast addresses: Google's "any-in-…1e100.net",
// Hurricane Electric's resolver "ordns.he.net", and the instances of root name servers (K root's "ns1.it-mil.k.ripe.net", "….root-servers.org").
func anycastFromName(a netip.Addr, name string) *Anycast {
	name = strings.ToLower(strings.TrimSuffix(name, "."))
	pfx := netip.Prefix{}
	if a.IsValid() {
		pfx = netip.PrefixFrom(a, a.BitLen())
	}
	switch {
	case strings.HasPrefix(name, "any-in-") && strings.HasSuffix(name, ".1e100.net"):
		return &Anycast{Prefix: pfx, Operator: "Google", Service: "anycast front end",
			Source: "hostname (Google names anycast front ends any-in-…1e100.net)"}
	case name == "ordns.he.net":
		return &Anycast{Prefix: pfx, Operator: "Hurricane Electric", Service: "public DNS resolver ordns.he.net",
			Source: "hostname (ordns.he.net is Hurricane Electric's anycast resolver)"}
	case strings.HasSuffix(name, ".k.ripe.net"):
		return &Anycast{Prefix: pfx, Operator: "RIPE NCC", Service: "K root name server instance",
			Source: "hostname (K root's instances are named <host>.<site>.k.ripe.net)"}
	case strings.HasSuffix(name, ".root-servers.org"):
		return &Anycast{Prefix: pfx, Operator: "root server operator", Service: "root name server instance",
			Source: "hostname (root server instances are named under root-servers.org)"}
	}
	return nil
}
