#!/usr/bin/env bash
# Measures hopscope trace --mda beside scamper tracelb in the ECMP labs of internal/netlab (2 and 4
# branches, a nested diamond; network namespaces, nothing leaves the machine): probes sent, interfaces
# and links found, wall time, and writes bench/mda/RESULTS.md.
# Run as root from anywhere after .ci/run installed iproute2 and scamper. Bounded: every command has a
# 2-minute limit inside the harness, the whole run 15 minutes (about 6 minutes with the defaults).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $(id -u) -ne 0 ]]; then echo "run.sh: needs root (network namespaces)" >&2; exit 2; fi
for t in ip scamper; do
	command -v "$t" >/dev/null || { echo "run.sh: $t not installed" >&2; exit 2; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
go build -o "$tmp/hopscope" ./cmd/hopscope
go build -o "$tmp/harness" ./bench/mda/harness
timeout 900 "$tmp/harness" -hopscope "$tmp/hopscope" -runs "${RUNS:-10}" -peer-runs "${PEER_RUNS:-3}" \
	-confidence "${CONFIDENCE:-95}" -out bench/mda/RESULTS.md
# The algorithm's own cost (no I/O): stopping points, one round's plan at a 16-way hop, a whole
# simulated nested-diamond run at 99%.
{
	printf '\n## Go benchmarks of the hot path\n\n`go test -run XXX -bench . -benchtime 2s ./internal/mda` (the machine is shared, so these vary by ±50%%):\n\n```\n'
	timeout 300 go test -run XXX -bench . -benchtime 2s -benchmem ./internal/mda | grep -E '^(Benchmark|cpu:)'
	printf '```\n'
} >> bench/mda/RESULTS.md
cat bench/mda/RESULTS.md
