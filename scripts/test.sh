#!/usr/bin/env bash
# Set up (if needed) and run the whole test suite: lint, then pytest.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/setup.sh
source "$ROOT/scripts/setup.sh"
# libzbar0: QR decoding; gcc-avr/avr-libc: build the ballot-box firmware; libsimavr-dev, libelf-dev,
# gcc, libc6-dev, make, pkg-config: build its simavr harness (firmware_bridge/firmware/harness);
# sane-utils, libsane1: the SANE scanner source, tested with SANE's `test` backend;
# chromium: browser tests of the pages (Playwright drives Debian's chromium; no browser download).
need_apt libzbar0 python3-venv gcc-avr avr-libc simavr libsimavr-dev libelf-dev gcc libc6-dev make pkg-config \
  sane-utils libsane1 chromium
ensure_venv "test"
cd "$ROOT"
"$VENV/bin/ruff" check .
exec "$VENV/bin/python" -m pytest "$@"
