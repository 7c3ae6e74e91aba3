#!/usr/bin/env bash
# CPU per round of hopscope trace -c beside mtr -r -c on the article lab's 17-hop path (internal/netlab:
# network namespaces, nothing leaves the machine), and hopscope's heap after an hour of 1 s rounds in
# simulated time (BenchmarkHourOfRounds). Appends to bench/rounds/RESULTS.md.
# Run as root from the repository root after .ci/run installed iproute2, nftables and mtr-tiny.
# Bounded: the lab lives at most 10 minutes, every command has a 120 s limit.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $(id -u) -ne 0 ]]; then echo "run.sh: needs root (network namespaces)" >&2; exit 2; fi
ROUNDS=${ROUNDS:-60}
tmp=$(mktemp -d)
go build -o "$tmp/hopscope" ./cmd/hopscope
go build -o "$tmp/labctl" ./internal/netlab/labctl
"$tmp/labctl" -no-dns -lifetime 10m -env "$tmp/env" >/dev/null 2>"$tmp/labctl.err" &
lab=$!
trap 'kill "$lab" 2>/dev/null; wait "$lab" 2>/dev/null; rm -rf "$tmp"' EXIT
for _ in $(seq 100); do [[ -s "$tmp/env" ]] && break; sleep 0.1; done
# shellcheck disable=SC1091
source "$tmp/env"
cpu() { # prints user+sys seconds of the command
	/usr/bin/time -f '%U %S' -o "$tmp/t" timeout 120 ip netns exec "$CLIENT_NS" "$@" >"$tmp/out" 2>&1
	awk '{printf "%.3f", $1+$2}' "$tmp/t"
}
hs=$(cpu "$tmp/hopscope" trace -n --color never -c "$ROUNDS" --interval 0.1 "$TARGET4")
mt=$(cpu mtr -r -n -c "$ROUNDS" -i 0.1 "$TARGET4")
# One round of each: start-up, the enrichment database and the report, to take out of the per-round figure.
hs1=$(cpu "$tmp/hopscope" trace -n --color never -c 1 "$TARGET4")
mt1=$(cpu mtr -r -n -c 1 "$TARGET4")
mem=$(go test -run '^$' -bench HourOfRounds -benchtime 1x ./internal/rounds | awk '/HourOfRounds/ {for (i=1;i<=NF;i++) if ($(i+1)=="heap-B") print $i}')
{
	printf '\n## %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf '| measure | hopscope | mtr |\n|---|---|---|\n'
	printf '| CPU (user+sys) for %d rounds, article lab, 17 hops, --interval 0.1 / -i 0.1 | %s s | %s s |\n' "$ROUNDS" "$hs" "$mt"
	printf '| CPU per round, all in | %s ms | %s ms |\n' "$(awk -v c="$hs" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*c/n}')" "$(awk -v c="$mt" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*c/n}')"
	printf '| CPU of a 1-round run (start-up, report) | %s s | %s s |\n' "$hs1" "$mt1"
	printf '| CPU per further round ((N rounds − 1 round) / (N−1)) | %s ms | %s ms |\n' "$(awk -v c="$hs" -v o="$hs1" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*(c-o)/(n-1)}')" "$(awk -v c="$mt" -v o="$mt1" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*(c-o)/(n-1)}')"
	printf '| heap after 3600 rounds of 1 s (simulated), 17 hops | %s bytes | — |\n' "$mem"
	printf '\nCommands: `hopscope trace -n -c %d --interval 0.1 %s` and `mtr -r -n -c %d -i 0.1 %s` in the client namespace\n' "$ROUNDS" "$TARGET4" "$ROUNDS" "$TARGET4"
	printf '(`/usr/bin/time -f "%%U %%S"`); `go test -run ^$ -bench HourOfRounds -benchtime 1x ./internal/rounds`.\n'
} >> bench/rounds/RESULTS.md
tail -12 bench/rounds/RESULTS.md
