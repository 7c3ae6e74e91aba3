#!/usr/bin/env bash
# Times hopscope trace beside Linux traceroute, mtr and scamper on the article-like lab paths
# (internal/netlab: network namespaces, nothing leaves the machine) and writes bench/trace/RESULTS.md.
# Run as root from the repository root after .ci/run installed iproute2, nftables, traceroute,
# mtr-tiny, scamper and unbound. Bounded: every command has a 120 s limit, the whole run ~5 minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $(id -u) -ne 0 ]]; then echo "run.sh: needs root (network namespaces)" >&2; exit 2; fi
for t in ip nft traceroute mtr scamper unbound; do
	command -v "$t" >/dev/null || echo "run.sh: $t not installed; its rows will say so" >&2
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/hopscope" ./cmd/hopscope
go build -o "$tmp/harness" ./bench/trace/harness
timeout 900 "$tmp/harness" -hopscope "$tmp/hopscope" -runs "${RUNS:-5}" -peer-runs "${PEER_RUNS:-1}" -out bench/trace/RESULTS.md
# A sample of what the user sees: the article's name, its CNAME and addresses, names from the lab's
# DNS, and both ECMP branches at hops 13-14 with varied UDP flows.
{
	printf '\n## Sample output\n\n`hopscope trace --vary-flows -M udp -q 6 %s` from the article lab'"'"'s client:\n\n```\n' vweixinthumb.tc.example
	timeout 120 "$tmp/harness" -hopscope "$tmp/hopscope" -demo "--vary-flows -M udp -q 6 --color never vweixinthumb.tc.example" 2>&1
	printf '```\n'
} >> bench/trace/RESULTS.md
