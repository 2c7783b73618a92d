#!/usr/bin/env bash
# Install (only what is missing) the tools dsviz needs to build, serve and test.
#
#   bash scripts/setup.sh            # check/install everything, print PATH advice
#   bash scripts/setup.sh --native   # only what native `cargo test` needs
#   source scripts/setup.sh [...]    # same, and keep the PATH changes in this shell
#
# Every step checks the exact version first, so a second run takes seconds.
# It must work unattended (CI runs as root with no stdin) on a fresh Debian
# machine that has only rustup, cargo and node/npm, with network access to
# crates.io, npm, PyPI and Debian apt only: nothing here may download a
# prebuilt binary from GitHub (see shared/TOOLCHAIN.md for the measurements).
#
# When sourced, `set -euo pipefail` stays in force in the caller; the other
# scripts in scripts/ want that anyway.
set -euo pipefail

DSVIZ_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Versions. trunk 0.22 needs rustc >= 1.96.1; the machines here have 1.95.
DSVIZ_TRUNK_VERSION="0.21.14"
# The site's release bundles are built with this nightly: it rebuilds the
# standard library for size (build-std, panic=immediate-abort, no panic
# locations), which takes about 10% off every page's download. Dated, so a
# build never changes under us; everything else (tests, the CLI) is stable.
DSVIZ_WEB_TOOLCHAIN="nightly-2026-10-30"
# Fallback only: the real wasm-bindgen-cli version is read from Cargo.lock,
# because the CLI must match the wasm-bindgen crate exactly.
DSVIZ_WASM_BINDGEN_FALLBACK="0.2.130"
# Trunk.toml's [tools] pin is the source of truth for wasm-opt: trunk ignores a
# wasm-opt whose version differs. It comes from npm's binaryen (package.json).
DSVIZ_WASM_OPT_VERSION="$(sed -n 's/^wasm_opt *= *"\(.*\)".*/\1/p' "$DSVIZ_ROOT/Trunk.toml")"

_dsviz_setup_native_only=0
for _arg in "$@"; do
  case "$_arg" in
    --native) _dsviz_setup_native_only=1 ;;
    --full) _dsviz_setup_native_only=0 ;;  # default; lets callers pass an explicit arg when sourcing
    *) echo "setup.sh: unknown argument: $_arg" >&2; return 2 2>/dev/null || exit 2 ;;
  esac
done

ok()   { printf '  \u2713 %s\n' "$*"; }
todo() { printf '  \u2026 %s\n' "$*"; }

# Run as root directly (CI, containers); otherwise go through sudo.
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

# cargo-installed tools land here; a fresh login shell may not have it on PATH.
_cargo_bin="${CARGO_HOME:-$HOME/.cargo}/bin"
case ":$PATH:" in *":$_cargo_bin:"*) ;; *) export PATH="$_cargo_bin:$PATH" ;; esac
# npm's binaryen must shadow Debian's /usr/bin/wasm-opt (108, too old), so
# node_modules/.bin goes first. Absolute, so it holds after a cd.
case ":$PATH:" in *":$DSVIZ_ROOT/node_modules/.bin:"*) ;; *) export PATH="$DSVIZ_ROOT/node_modules/.bin:$PATH" ;; esac

echo "dsviz setup:"

# Crates first: it creates Cargo.lock if absent (the wasm-bindgen version is
# read from it below), and `trunk build` runs cargo with --offline because
# Trunk.toml sets offline=true, so every crate must already be downloaded.
( cd "$DSVIZ_ROOT" && cargo fetch --quiet )
ok "crates fetched ($(cd "$DSVIZ_ROOT" && cargo --version | cut -d' ' -f1-2))"

if [ "$_dsviz_setup_native_only" -eq 1 ]; then
  ok "native-only setup done"
  return 0 2>/dev/null || exit 0
fi

# --- Rust wasm target ---------------------------------------------------------
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then
  ok "rust target wasm32-unknown-unknown present"
else
  todo "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
  ok "rust target wasm32-unknown-unknown added"
fi

# --- the web bundles' nightly (rust-src for build-std) -------------------------
if rustup run "$DSVIZ_WEB_TOOLCHAIN" rustc --version >/dev/null 2>&1 \
   && rustup component list --installed --toolchain "$DSVIZ_WEB_TOOLCHAIN" 2>/dev/null | grep -q '^rust-src' \
   && rustup target list --installed --toolchain "$DSVIZ_WEB_TOOLCHAIN" 2>/dev/null | grep -qx wasm32-unknown-unknown; then
  ok "rust $DSVIZ_WEB_TOOLCHAIN with rust-src present (release bundles)"
else
  todo "installing rust $DSVIZ_WEB_TOOLCHAIN with rust-src for the release bundles (~40 s)"
  rustup toolchain install "$DSVIZ_WEB_TOOLCHAIN" --profile minimal --component rust-src --target wasm32-unknown-unknown
  ok "rust $DSVIZ_WEB_TOOLCHAIN installed"
fi
# rust-src vendors the standard library's crates; fetching them into the
# registry too costs a second and keeps trunk's offline build-std safe if a
# toolchain ever ships without the vendor directory.
_std_manifest="$(rustup run "$DSVIZ_WEB_TOOLCHAIN" rustc --print sysroot)/lib/rustlib/src/rust/library/Cargo.toml"
( cd "$DSVIZ_ROOT" && rustup run "$DSVIZ_WEB_TOOLCHAIN" cargo fetch --quiet --manifest-path "$_std_manifest" ) \
  || echo "  (could not fetch the standard library's crates; the vendored copy is used)" >&2

