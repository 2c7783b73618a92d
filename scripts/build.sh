#!/usr/bin/env bash
# Build the static site into dist/ (what to deploy): one page, one bundle,
# per binary in src/bin/:
#
#   dist/index.html     the home page (bin `home`: catalog and live hero)
#   dist/app.html       the same home bundle, for links from before the
#                       split (app.html?lab=raft is forwarded to raft.html)
#   dist/study.html     study mode (bin `study`: every question)
#   dist/<lab>.html     each lab (bin `<lab>`: that lab and its questions)
#
# so a first visit downloads only the page it opens. Links between pages
# are relative, so the site works under any sub-path:
#
#   bash scripts/build.sh                          # for a host's root
#   bash scripts/build.sh --public-url /some/path/ # under a sub-path
#   bash scripts/build.sh --dev                    # debug builds (faster, larger)
#
# The pages are generated from page.html. Prints the build time of each.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh --full >/dev/null

release=(--release --cargo-profile web)
dev=0
args=()
for arg in "$@"; do
  case "$arg" in
    --dev) release=() dev=1 ;;
    *) args+=("$arg") ;;
  esac
done

stage="target/site"
rm -rf "$stage" && mkdir -p "$stage/pages"

# Lab titles and taglines, from the simulator's registry (one source).
cargo build --quiet -p dsviz-sim --bin dsviz-sim
labs_json="$(./target/debug/dsviz-sim list --format json)"
lab_field() { # lab_field ID FIELD
  node -e 'const d = JSON.parse(process.argv[1]); const l = d.labs.find((x) => x.id === process.argv[2]); process.stdout.write(l ? String(l[process.argv[3]]) : "")' \
    "$labs_json" "$1" "$2"
}

# page NAME BIN TITLE DESCRIPTION WHAT EXTRA_CSS: writes the page's HTML.
page() {
  local extra="" t="${3//&/\\&}" d="${4//&/\\&}" w="${5//&/\\&}"
  if [ -n "$6" ]; then extra="<link data-trunk rel=\"css\" href=\"../../../$6\" />"; fi
  sed -e "s|__TITLE__|$t|" -e "s|__DESCRIPTION__|$d|" -e "s|__WHAT__|$w|" -e "s|__BIN__|$2|" \
      -e "s|__ROOT__|../../..|g" -e "s|__EXTRA_CSS__|$extra|" page.html > "$stage/pages/$1.html"
}

desc="In-browser labs for distributed systems: seeded, steppable, breakable simulations."
page index home "dsviz — distributed systems, live" "$desc" "dsviz" ""
page study study "Study mode — dsviz" "Interview questions on distributed systems, with answers the labs can show." "study mode" "static/labs.css"
pages=(index study)
for bin in src/bin/*.rs; do
  id="$(basename "$bin" .rs)"
  case "$id" in home | study) continue ;; esac
  title="$(lab_field "$id" title)"
  if [ -z "$title" ]; then
    echo "build.sh: src/bin/$id.rs names no lab in the registry (dsviz-sim list)" >&2
    exit 1
  fi
  page "$id" "$id" "$title — dsviz" "$(lab_field "$id" tagline)" "the $title lab" "static/labs.css"
  pages+=("$id")
done

# Release bundles: the pinned nightly rebuilds the standard library for size
# (see DSVIZ_WEB_TOOLCHAIN in scripts/setup.sh). Only trunk's cargo sees this.
web_env=()
if [ "$dev" -eq 0 ]; then
  web_env=(RUSTUP_TOOLCHAIN="$DSVIZ_WEB_TOOLCHAIN"
    CARGO_UNSTABLE_BUILD_STD=std,panic_abort
    CARGO_UNSTABLE_BUILD_STD_FEATURES=optimize_for_size
    RUSTFLAGS="-Zlocation-detail=none -Zunstable-options -Cpanic=immediate-abort")
fi

rm -rf dist && mkdir -p dist
for p in "${pages[@]}"; do
  start=$(date +%s)
  env "${web_env[@]}" trunk build "$stage/pages/$p.html" "${release[@]}" --dist "$stage/out/$p" "${args[@]}" >"$stage/$p.log" 2>&1 || {
    cat "$stage/$p.log" >&2
    echo "build.sh: the $p page failed to build" >&2
    exit 1
  }
  # trunk names its output index.html whatever the input was called.
  if [ "$p" != index ]; then mv "$stage/out/$p/index.html" "$stage/out/$p/$p.html"; fi
  cp -r "$stage/out/$p/." dist/
  echo "built $p.html in $(( $(date +%s) - start ))s"
done
cp dist/index.html dist/app.html
echo "built dist/: ${pages[*]/%/.html} and app.html (old links)"
ls -la dist
