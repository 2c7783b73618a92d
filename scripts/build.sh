#!/usr/bin/env bash
# Build the static site into dist/ (what to deploy), in two bundles:
#
#   dist/index.html  the light home page (bin `home`: catalog and live hero)
#   dist/app.html    the labs and study mode (bin `dsviz`)
#
# so a first visit downloads only the small home bundle. Links between them
# are relative, so the site works under any sub-path:
#
#   bash scripts/build.sh                          # for a host's root
#   bash scripts/build.sh --public-url /some/path/ # under a sub-path
#
# In development, `trunk serve` (scripts/serve.sh) serves the full app as
# index.html, home page included, with live reload.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh --full >/dev/null

stage="target/site"
rm -rf "$stage" && mkdir -p "$stage"
trunk build index.html --release --dist "$stage/app" "$@"
trunk build home.html --release --dist "$stage/home" "$@"
rm -rf dist && mkdir -p dist
cp -r "$stage/app/." dist/
mv dist/index.html dist/app.html
cp -r "$stage/home/." dist/
echo "built dist/: index.html (home) and app.html (labs, study)"
ls -la dist
