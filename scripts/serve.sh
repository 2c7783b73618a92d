#!/usr/bin/env bash
# Build every page and serve the site on http://127.0.0.1:8080.
#
#   bash scripts/serve.sh            # release bundles, as deployed
#   bash scripts/serve.sh --dev      # debug bundles: faster to build, larger
#   bash scripts/serve.sh --port 9000
#
# The site is one bundle per page (scripts/build.sh), so the pages are
# built first and then served as static files; rerun to pick up changes.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
port=8080
build=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift ;;
    --dev) build+=(--dev) ;;
    *) echo "serve.sh: unknown argument '$1' (try --dev or --port N)" >&2; exit 2 ;;
  esac
  shift
done
bash scripts/build.sh "${build[@]}"
echo "serving dist/ on http://127.0.0.1:$port (Ctrl-C stops)"
exec node e2e/serve.mjs --dir dist --port "$port" --host 127.0.0.1
