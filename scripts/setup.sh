#!/usr/bin/env bash
# Shared setup for scripts/run.sh and scripts/test.sh.
# Installs what is missing on a fresh Debian 12 (as root), and is quick when all is there:
#   - apt packages (only the ones not yet installed; `apt-get update` only when needed),
#   - a virtual environment in .venv with the project installed in editable mode,
#     re-installed only when pyproject.toml changes.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"

need_apt() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "[setup] 安装系统软件包 / installing apt packages: ${missing[*]}"
    if [ "$(id -u)" != 0 ]; then
      echo "[setup] 需要 root 权限安装 / root is needed to install: ${missing[*]}" >&2
      exit 1
    fi
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

ensure_venv() {
  local extras="$1"   # "" or "test"
  local py="${PYTHON:-python3}"
  if [ ! -x "$VENV/bin/python" ]; then
    echo "[setup] 创建虚拟环境 / creating virtual environment in .venv"
    "$py" -m venv "$VENV" || { need_apt python3-venv; "$py" -m venv "$VENV"; }
  fi
  local stamp="$VENV/.installed-$extras"
  local want
  want="$(sha256sum "$ROOT/pyproject.toml" | cut -d' ' -f1)"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
    echo "[setup] 安装 Python 依赖 / installing Python packages (${extras:-runtime})"
    "$VENV/bin/python" -m pip install -q --upgrade pip >/dev/null
    if [ -n "$extras" ]; then
      "$VENV/bin/python" -m pip install -q -e "$ROOT[$extras]"
    else
      "$VENV/bin/python" -m pip install -q -e "$ROOT"
    fi
    echo "$want" > "$stamp"
  fi
}
