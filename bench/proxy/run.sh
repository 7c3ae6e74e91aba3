#!/usr/bin/env bash
# Intercepted-HTTPS throughput, added latency and streaming memory: hopscope proxy vs mitmproxy (mitmdump),
# same origin, same load generator (bench/proxy/benchtool), loopback only. Bounded: every load run stops
# after DUR (default 10s, at most 120s) or its request cap; the stream test moves BIG_MB once per proxy.
#
#   bench/proxy/run.sh                 # writes bench/proxy/RESULTS.md
#   DUR=5s CONNS=4 BIG_MB=256 ROUNDS=1 CLIENT=nethttp bench/proxy/run.sh
#
# Needs: go, curl, python3; mitmdump (Debian package mitmproxy) for the comparison (skipped if absent).
set -euo pipefail

DUR=${DUR:-10s}
CONNS=${CONNS:-8}
ROUNDS=${ROUNDS:-3}
BIG_MB=${BIG_MB:-1024}
HP=${HP:-18480}   # hopscope proxy port
MP=${MP:-18481}   # mitmdump port
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OUT=${OUT:-$ROOT/bench/proxy/RESULTS.md}
WORK=$(mktemp -d)
PIDS=()
cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT

log() { echo "== $*" >&2; }

wait_port() { # wait until 127.0.0.1:$1 accepts, at most 20 s
	for _ in $(seq 1 200); do
		if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
		sleep 0.1
	done
	echo "port $1 never opened" >&2
	return 1
}

# sample_rss PID FILE: VmRSS (kB) every 0.2 s until the file STOP exists
sample_rss() {
	while [ ! -e "$WORK/stop" ]; do
		awk '/^VmRSS:/{print $2}' "/proc/$1/status" 2>/dev/null >>"$2" || true
		sleep 0.2
	done
}

# stream PROXYURL CACERT PID NAME: download BIG_MB through the proxy while sampling the proxy's RSS
stream() {
	rm -f "$WORK/stop" "$WORK/rss-$4"
	sample_rss "$3" "$WORK/rss-$4" &
	local sp=$!
	local t0 t1
	t0=$(date +%s.%N)
	curl -sS --max-time 600 --proxy "$1" --cacert "$2" -o /dev/null -w '%{size_download}' \
		"https://$ORIGIN/big?bytes=$((BIG_MB * 1024 * 1024))" >"$WORK/size-$4" || echo 0 >"$WORK/size-$4"
	t1=$(date +%s.%N)
	touch "$WORK/stop"
	wait "$sp" || true
	python3 - "$WORK/rss-$4" "$WORK/size-$4" "$t0" "$t1" >"$WORK/stream-$4.json" <<'EOF'
import json, sys, statistics
rss = [int(x) for x in open(sys.argv[1]).read().split() if x.strip()]
size = int(open(sys.argv[2]).read().strip() or 0)
secs = float(sys.argv[4]) - float(sys.argv[3])
print(json.dumps({"bytes": size, "seconds": secs, "mb_per_s": size / 1e6 / secs if secs else 0,
                  "rss_start_mb": rss[0] / 1024 if rss else 0, "rss_median_mb": statistics.median(rss) / 1024 if rss else 0,
                  "rss_max_mb": max(rss) / 1024 if rss else 0, "samples": len(rss)}))
EOF
}

cd "$ROOT"
log "building"
go build -o "$WORK/hopscope" ./cmd/hopscope
go build -o "$WORK/benchtool" ./bench/proxy/benchtool

log "origin"
"$WORK/benchtool" origin -listen 127.0.0.1:0 -dir "$WORK" >"$WORK/origin.addr" &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/origin.addr" ] && break; sleep 0.1; done
ORIGIN=$(head -1 "$WORK/origin.addr")
URL="https://$ORIGIN/small"
# The generator writes and reads each worker's TLS connection on its own goroutine (-raw) so it takes
# as little as it can of the CPU it shares with the proxy; CLIENT=nethttp uses Go's HTTP client instead.
loadmode=-raw
[ "${CLIENT:-raw}" = nethttp ] && loadmode=
load() { "$WORK/benchtool" load -url "$URL" -d "$DUR" $loadmode "$@"; }

log "direct (no proxy) baseline"
load -cacert "$WORK/origin-ca.pem" -c 1 >"$WORK/direct-1.json"

log "hopscope proxy"
"$WORK/hopscope" --data-dir "$WORK/hs" proxy --listen "127.0.0.1:$HP" --upstream-ca "$WORK/origin-ca.pem" \
	--session "$WORK/hs.jsonl" --quiet --no-process 2>"$WORK/hs.log" &
