#!/usr/bin/env bash
# Run every dsviz test stage, stopping at the first failure.
#
#   bash scripts/test.sh           # all stages (what CI runs, via .ci/run)
#   bash scripts/test.sh --quick   # native `cargo test --workspace` only: no wasm
#                                  # tooling, no browser, no release build
#
# Stages, in order:
#   native   cargo test --workspace             (sim + app logic on the host)
#   browser  cargo test -p dsviz --target wasm32-unknown-unknown
#            (wasm-bindgen-test-runner -> chromedriver -> headless Chromium)
#   build    scripts/build.sh                   (release site into dist/: home + app bundles)
#   e2e      playwright test                    (against dist/, see playwright.config.ts)
#
# Environment passed through untouched, e.g. DSVIZ_PROPTEST_SEEDS (long
# property-test runs) and CHROMEDRIVER (defaults to /usr/bin/chromedriver).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

quick=0
for arg in "$@"; do
  case "$arg" in
    --quick) quick=1 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) echo "test.sh: unknown argument '$arg' (try --help)" >&2; exit 2 ;;
  esac
done

t0=$(date +%s%N)
# shellcheck source=scripts/setup.sh
if [ "$quick" -eq 1 ]; then source scripts/setup.sh --native; else source scripts/setup.sh --full; fi
setup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))

logdir="$(mktemp -d "${TMPDIR:-/tmp}/dsviz-test.XXXXXX")"
trap 'rm -rf "$logdir"' EXIT
timings=("setup $(printf '%d.%01ds' $((setup_ms / 1000)) $((setup_ms % 1000 / 100)))")
total_passed=0
total_failed=0

# Sum the test counts a stage printed: cargo and wasm-bindgen-test-runner say
# "test result: ok. N passed; M failed", Playwright's list reporter "  N passed (..s)".
count_tests() {
  local counts
  counts=$(awk '
    /test result: [A-Za-z]+\. [0-9]+ passed/ {
      if (match($0, /[0-9]+ passed/)) p += substr($0, RSTART, RLENGTH) + 0
      if (match($0, /[0-9]+ failed/)) f += substr($0, RSTART, RLENGTH) + 0
    }
    /^ +[0-9]+ passed/ { p += $1 }
    /^ +[0-9]+ failed/ { f += $1 }
    END { print p + 0, f + 0 }' "$1")
  total_passed=$((total_passed + ${counts% *}))
  total_failed=$((total_failed + ${counts#* }))
}

print_timings() {
  echo "stage timings:"
  printf '  %s\n' "${timings[@]}"
}

# stage NAME CMD...: run CMD with its output shown and logged; on failure say
# which stage broke and exit with its status.
stage() {
  local name="$1"; shift
  local log="$logdir/$name.log" start rc ms
  echo
  echo "==> [$name] $*"
  start=$(date +%s%N)
  set +e
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  set -e
  ms=$(( ($(date +%s%N) - start) / 1000000 ))
  timings+=("$name $(printf '%d.%01ds' $((ms / 1000)) $((ms % 1000 / 100)))")
  count_tests "$log"
  if [ "$rc" -ne 0 ]; then
    echo
    echo "✗ test.sh: stage '$name' FAILED (exit $rc) after $((ms / 1000))s: $*" >&2
    print_timings
    exit "$rc"
  fi
  echo "✓ [$name] ok in $((ms / 1000))s"
}

stage native cargo test --workspace

if [ "$quick" -eq 0 ]; then
  # The runner reads extra Chromium capabilities from ./webdriver.json.
  stage browser env CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}" \
    cargo test -p dsviz --target wasm32-unknown-unknown
  stage build bash scripts/build.sh
  stage e2e playwright test
fi

echo
print_timings
if [ "$quick" -eq 1 ]; then echo "(--quick: browser, build and e2e stages skipped)"; fi
echo "test.sh: $total_passed passed, $total_failed failed"
