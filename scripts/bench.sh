#!/usr/bin/env bash
# Measure dsviz's speed and size; prints numbers, asserts nothing.
#
#   bash scripts/bench.sh
#
# 1. Native kernel and Raft throughput (sim/examples/bench_kernel.rs).
# 2. Release bundle size, raw and gzip (trunk build --release into dist/).
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
trunk build --release >/dev/null 2>&1
total_raw=0; total_gz=0
for f in dist/*.wasm dist/*.js dist/*.css dist/index.html; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
  printf '  %-40s %8d B raw %8d B gzip\n' "$(basename "$f")" "$raw" "$gz"
done
printf '  %-40s %8d B raw %8d B gzip\n' "first load (all of the above)" "$total_raw" "$total_gz"

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
