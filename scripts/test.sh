#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, then pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
# libzbar0: QR decoding; gcc-avr/avr-libc/simavr: build and run the ballot-box firmware;
# chromium: browser tests of the pages; sane-utils: the SANE scanner source.
need_apt libzbar0 python3-venv gcc-avr avr-libc simavr chromium
ensure_venv "test"
cd "$ROOT"
"$VENV/bin/ruff" check .
exec "$VENV/bin/python" -m pytest "$@"
