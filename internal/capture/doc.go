// Package capture names every flow of a packet capture (pcap, pcapng or a live AF_PACKET socket) from
// the traffic itself and returns them as an inventory.
//
// Stages, in the order a packet meets them:
//
//   - reading: an uncompressed pcap or pcapng file is memory-mapped and walked in place; streams and gzip
//     go through a 512 KiB window (pcap) or gopacket's pcapgo.NgReader (pcapng, per-interface link
//     types); live capture uses pcapgo's AF_PACKET handle with the filter compiled to classic BPF (no
//     libpcap, no cgo). A mapped file of 32 MiB or more is read by one goroutine per CPU: one walks and
//     decodes, the others own the flows, sharded by 5-tuple (Config.Workers); a file that shrinks while
//     mapped gives a warning, not a crash.
//   - decoding: a hand-written, allocation-free decoder for Ethernet (802.1Q, PPPoE), Linux cooked v1/v2,
//     BSD loopback and raw IP, IPv4 and IPv6 (extension headers), TCP and UDP.
//   - flows: one per 5-tuple, both directions, with bytes, packets, start, duration and the TCP handshake
//     RTT (SYN → SYN/ACK → ACK as seen at the capture point); later IP fragments count for the flow of
//     their datagram's first fragment.
//   - recognition by content (package reasm reassembles the first bytes of each direction within a memory
//     bound): TLS ClientHello (package sniff, across segments and records), QUIC v1/v2 Initial
//     packets (package quic, RFC 9001 and RFC 9369), HTTP/1 Host, HTTP/2 preface, DNS over UDP and TCP,
//     WeChat mmTLS, SSH banners, or "unknown" with the first bytes.
//   - naming, in order of evidence: TLS SNI, QUIC SNI, HTTP Host, then the client's earlier DNS answers
//     for the server address within their TTL (the asked name and the CNAME chain are kept).
//
// References: RFC 8446 (TLS 1.3 records and ClientHello), RFC 9000 and RFC 9001 (QUIC and its Initial
// protection), RFC 9369 (QUIC v2), RFC 1035 (DNS messages and name compression), RFC 791 and RFC 8200
// (IP fragments), pcap-filter(7) (the filter language subset), the pcap and pcapng file formats
// (draft-ietf-opsawg-pcap, -pcapng).
package capture
