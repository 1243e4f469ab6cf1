#!/usr/bin/env bash
# Benchmark of `koreo-ls --check` over generated workspaces (10 .. 10,000 files).
# Not a test: prints wall time and peak memory per size; figures go to docs/performance.md.
# Usage: bench/check/run.sh [SIZES...]   (needs python3 and GNU time; builds --release)
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ "$#" -gt 0 ]; then sizes=("$@"); else sizes=(10 100 1000 10000); fi
cargo build --release -p koreo-ls >&2
target="${CARGO_TARGET_DIR:-target}"
bin="$target/release/koreo-ls"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
printf '%8s %10s %10s %12s\n' files best_s median_s max_rss_mb
for n in "${sizes[@]}"; do
  dir="$work/ws-$n"
  python3 bench/check/gen.py "$n" "$dir"
  "$bin" --check --format json "$dir" > "$work/out.json"   # warm the page cache
  python3 -c "import json,sys; s=json.load(open(sys.argv[1]))['summary']; assert s['errors']==0, s" "$work/out.json"
  times=(); rss=0
  for _ in 1 2 3 4 5; do
    /usr/bin/time -f '%e %M' -o "$work/t" "$bin" --check --format json "$dir" > /dev/null
    read -r t m < "$work/t"
    times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
  done
  sorted=($(printf '%s\n' "${times[@]}" | sort -g))
  printf '%8d %10s %10s %12.1f\n' "$n" "${sorted[0]}" "${sorted[2]}" "$(echo "$rss / 1024" | bc -l)"
done
