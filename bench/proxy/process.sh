#!/usr/bin/env bash
# Client-process lookup cost at 1,000 connections (issue 16): runs BenchmarkProxyConnections'
# no-process and lookup cases ROUNDS times, each in a fresh test process, back to back so that both
# see the same machine load, the order alternating between rounds so that neither always runs warm
# or first; prints every round's pair, its ratio, and the medians. CLIENT is "external" (the
# default and the headline: the clients are a child process, the origin another, so the measured
# process is the proxy alone, as in front of curl or a browser) or "in-process" (clients and origin
# are goroutines of the proxy's process). Loopback only; about 5 s a round.
# Each round also prints both cases' upstream connections per op (the proxy dials more of them when a
# burst's requests overlap more; 74-350 per op from run to run), so that a difference there shows.
# Usage: bench/proxy/process.sh [ROUNDS (default 7)] [CLIENT (default external)]
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-7}
client=${2:-external}
case $client in external | in-process) ;; *) echo "CLIENT must be external or in-process" >&2; exit 2 ;; esac
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
out=$dir/rounds
go test -c -o "$dir/mitm.test" ./internal/mitm/
one() { # one case in a fresh process: "ms cpu-ms reads/conn upstream-conns/op"
	(cd "$dir" && timeout 300 ./mitm.test -test.count=1 -test.run XXX \
		-test.bench "BenchmarkProxyConnections/$client/$1\$" -test.benchtime 5x) |
		awk '/^BenchmarkProxyConnections/ { r = 0; for (i = 2; i < NF; i++) {
				if ($(i + 1) == "ns/op") ms = $i / 1e6
				if ($(i + 1) == "cpu-ms/op") cpu = $i
				if ($(i + 1) ~ /-reads\/conn$/) r += $i
				if ($(i + 1) == "upstream-conns/op") up = $i }
			printf "%.1f %.1f %.2f %.0f\n", ms, cpu, r, up }'
}
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD), $(go version | cut -d' ' -f3-), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), client $client"
for i in $(seq "$rounds"); do
	if ((i % 2)); then n=$(one no-process); l=$(one lookup); else l=$(one lookup); n=$(one no-process); fi
	echo "$i $n $l" | awk '{printf "round %d: no-process %.0f ms (cpu %.0f ms), lookup %.0f ms (cpu %.0f ms), ratio %.3f, cpu ratio %.3f, %.2f descriptor reads/conn, upstream conns/op %d %d\n", $1, $2, $3, $6, $7, $6 / $2, $7 / $3, $8, $5, $9}' | tee -a "$out"
done
echo "# load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
# fields: $4 no-process ms, $10 lookup ms, $16 ratio, $19 cpu ratio, $20 reads/conn
awk 'function med(a, n,   i, j, t) { for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
		return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2 }
	{ n[NR] = $4; l[NR] = $10; r[NR] = $16 + 0; c[NR] = $19 + 0; d[NR] = $20 }
	END { mn = med(n, NR); ml = med(l, NR); printf "median of %d rounds: no-process %.0f ms, lookup %.0f ms (ratio of medians %.3f); median round ratio %.3f, median cpu ratio %.3f, median %.2f descriptor reads/conn\n", NR, mn, ml, ml / mn, med(r, NR), med(c, NR), med(d, NR) }' "$out"
