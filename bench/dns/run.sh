#!/usr/bin/env bash
# Resolves 10,000 names through a local unbound (stub zone served by nsd) with hopscope's bulk mode,
# dig and host driven the same way, and writes bench/dns/RESULTS.md.
#
# Everything listens on 127.0.0.8/127.0.0.9 high ports; nothing leaves the machine (unbound's root
# hints point at 127.0.0.1). Run as root from anywhere after .ci/run installed nsd, unbound and
# dnsutils. Bounded: every run has a 300 s limit; the whole script takes a few minutes.
#
#   N=10000 CONC=64 ROUNDS=3 bench/dns/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-10000}       # names to resolve
CONC=${CONC:-64}    # parallel queries for the parallel runs
ROUNDS=${ROUNDS:-3} # measured rounds per tool (the median is reported)
HOST_N=${HOST_N:-400} # host starts one process per name (~0.25 s each here): it gets the first HOST_N names, once
if [[ $(id -u) -ne 0 ]]; then echo "run.sh: needs root (nsd and unbound run as configured)" >&2; exit 2; fi
for t in nsd unbound dig host go xargs; do
	command -v "$t" >/dev/null || { echo "run.sh: $t not installed (apt-get install nsd unbound dnsutils)" >&2; exit 2; }
done

tmp=$(mktemp -d)
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$tmp"
}
trap cleanup EXIT

go build -o "$tmp/hopscope" ./cmd/hopscope

# A free port on both addresses.
port=$(( (RANDOM % 20000) + 30000 ))
auth=127.0.0.8 resolver=127.0.0.9

# The zone: N names, every tenth an alias of the next name (a CNAME chain of one step), TTL 3600.
{
	echo '$TTL 3600'
	echo '@ SOA ns1.bench.test. hostmaster.bench.test. 1 3600 600 86400 60'
	echo '@ NS ns1.bench.test.'
	echo "ns1 A $auth"
	for ((i = 0; i < N; i++)); do
		if ((i % 10 == 9)); then
			printf 'n%05d CNAME n%05d\n' "$i" $(((i + 1) % N))
		else
			printf 'n%05d A 192.0.2.%d\nn%05d A 198.51.100.%d\n' "$i" $((i % 250 + 1)) "$i" $((i % 250 + 1))
		fi
	done
} >"$tmp/bench.test.zone"
for ((i = 0; i < N; i++)); do printf 'n%05d.bench.test\n' "$i"; done >"$tmp/names"
sed 's/$/ A/' "$tmp/names" >"$tmp/names.dig"

cat >"$tmp/nsd.conf" <<CONF
server:
  ip-address: $auth@$port
  port: $port
  database: ""
  zonesdir: "$tmp"
  pidfile: "$tmp/nsd.pid"
  xfrdfile: "$tmp/xfrd.state"
  zonelistfile: "$tmp/zone.list"
  xfrdir: "$tmp"
  username: ""
  chroot: ""
  server-count: 1
  do-ip6: no
remote-control:
  control-enable: no
zone:
  name: "bench.test."
  zonefile: "bench.test.zone"
CONF
echo ".  3600000 NS a.root.lab.
a.root.lab. 3600000 A 127.0.0.1" >"$tmp/root.hints"
cat >"$tmp/unbound.conf" <<CONF
server:
  interface: $resolver@$port
  port: $port
  do-daemonize: no
  username: ""
  chroot: ""
  directory: "$tmp"
  pidfile: "$tmp/unbound.pid"
  use-syslog: no
  logfile: "$tmp/unbound.log"
  verbosity: 0
  num-threads: 1
  do-ip6: no
  so-reuseport: no
  access-control: 127.0.0.0/8 allow
  do-not-query-localhost: no
  qname-minimisation: no
  module-config: "iterator"
  root-hints: "$tmp/root.hints"
  local-zone: "test." nodefault
  num-queries-per-thread: 4096
  outgoing-range: 4096
  msg-cache-size: 64m
  rrset-cache-size: 128m
  ratelimit: 0
  ip-ratelimit: 0
remote-control:
  control-enable: no
stub-zone:
  name: "bench.test."
  stub-addr: $auth@$port
CONF
nsd -d -c "$tmp/nsd.conf" >"$tmp/nsd.log" 2>&1 &
pids+=($!)
unbound -d -c "$tmp/unbound.conf" >"$tmp/unbound.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	dig @"$resolver" -p "$port" +time=1 +tries=1 +short n00000.bench.test A >/dev/null 2>&1 && break
	sleep 0.1
done