HS_PID=$!
PIDS+=($HS_PID)
wait_port "$HP"
HSCA="$WORK/hs/ca/hopscope-ca.pem"

HAVE_MITM=0
if command -v mitmdump >/dev/null; then
	HAVE_MITM=1
	MITM_VERSION=$(mitmdump --version 2>/dev/null | head -1)
	log "mitmdump ($MITM_VERSION)"
	mitmdump -q --listen-host 127.0.0.1 --listen-port "$MP" --set confdir="$WORK/mitm" \
		--set ssl_verify_upstream_trusted_ca="$WORK/origin-ca.pem" --set stream_large_bodies=1m >"$WORK/mitm.log" 2>&1 &
	MP_PID=$!
	PIDS+=($MP_PID)
	wait_port "$MP"
	MPCA="$WORK/mitm/mitmproxy-ca-cert.pem"
	for _ in $(seq 1 50); do [ -s "$MPCA" ] && break; sleep 0.1; done
else
	log "mitmdump not installed: hopscope figures only"
fi

# The load runs alternate between the proxies, ROUNDS times each, so a change in the machine's load
# touches both; the report takes the median round of each.
for r in $(seq 1 "$ROUNDS"); do
	log "round $r of $ROUNDS"
	load -proxy "http://127.0.0.1:$HP" -cacert "$HSCA" -c 1 >"$WORK/hs-1-$r.json"
	load -proxy "http://127.0.0.1:$HP" -cacert "$HSCA" -c "$CONNS" >"$WORK/hs-n-$r.json"
	if ((HAVE_MITM)); then
		load -proxy "http://127.0.0.1:$MP" -cacert "$MPCA" -c 1 >"$WORK/mp-1-$r.json"
		load -proxy "http://127.0.0.1:$MP" -cacert "$MPCA" -c "$CONNS" >"$WORK/mp-n-$r.json"
	fi
done
stream "http://127.0.0.1:$HP" "$HSCA" "$HS_PID" hs
HS_FLOWS=$(($(wc -l <"$WORK/hs.jsonl") - 1))
if ((HAVE_MITM)); then
	stream "http://127.0.0.1:$MP" "$MPCA" "$MP_PID" mp
fi

