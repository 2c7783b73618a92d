#!/usr/bin/env bash
# Dev server with live reload on http://127.0.0.1:8080 (address/port in Trunk.toml).
# Extra arguments go to `trunk serve` (e.g. --port 9000, --release).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/setup.sh
source scripts/setup.sh --full
# dist-dev/: trunk serve would otherwise overwrite the release build in dist/
# that the e2e tests and deploys use.
exec trunk serve --dist dist-dev "$@"
