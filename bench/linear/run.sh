#!/usr/bin/env bash
# Linear work at ten times the worst real case of each unbounded dimension (issue 16): responders on one
# hop (200,000), hops (10,000), flows (200,000) and hosts (20,000). Runs the Go benchmarks of path,
# report and render COUNT times each, then `hopscope analyze` end to end on generated Linux traceroute
# files with 20,000 and 200,000 responders on one hop, and appends the figures to bench/linear/RESULTS.md.
# Wall times move with the machine's load, so each block records the load average and the CPU time
# (user+sys) next to them. Nothing touches the network. Bounded: every command has a 600 s limit.
#
#   bash bench/linear/run.sh              COUNT=3
#   COUNT=1 SKIP_RENDER=1 bash bench/linear/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
COUNT=${COUNT:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=$tmp/results.md
load() { cut -d' ' -f1-3 /proc/loadavg; }
# bench PKG REGEX: the benchmark lines, then a line with the invocation's wall and CPU time.
bench() {
	local pkg=$1 re=$2
	go test -c -o "$tmp/t.test" "$pkg"
	printf '\n`go test -run %s -bench %s -count %s %s` (load before: %s)\n\n```\n' "'^\$'" "'$re'" "$COUNT" "$pkg" "$(load)" >>"$out"
	(cd "$pkg" && /usr/bin/time -f '%e %U %S %M' -o "$tmp/time" timeout 600 "$tmp/t.test" -test.run '^$' -test.bench "$re" -test.count "$COUNT" -test.benchmem) |
		grep -E '^Benchmark' >>"$out" || true
	awk '{printf "# whole run: %.1f s wall, %.1f s CPU (user+sys), max RSS %d MB\n", $1, $2+$3, $4/1024}' "$tmp/time" >>"$out"
	printf '```\n' >>"$out"
}
printf '\n## %s, %s, commit %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(nproc) CPUs" "$(git rev-parse --short HEAD)" >>"$out"
bench ./internal/path 'Hop|Trace'
bench ./internal/report 'AnalyseWideHop/.*/200000|AnalyseLongPath/10000|AnalyseHostilePath/10000|DomainsScale'
if [[ -z ${SKIP_RENDER:-} ]]; then
	bench ./internal/render 'RenderScale'
fi

# End to end: a Linux traceroute file whose hop 2 has n responders, one RTT each, on one line.
go build -o "$tmp/hopscope" ./cmd/hopscope
printf '\n`hopscope analyze --format F -o OUT wideN.txt` (a Linux traceroute file, hop 2 with N responders on one line)\n\n' >>"$out"
printf '| N | format | wall | CPU (user+sys) | max RSS | load before |\n|---|---|---|---|---|---|\n' >>"$out"
for n in 20000 200000; do
	awk -v n="$n" 'BEGIN {
		print "traceroute to 192.0.2.1 (192.0.2.1), 30 hops max, 60 byte packets"
		print " 1  198.51.100.1 (198.51.100.1)  1.000 ms  1.100 ms  1.200 ms"
		printf " 2 "
		for (i = 0; i < n; i++) {
			a = sprintf("10.%d.%d.%d", int(i / 65536) % 256, int(i / 256) % 256, i % 256)
			printf "  %s (%s)  %d.%03d ms", a, a, 10 + i % 7, i % 1000
		}
		print ""
		print " 3  192.0.2.1 (192.0.2.1)  30.000 ms  30.100 ms  30.200 ms"
	}' >"$tmp/wide$n.txt"
	for f in text json; do
		l=$(load)
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" timeout 600 "$tmp/hopscope" analyze --color never --format "$f" -o "$tmp/out" "$tmp/wide$n.txt" 2>/dev/null
		awk -v n="$n" -v f="$f" -v l="$l" '{printf "| %d | %s | %.2f s | %.2f s | %d MB | %s |\n", n, f, $1, $2+$3, $4/1024, l}' "$tmp/time" >>"$out"
	done
done
cat "$out" | tee -a bench/linear/RESULTS.md