# --- wasm-bindgen-cli (wasm-bindgen, wasm-bindgen-test-runner) ---------------
DSVIZ_WASM_BINDGEN_VERSION="$(
  awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' \
    "$DSVIZ_ROOT/Cargo.lock" 2>/dev/null || true
)"
DSVIZ_WASM_BINDGEN_VERSION="${DSVIZ_WASM_BINDGEN_VERSION:-$DSVIZ_WASM_BINDGEN_FALLBACK}"
_have="$(wasm-bindgen --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$_have" = "$DSVIZ_WASM_BINDGEN_VERSION" ] \
   && [ "$(wasm-bindgen-test-runner --version 2>/dev/null | awk '{print $2}' || true)" = "$DSVIZ_WASM_BINDGEN_VERSION" ]; then
  ok "wasm-bindgen-cli $DSVIZ_WASM_BINDGEN_VERSION present"
else
  todo "installing wasm-bindgen-cli $DSVIZ_WASM_BINDGEN_VERSION (found: ${_have:-none}; ~2 min)"
  # No --locked: the CLI's own lockfile names a crate version the registry
  # mirror lacks, so a locked install fails.
  cargo install --quiet --force wasm-bindgen-cli --version "$DSVIZ_WASM_BINDGEN_VERSION"
  ok "wasm-bindgen-cli $DSVIZ_WASM_BINDGEN_VERSION installed"
fi
# Trunk (offline) refuses to build unless its pin equals the installed CLI.
_pin="$(sed -n 's/^wasm_bindgen *= *"\(.*\)".*/\1/p' "$DSVIZ_ROOT/Trunk.toml")"
if [ "$_pin" != "$DSVIZ_WASM_BINDGEN_VERSION" ]; then
  echo "  ✗ Trunk.toml pins wasm_bindgen = \"$_pin\" but Cargo.lock has wasm-bindgen $DSVIZ_WASM_BINDGEN_VERSION: make them equal" >&2
  return 1 2>/dev/null || exit 1
fi

# --- trunk --------------------------------------------------------------------
_have="$(trunk --version 2>/dev/null | awk '{print $2}' || true)"
if [ "$_have" = "$DSVIZ_TRUNK_VERSION" ]; then
  ok "trunk $DSVIZ_TRUNK_VERSION present"
else
  todo "installing trunk $DSVIZ_TRUNK_VERSION (found: ${_have:-none}; ~6 min, 2.5 GB RAM)"
  cargo install --quiet --locked --force trunk --version "$DSVIZ_TRUNK_VERSION"
  ok "trunk $DSVIZ_TRUNK_VERSION installed"
fi

# --- Chromium + ChromeDriver (browser tests and Playwright) -------------------
# Debian's packages: Playwright's own browser download and chromedriver
# downloaders fetch from hosts that are unreachable here.
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/chromedriver ]; then
  ok "chromium + chromedriver present ($(/usr/bin/chromium --version 2>/dev/null | awk '{print $2}'))"
else
  todo "installing chromium + chromium-driver via apt (~25 s)"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  ok "chromium + chromedriver installed"
fi

# --- npm: binaryen (wasm-opt) + Playwright -------------------------------------
# Reinstall when node_modules is missing or was installed from another
# lockfile. A content hash survives git checkouts that mtimes would not.
_lock="$DSVIZ_ROOT/package-lock.json"
[ -f "$_lock" ] || _lock="$DSVIZ_ROOT/package.json"
_want_hash="$(sha256sum "$_lock" | cut -d' ' -f1)"
_stamp="$DSVIZ_ROOT/node_modules/.dsviz-installed-from"
if [ -d "$DSVIZ_ROOT/node_modules" ] && [ "$(cat "$_stamp" 2>/dev/null || true)" = "$_want_hash" ]; then
  ok "node_modules up to date with $(basename "$_lock")"
else
  todo "installing npm packages"
  # Playwright is used only with Debian's /usr/bin/chromium: never let it fetch browsers.
  export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
  if [ -f "$DSVIZ_ROOT/package-lock.json" ]; then
    ( cd "$DSVIZ_ROOT" && npm ci --no-audit --no-fund --loglevel=error )
  else
    ( cd "$DSVIZ_ROOT" && npm install --no-audit --no-fund --loglevel=error )
    _want_hash="$(sha256sum "$DSVIZ_ROOT/package-lock.json" | cut -d' ' -f1)"
  fi
  echo "$_want_hash" > "$_stamp"
  ok "npm packages installed"
fi

_have="$(wasm-opt --version 2>/dev/null || true)"
case "$_have" in
  *"($DSVIZ_WASM_OPT_VERSION)"*) ok "wasm-opt $DSVIZ_WASM_OPT_VERSION first on PATH ($(command -v wasm-opt))" ;;
  *) echo "  ✗ wasm-opt on PATH is '${_have:-missing}' ($(command -v wasm-opt || echo none)), want $DSVIZ_WASM_OPT_VERSION from node_modules/.bin" >&2
     return 1 2>/dev/null || exit 1 ;;
esac
ok "playwright $(cd "$DSVIZ_ROOT" && node -p 'require("@playwright/test/package.json").version')"

# When executed rather than sourced, the PATH changes above die with this
# process: tell the user how to get them in their shell.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  echo "setup done. To use these tools in your shell (wasm-opt from node_modules must come before /usr/bin):"
  echo "  export PATH=\"$DSVIZ_ROOT/node_modules/.bin:$_cargo_bin:\$PATH\""
  echo "  (or: source scripts/setup.sh)"
fi
