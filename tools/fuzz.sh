#!/usr/bin/env bash
# Run every fuzz target in the module for FUZZTIME each, one after another, and report new crashers.
#
#   FUZZTIME=60s bash tools/fuzz.sh            every target, 60 s each (the default)
#   FUZZTIME=2s PKGS=./internal/dns bash tools/fuzz.sh
#
# A target that fails leaves its crasher in <package>/testdata/fuzz/<Target>/; the script names the target
# and the file, goes on with the other targets, and exits 1 at the end. Commit a crasher as a seed once
# the bug is fixed. Fuzzing is CPU-bound: FUZZPROCS (default 2) bounds the workers of each target.
set -uo pipefail
cd "$(dirname "$0")/.."

FUZZTIME=${FUZZTIME:-60s}
FUZZPROCS=${FUZZPROCS:-2}
PKGS=${PKGS:-./...}

# Every package with a fuzz target, and its targets (go test -list runs no test).
mapfile -t pkgs < <(grep -rl --include='*_test.go' -E '^func Fuzz[A-Z0-9_]' . | xargs -r -n1 dirname | sort -u)
targets=()
failed=()
for dir in "${pkgs[@]}"; do
  case "$PKGS" in ./...) ;; *) [[ " $PKGS " == *" $dir "* ]] || continue ;; esac
  if ! list=$(go test -list '^Fuzz' "$dir" 2>&1); then
    printf 'FAIL  %-40s %s (does not build)\n' "-" "$dir"
    head -n 5 <<<"$list" | sed 's/^/      /'
    failed+=("$dir does not build")
    continue
  fi
  for f in $(grep -E '^Fuzz' <<<"$list"); do targets+=("$dir $f"); done
done
if ((${#targets[@]} == 0)); then
  echo "fuzz: no fuzz targets under $PKGS"
  exit 2
fi
echo "fuzz: ${#targets[@]} targets, $FUZZTIME each ($(date -u +%FT%TZ))"

start=$SECONDS
for t in "${targets[@]}"; do
  read -r dir f <<<"$t"
  before=$(find "$dir/testdata/fuzz/$f" -type f 2>/dev/null | sort)
  t0=$SECONDS
  out=$(go test -run '^$' -fuzz "^${f}\$" -fuzztime "$FUZZTIME" -parallel "$FUZZPROCS" "$dir" 2>&1)
  rc=$?
  if ((rc == 0)); then
    printf 'ok    %-40s %s (%ds)\n' "$f" "$dir" $((SECONDS - t0))
    continue
  fi
  new=$(comm -13 <(echo "$before") <(find "$dir/testdata/fuzz/$f" -type f 2>/dev/null | sort) | grep -v '^$')
  printf 'FAIL  %-40s %s (exit %d)\n' "$f" "$dir" "$rc"
  if [[ -n $new ]]; then
    sed 's/^/      new crasher: /' <<<"$new"
  fi
  if [[ -z $new ]]; then
    echo "      no new crasher file: the target failed otherwise (a seed, a build error, a hung worker):"
  fi
  grep -v -E '^(fuzz: elapsed|=== RUN|=== FUZZ)' <<<"$out" | tail -n 15 | sed 's/^/      /'
  failed+=("$f ($dir)${new:+: $new}")
done

echo "fuzz: ${#targets[@]} targets in $((SECONDS - start)) s, ${#failed[@]} failed"
if ((${#failed[@]})); then
  printf '  %s\n' "${failed[@]}"
  exit 1
fi
