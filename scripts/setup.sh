#!/usr/bin/env bash
# Installs the Debian packages Gavel needs, only those missing. Usage: scripts/setup.sh [build|test|bench|browser]
set -euo pipefail
what="${1:-build}"
packages=(pkg-config libcmark-gfm-dev libcmark-gfm-extensions-dev)
case "$what" in
  test) packages+=(nodejs) ;;
  bench) packages+=(cmark-gfm hugo python3) ;;
  browser) packages=(chromium chromium-driver default-jre-headless python3-venv) ;;
esac
missing=()
for p in "${packages[@]}"; do
  if [ "$p" = nodejs ] && command -v node >/dev/null 2>&1; then continue; fi
  if [ "$p" = python3 ] && command -v python3 >/dev/null 2>&1; then continue; fi
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null 2>&1 || { echo "error: Swift 6 is required (swift.org toolchain on PATH)" >&2; exit 2; }
