#!/usr/bin/env bash
# Set up (if needed) and run the counting station on embedded defaults.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
need_apt libzbar0 python3-venv
ensure_venv ""
exec "$VENV/bin/ballot-station" demo "$@"