now() { date +%s.%N; }
# run NAME COMMAND...: runs the command ROUNDS times with a 300 s limit each; prints the median seconds
# and leaves the last output in $tmp/NAME.out.
declare -A secs
run() {
	local name=$1
	shift
	local times=()
	for ((r = 0; r < ROUNDS; r++)); do
		local t0 t1
		t0=$(now)
		timeout 300 "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || true
		t1=$(now)
		times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')")
	done
	secs[$name]=$(printf '%s\n' "${times[@]}" | sort -g | sed -n "$(((ROUNDS + 1) / 2))p")
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
# Warm unbound's cache once so every tool measures the client against the same warm resolver.
timeout 300 "$tmp/hopscope" dns --dns-server "$resolver:$port" --type A --bulk "$tmp/names" --concurrency "$CONC" >/dev/null 2>&1 || true

hs=(dns --dns-server "$resolver:$port" --type A --timeout 2s --no-enrich --bulk "$tmp/names")
run hopscope-par "$tmp/hopscope" "${hs[@]}" --concurrency "$CONC"
run hopscope-seq "$tmp/hopscope" "${hs[@]}" --concurrency 1
run dig-f dig @"$resolver" -p "$port" +time=2 +tries=1 +noall +answer -f "$tmp/names.dig"
run dig-xargs sh -c "xargs -P $CONC -n 64 dig @$resolver -p $port +time=2 +tries=1 +noall +answer A <'$tmp/names'"
# host takes the server after the name: drive it through a tiny wrapper instead.
printf '#!/bin/sh\nexec host -t A -W 2 -p %s "$1" %s\n' "$port" "$resolver" >"$tmp/host1"
chmod +x "$tmp/host1"
head -n "$HOST_N" "$tmp/names" >"$tmp/names.host"
ROUNDS=1 run host-xargs xargs -P "$CONC" -n 1 "$tmp/host1" <"$tmp/names.host"
ROUNDS=1 run host-seq xargs -P 1 -n 1 "$tmp/host1" <"$tmp/names.host"

load_after=$(cut -d' ' -f1-3 /proc/loadavg)

# Names answered per tool: each given name ends in an A record, itself or through its CNAME. Only names
# from the list count (a CNAME target is not an answer to its alias; parallel processes sharing one
# output may interleave partial lines).
answered_names() {
	local list=$tmp/names
	[[ $1 == host-* ]] && list=$tmp/names.host
	case $1 in
	hopscope-*) awk -F'\t' 'NF == 3 && $3 ~ /[0-9]/ {print $1}' "$tmp/$1.out" ;;
	dig-*) awk '$4 == "A" || $4 == "CNAME" {print $1}' "$tmp/$1.out" ;;
	host-*) awk '/has address|is an alias for/ {print $1}' "$tmp/$1.out" ;;
	esac | sed 's/\.$//' | sort -u | comm -12 - <(sort -u "$list") | wc -l
}

# names a tool was given
given() { case $1 in host-*) echo "$HOST_N" ;; *) echo "$N" ;; esac; }
rate() { awk -v n="$(given "$1")" -v s="${secs[$1]}" 'BEGIN {r = n / s; printf (r < 100 ? "%.1f" : "%.0f"), r}'; }
# ratio A B: how many times A's rate (names/s) is B's
ratio() { awk -v na="$(given "$1")" -v sa="${secs[$1]}" -v nb="$(given "$2")" -v sb="${secs[$2]}" 'BEGIN {printf "%.1f", (na / sa) / (nb / sb)}'; }

{
	echo "# DNS benchmark: $N names through a local unbound"
	echo
	echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(nproc) cores ($(uname -m)), by \`bench/dns/run.sh\` (N=$N, CONC=$CONC, ROUNDS=$ROUNDS, median of the rounds)."
	echo "unbound $(unbound -V | awk 'NR==1{print $2}') as the resolver (one thread, cache warmed once before the runs), nsd $(nsd -v 2>&1 | awk 'NR==1{print $3}') serving the zone;"
	echo "every tenth name is a CNAME to the next one; every other name has two A records. dig/host $(dig -v 2>&1 | awk '{print $2}')."
	echo "Load average before/after the runs: $load_before / $load_after (the machine may be shared: compare rows, not machines)."
	echo
	echo "| Tool | How it is driven | Names answered / given | Seconds | Names/s | hopscope's names/s ÷ this |"
	echo "|---|---|---:|---:|---:|---:|"
	row() { printf '| %s | `%s` | %s / %s | %.2f | %s | %s |\n' "$1" "$2" "$(answered_names "$3")" "$(given "$3")" "${secs[$3]}" "$(rate "$3")" "$4"; }
	row "hopscope (parallel)" "hopscope dns --type A --bulk FILE --concurrency $CONC" hopscope-par "—"
	row "dig, xargs -P $CONC" "xargs -P $CONC -n 64 dig +noall +answer A" dig-xargs "$(ratio hopscope-par dig-xargs)×"
	row "host, xargs -P $CONC" "xargs -P $CONC -n 1 host -t A" host-xargs "$(ratio hopscope-par host-xargs)×"
	row "hopscope (sequential)" "hopscope dns --type A --bulk FILE --concurrency 1" hopscope-seq "—"
	row "dig -f (sequential)" "dig +noall +answer -f FILE" dig-f "$(ratio hopscope-seq dig-f)×"
	row "host (sequential)" "xargs -P 1 -n 1 host -t A" host-seq "$(ratio hopscope-seq host-seq)×"
	echo
	echo "Ratios compare like with like: the parallel rows with hopscope's parallel run, the sequential rows with its"
	echo "sequential run (dig's own bulk mode, \`-f\`, is sequential). hopscope checks each reply (ID, question, section"
	echo "counts) and follows CNAME chains itself; \`--no-enrich\` keeps the address database out of the measurement."
	echo "host has no bulk mode: it is started once per name, so it gets the first $HOST_N names only (one round) and"
	echo "its rate is names given ÷ seconds."
	echo
	echo "Reading the numbers: each hopscope query opens a fresh UDP socket (for a random source port per query),"
	echo "and the socket system calls are most of its CPU time (\`go test -cpuprofile\` on"
	echo "BenchmarkResolveLoopback). When the cores are busy, hopscope and unbound compete for them, so 64 queries in"
	echo "flight gain little over one at a time; dig and host pay a process start per batch or per name on top."
	echo
	echo "## Go benchmarks (internal/dns hot paths)"
	echo
	echo '```'
	go test -run '^$' -bench . -benchtime=2000x ./internal/dns/ 2>&1 | grep -E '^(Benchmark|cpu:)' || true
	echo '```'
} >bench/dns/RESULTS.md.new
mv bench/dns/RESULTS.md.new bench/dns/RESULTS.md
cat bench/dns/RESULTS.md
