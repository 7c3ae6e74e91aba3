#!/usr/bin/env bash
# Client-process lookup cost at 1,000 connections (issue 16): runs BenchmarkProxyConnections'
# no-process and lookup cases ROUNDS times, each in a fresh test process, back to back so that both
# see the same machine load, the order alternating between rounds so that neither always runs warm
# or first; prints every round's pair, its ratio, and the medians. Loopback only; about 10 s a round.
# Usage: bench/proxy/process.sh [ROUNDS (default 7)]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-7}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
one() { # one case in a fresh process: "ms cpu-ms reads/conn"
	timeout 300 go test -count=1 -run XXX -bench "BenchmarkProxyConnections/$1\$" -benchtime 5x ./internal/mitm/ |
		awk '/^BenchmarkProxyConnections/ {printf "%.1f %.1f %.2f\n", $3 / 1e6, $5, $7 + $9}'
}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(go version | cut -d' ' -f3-), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq "$rounds"); do
	if ((i % 2)); then n=$(one no-process); l=$(one lookup); else l=$(one lookup); n=$(one no-process); fi
	echo "$i $n $l" | awk '{printf "round %d: no-process %.0f ms (cpu %.0f ms), lookup %.0f ms (cpu %.0f ms), ratio %.3f, cpu ratio %.3f, %.2f descriptor reads/conn\n", $1, $2, $3, $5, $6, $5 / $2, $6 / $3, $7}' | tee -a "$out"
done
echo "# load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# fields: $4 no-process ms, $10 lookup ms, $16 ratio, $19 cpu ratio
awk 'function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{ n[NR] = $4; l[NR] = $10; r[NR] = $16 + 0; c[NR] = $19 + 0 }
	END { mn = med(n, NR); ml = med(l, NR); printf "median of %d rounds: no-process %.0f ms, lookup %.0f ms (ratio of medians %.3f); median round ratio %.3f, median cpu ratio %.3f\n", NR, mn, ml, ml / mn, med(r, NR), med(c, NR) }' "$out"
