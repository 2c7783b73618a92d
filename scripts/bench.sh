#!/usr/bin/env bash
# Measure dsviz's speed and size; prints numbers, asserts nothing.
#
#   bash scripts/bench.sh
#
# 1. Native kernel and Raft throughput (sim/examples/bench_kernel.rs).
# 2. Release bundle sizes, raw and gzip (scripts/build.sh into dist/): the
#    first load (the light home page) and the labs page.
# 3. Browser: time to an interactive lab, Raft virtual s per wall s with
#    rewind on, Figure 16 experiment time, frame rate while playing
#    (e2e/bench.mjs in headless Chromium).
# 4. The dsviz-sim CLI's Figure 16 run (1,000 trials per range).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh --full

echo "== native"
cargo run --quiet --release -p dsviz-sim --example bench_kernel

echo "== release size"
bash scripts/build.sh >/dev/null 2>&1
size() { # prints raw and gzip bytes of the files given, and their total
  local raw=0 gz=0 r g
  for f in "$@"; do
    r=$(stat -c %s "$f"); g=$(gzip -9 -c "$f" | wc -c); raw=$((raw + r)); gz=$((gz + g))
    printf '  %-40s %8d B raw %8d B gzip\n' "$(basename "$f")" "$r" "$g"
  done
  printf '  %-40s %8d B raw %8d B gzip\n' "total" "$raw" "$gz"
}
echo "-- first load: the home page (index.html)"
size dist/index.html dist/home-*.js dist/home-*_bg.wasm dist/style-*.css
echo "-- opening a lab or study mode (app.html)"
size dist/app.html dist/dsviz-*.js dist/dsviz-*_bg.wasm dist/style-*.css dist/register-*.css

echo "== browser"
port=4399
node e2e/serve.mjs --dir dist --port "$port" >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
sleep 0.5
node e2e/bench.mjs "$port"

echo "== CLI: Figure 16, 1,000 trials per range"
cargo build --quiet --release -p dsviz-sim
start=$(date +%s%N)
./target/release/dsviz-sim experiment raft-election-time --trials 1000 --format json >/dev/null
echo "  $(( ($(date +%s%N) - start) / 1000000 )) ms"
