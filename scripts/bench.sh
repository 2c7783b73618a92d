#!/usr/bin/env bash
# Measure dsviz's speed and size; prints numbers, asserts nothing.
#
#   bash scripts/bench.sh
#
# 1. Native kernel and Raft throughput (sim/examples/bench_kernel.rs).
# 2. Release bundle sizes, raw and gzip (scripts/build.sh into dist/): what a
#    first visit to each page transfers (HTML, JS, wasm, CSS).
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

echo "== release size: what a first visit to each page transfers"
bash scripts/build.sh >/dev/null 2>&1
for html in dist/*.html; do
  page="$(basename "$html")"
  [ "$page" = app.html ] && continue # the home bundle again, for old links
  raw=$(stat -c %s "$html"); gz=$(gzip -9 -c "$html" | wc -c)
  for f in $(grep -oE '(href|src)="[^"]+\.(js|wasm|css)"' "$html" | sed -E 's/.*="\/?([^"]+)"/\1/' | sort -u); do
    r=$(stat -c %s "dist/$(basename "$f")"); g=$(gzip -9 -c "dist/$(basename "$f")" | wc -c); raw=$((raw + r)); gz=$((gz + g))
  done
  printf '  %-14s %9d B raw %9d B gzip\n' "$page" "$raw" "$gz"
done

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