log "writing $OUT"
python3 - "$WORK" "$HAVE_MITM" "$OUT" "$DUR" "$CONNS" "$BIG_MB" "$HS_FLOWS" "${MITM_VERSION:-}" "$ROUNDS" "${CLIENT:-raw}" <<'EOF'
import json, os, sys, datetime, platform, subprocess
work, have_mitm, out, dur, conns, big, hs_flows, mver, rounds, client = sys.argv[1:11]
have_mitm = have_mitm == "1"
rounds = int(rounds)
j = lambda n: json.load(open(os.path.join(work, n + ".json")))
def median_round(n):
    # the round with the median throughput, and every round's throughput
    runs = sorted((j(f"{n}-{r}") for r in range(1, rounds + 1)), key=lambda x: x["rps"])
    return runs[len(runs) // 2], [round(x["rps"]) for x in runs]
d1, hs = j("direct-1"), j("stream-hs")
(h1, h1all), (hn, hnall) = median_round("hs-1"), median_round("hs-n")
if have_mitm:
    (m1, m1all), (mn, mnall), ms = median_round("mp-1"), median_round("mp-n"), j("stream-mp")
load = open("/proc/loadavg").read().split()[:3]
cpu = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
gov = subprocess.run(["go", "version"], capture_output=True, text=True).stdout.strip()
def row(name, hv, mv, fmt, better_low):
    if not have_mitm:
        return f"| {name} | {fmt.format(hv)} | - | - |"
    ratio = (mv / hv if better_low else hv / mv) if hv and mv else float("nan")
    return f"| {name} | {fmt.format(hv)} | {fmt.format(mv)} | {ratio:.1f}x |"
L = []
L.append("# Proxy benchmark: hopscope vs mitmproxy\n")
L.append(f"Measured {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC on {platform.node()} ({cpu} CPUs, load average {' '.join(load)} at the end; "
         f"the machine is shared, so treat absolute figures as indicative and the ratios as the result). {gov}; {mver or 'mitmproxy not installed'}.\n")
L.append(f"Loopback only: a Go HTTPS origin (HTTP/2 and HTTP/1.1, its own CA) serving a 1 KiB body; the same load generator "
         f"(`bench/proxy/benchtool load`{' -raw' if client == 'raw' else ''}) drives each proxy: keep-alive HTTP/1.1 through a CONNECT tunnel"
         f"{' (one TLS connection per worker, written and read on its own goroutine)' if client == 'raw' else ' (Go net/http client)'}, the proxy intercepts TLS, "
         f"verifies the origin against its CA, and re-encrypts. {dur} per run; 1 connection for latency, {conns} for throughput; "
         f"{rounds} rounds alternating between the proxies, the median round of each is shown.\n")
L.append("| Metric | hopscope | mitmproxy | hopscope advantage |\n|---|--:|--:|--:|")
L.append(row(f"Throughput, {conns} connections (req/s)", hn["rps"], mn["rps"] if have_mitm else 0, "{:.0f}", False))
L.append(row("Throughput, 1 connection (req/s)", h1["rps"], m1["rps"] if have_mitm else 0, "{:.0f}", False))
L.append(row("Median latency, 1 connection (ms)", h1["p50_ms"], m1["p50_ms"] if have_mitm else 0, "{:.3f}", True))
L.append(row("Added median latency vs direct (ms)", h1["p50_ms"] - d1["p50_ms"], (m1["p50_ms"] - d1["p50_ms"]) if have_mitm else 0, "{:.3f}", True))
L.append(row(f"p99 latency, {conns} connections (ms)", hn["p99_ms"], mn["p99_ms"] if have_mitm else 0, "{:.2f}", True))
L.append(row(f"Streaming {big} MiB: throughput (MB/s)", hs["mb_per_s"], ms["mb_per_s"] if have_mitm else 0, "{:.0f}", False))
L.append(row(f"Streaming {big} MiB: proxy RSS max (MB)", hs["rss_max_mb"], ms["rss_max_mb"] if have_mitm else 0, "{:.1f}", True))
L.append("")
L.append(f"Every round's throughput, {conns} connections (req/s): hopscope {hnall}" + (f", mitmproxy {mnall}" if have_mitm else "") + f"; 1 connection: hopscope {h1all}" + (f", mitmproxy {m1all}" if have_mitm else "") + ".")
L.append(f"Direct (no proxy) median latency: {d1['p50_ms']:.3f} ms. Errors: hopscope {h1['errors'] + hn['errors']}" + (f", mitmproxy {m1['errors'] + mn['errors']}" if have_mitm else "") + ".")
L.append(f"hopscope recorded {hs_flows} flows durably in its session file during the runs (mitmdump ran with -q and kept flows in memory only).")
L.append(f"Streaming: hopscope RSS went from {hs['rss_start_mb']:.1f} MB to a maximum of {hs['rss_max_mb']:.1f} MB (median {hs['rss_median_mb']:.1f} MB, {hs['samples']} samples) while moving {hs['bytes']/2**20:.0f} MiB"
         + (f"; mitmproxy (with `stream_large_bodies=1m`, without which it buffers whole bodies) from {ms['rss_start_mb']:.1f} to {ms['rss_max_mb']:.1f} MB." if have_mitm else "."))
L.append("\nGoals (issue 5): at least 10x mitmproxy's throughput; under 1 ms median added latency; flat memory while streaming 1 GB.\n")
L.append("Commands:\n")
L.append("```")
L.append(f"benchtool origin -listen 127.0.0.1:0 -dir $WORK")
L.append(f"hopscope proxy --listen 127.0.0.1:PORT --upstream-ca origin-ca.pem --session hs.jsonl --quiet --no-process")
L.append(f"mitmdump -q --listen-host 127.0.0.1 --listen-port PORT --set confdir=$WORK/mitm --set ssl_verify_upstream_trusted_ca=origin-ca.pem --set stream_large_bodies=1m")
L.append(f"benchtool load -url https://ORIGIN/small -proxy http://127.0.0.1:PORT -cacert PROXY-CA -c {{1,{conns}}} -d {dur}{' -raw' if client == 'raw' else ''}")
L.append(f"curl --proxy http://127.0.0.1:PORT --cacert PROXY-CA -o /dev/null https://ORIGIN/big?bytes={int(big)*1024*1024}   # RSS sampled from /proc/PID/status every 0.2 s")
L.append("```\n")
L.append("Raw results (JSON from benchtool):\n")
L.append("```")
for n, v in [("direct-1", d1), ("hs-1 (median round)", h1), ("hs-n (median round)", hn), ("stream-hs", hs)] + ([("mp-1 (median round)", m1), ("mp-n (median round)", mn), ("stream-mp", ms)] if have_mitm else []):
    L.append(f"{n}: {json.dumps(v)}")
L.append("```")
open(out, "w").write("\n".join(L) + "\n")
print("\n".join(L))
EOF
