#!/usr/bin/env bash
# CPU per round of hopscope trace -c beside mtr -r -c on the article lab's 17-hop path (internal/netlab:
# network namespaces, nothing leaves the machine), and hopscope's heap after an hour of 1 s rounds in
# simulated time (BenchmarkHourOfRounds). Appends to bench/rounds/RESULTS.md.
# Run as root from the repository root after .ci/run installed iproute2, nftables and mtr-tiny.
# Bounded: the lab lives at most 10 minutes, every command has a 120 s limit. Each of the REPEAT
# (default 5) repetitions takes about 35 s, 50 s with BASE=/path/to/an/older/hopscope (a before/after).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [[ $(id -u) -ne 0 ]]; then echo "run.sh: needs root (network namespaces)" >&2; exit 2; fi
ROUNDS=${ROUNDS:-60}
REPEAT=${REPEAT:-5}
BASE=${BASE:-}
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
median() { tr ' ' '\n' | grep . | sort -g | awk '{v[NR]=$1} END {if (NR%2) printf "%.3f", v[(NR+1)/2]; else printf "%.3f", (v[NR/2]+v[NR/2+1])/2}'; }
perround() { awk -v c="$1" -v o="$2" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*(c-o)/(n-1)}'; }
# REPEAT times, alternating the tools so that load from elsewhere on the machine falls on both alike:
# N rounds and 1 round (start-up, the enrichment database and the report, taken out of the per-round
# figure) of each; medians. BASE, when set, is an older hopscope binary measured the same way.
hs_n='' hs_1='' mt_n='' mt_1='' b_n='' b_1='' rtts=''
for _ in $(seq "$REPEAT"); do
	hs_n+=" $(cpu "$tmp/hopscope" trace -n --color never -c "$ROUNDS" --interval 0.1 "$TARGET4")"
	mt_n+=" $(cpu mtr -r -n -c "$ROUNDS" -i 0.1 "$TARGET4")"
	[[ -n $BASE ]] && b_n+=" $(cpu "$BASE" trace -n --color never -c "$ROUNDS" --interval 0.1 "$TARGET4")"
	hs_1+=" $(cpu "$tmp/hopscope" trace -n --color never -c 1 "$TARGET4")"
	mt_1+=" $(cpu mtr -r -n -c 1 "$TARGET4")"
	[[ -n $BASE ]] && b_1+=" $(cpu "$BASE" trace -n --color never -c 1 "$TARGET4")"
done
# RTTs must not suffer: the median RTT of hop 1 (the most sensitive to the send path) and of the target.
hop1() { # median RTT of hop 1 in ms over ROUNDS rounds of the hopscope binary $1
	timeout 120 ip netns exec "$CLIENT_NS" "$1" trace -n --json -c "$ROUNDS" --interval 0.1 "$TARGET4" >"$tmp/rtt.json" 2>/dev/null || true
	awk '/"ttl": 1,/ {h=1} h && /median_ms/ {sub(/.*"median_ms": /, ""); sub(/,.*/, ""); printf "%s", $0; exit}' "$tmp/rtt.json"
}
rtts=$(hop1 "$tmp/hopscope")
[[ -n $BASE ]] && rtts+=" (BASE: $(hop1 "$BASE"))"
hs=$(median <<<"$hs_n") hs1=$(median <<<"$hs_1") mt=$(median <<<"$mt_n") mt1=$(median <<<"$mt_1")
mem=$(go test -run '^$' -bench HourOfRounds -benchtime 1x ./internal/rounds | awk '/HourOfRounds/ {for (i=1;i<=NF;i++) if ($(i+1)=="heap-B") print $i}')
{
	printf '\n## %s\n\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf 'Medians of %d alternating runs (all runs, seconds of user+sys CPU: hopscope %s rounds:%s, 1 round:%s; mtr %s rounds:%s, 1 round:%s).\n\n' \
		"$REPEAT" "$ROUNDS" "$hs_n" "$hs_1" "$ROUNDS" "$mt_n" "$mt_1"
	printf '| measure | hopscope | mtr |\n|---|---|---|\n'
	printf '| CPU (user+sys) for %d rounds, article lab, 17 hops, --interval 0.1 / -i 0.1 | %s s | %s s |\n' "$ROUNDS" "$hs" "$mt"
	printf '| CPU per round, all in | %s ms | %s ms |\n' "$(awk -v c="$hs" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*c/n}')" "$(awk -v c="$mt" -v n="$ROUNDS" 'BEGIN{printf "%.2f", 1000*c/n}')"
	printf '| CPU of a 1-round run (start-up, report) | %s s | %s s |\n' "$hs1" "$mt1"
	printf '| CPU per further round ((N rounds − 1 round) / (N−1)) | %s ms | %s ms |\n' "$(perround "$hs" "$hs1")" "$(perround "$mt" "$mt1")"
	if [[ -n $BASE ]]; then
		b=$(median <<<"$b_n") b1=$(median <<<"$b_1")
		printf '| the same for BASE (%s): %d rounds / 1 round / per further round | %s s / %s s / %s ms | — |\n' "$BASE" "$ROUNDS" "$b" "$b1" "$(perround "$b" "$b1")"
	fi
	printf '| median RTT of hop 1 over %d rounds (one more run) | %s ms | — |\n' "$ROUNDS" "${rtts:-?}"
	printf '| heap after 3600 rounds of 1 s (simulated), 17 hops | %s bytes | — |\n' "$mem"
	printf '\nCommands: `hopscope trace -n -c %d --interval 0.1 %s` and `mtr -r -n -c %d -i 0.1 %s` in the client namespace\n' "$ROUNDS" "$TARGET4" "$ROUNDS" "$TARGET4"
	printf '(`/usr/bin/time -f "%%U %%S"`); `go test -run ^$ -bench HourOfRounds -benchtime 1x ./internal/rounds`.\n'
} >> bench/rounds/RESULTS.md
tail -16 bench/rounds/RESULTS.md
