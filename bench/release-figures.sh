#!/usr/bin/env bash
# The release binary's figures: its size, what it links, `gavel --version` start-up time, and the
# example site's build time with the built-in theme against a full Templates/ folder (which must not
# be slower). Works on tmpfs so the disk does not blur the comparison; needs hyperfine (Debian).
# Usage: bench/release-figures.sh [BINARY]   (default .build/dist/gavel, from make release)
set -euo pipefail
cd "$(dirname "$0")/.."
binary="$(realpath "${1:-.build/dist/gavel}")"
command -v hyperfine >/dev/null || { echo "error: hyperfine is needed (apt-get install hyperfine)" >&2; exit 2; }
work="$(mktemp -d /dev/shm/gavel-figures.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/embedded" "$work/folder"
cp -r Content "$work/embedded/" && cp -r Content Templates "$work/folder/"
echo "binary: $binary"
echo "size: $(stat -c %s "$binary") bytes ($(du -h "$binary" | cut -f1))"
echo "links: $(ldd "$binary" | awk '{print $1}' | tr '\n' ' ')"
hyperfine --warmup 5 --runs 50 -N "$binary --version"
# Full builds each time (--prepare empties Output and the state beside it), then no-op rebuilds.
for kind in embedded folder; do
  hyperfine --warmup 2 --runs 20 --command-name "full build, theme $kind" \
    --prepare "rm -rf $work/$kind/Output $work/$kind/.Output.gavel-*" \
    "cd $work/$kind && $binary build --now 2020-03-20T12:00:00Z"
done
hyperfine --warmup 3 --runs 30 \
  --command-name "no-op rebuild, built-in theme" "cd $work/embedded && $binary build --now 2020-03-20T12:00:00Z" \
  --command-name "no-op rebuild, Templates/ folder" "cd $work/folder && $binary build --now 2020-03-20T12:00:00Z"
