#!/usr/bin/env bash
# Installs the release binary, its shell completions and its man page under PREFIX (and DESTDIR,
# for packagers). Usage: scripts/install.sh PREFIX   (make install PREFIX=... runs it after make release)
set -euo pipefail
cd "$(dirname "$0")/.."
prefix="${1:?usage: $0 PREFIX}"
root="${DESTDIR:-}$prefix"
binary=".build/dist/gavel"
[ -x "$binary" ] || { echo "error: $binary is missing; run make release first" >&2; exit 1; }

install -d "$root/bin" "$root/share/man/man1" "$root/share/bash-completion/completions" \
  "$root/share/zsh/site-functions" "$root/share/fish/vendor_completions.d"
install -m 755 "$binary" "$root/bin/gavel"
# Completions and the man page come from the command line's own definition (swift-argument-parser),
# so they cannot drift from it.
"$binary" --generate-completion-script bash > "$root/share/bash-completion/completions/gavel"
"$binary" --generate-completion-script zsh > "$root/share/zsh/site-functions/_gavel"
"$binary" --generate-completion-script fish > "$root/share/fish/vendor_completions.d/gavel.fish"
${SWIFT:-swift} build --product generate-manual >/dev/null
manual="$(mktemp -d)"
trap 'rm -rf "$manual"' EXIT
.build/debug/generate-manual "$binary" --date "$(git log -1 --format=%cs 2>/dev/null || date +%F)" --output-directory "$manual"
install -m 644 "$manual/gavel.1" "$root/share/man/man1/gavel.1"
echo "installed gavel $("$binary" --version) into $root: bin/gavel, share/man/man1/gavel.1, bash, zsh and fish completions"
