#!/usr/bin/env bash
# Builds the gavel binary a court installs: the Swift runtime and Foundation (--static-swift-stdlib)
# and Debian's libcmark-gfm and its extensions (libcmark-gfm.a, libcmark-gfm-extensions.a) linked
# in, so that it needs only the C library and its kin. The default theme is always inside (Package.swift).
# Usage: scripts/static-build.sh [release|debug]   (prints the binary's path last)
#   release: .build/standalone/release/gavel, and .build/dist/gavel, the same without debug
#            information (strip): the file a court installs, and what `make install` installs.
#   debug:   .build/standalone/debug/gavel, for StandaloneBinaryTests.
# Both build in .build/standalone, never in .build itself: SwiftPM does not recompile when a build
# folder switches between a static and a dynamic link, and the mix then fails to link
# (-lCoreFoundation not found), so `swift build` and `swift build -c release` keep .build to themselves.
set -euo pipefail
cd "$(dirname "$0")/.."
configuration="${1:-release}"
case "$configuration" in release|debug) ;; *) echo "usage: $0 [release|debug]" >&2; exit 2 ;; esac
libdir="$(pkg-config --variable=libdir libcmark-gfm)"
for archive in libcmark-gfm.a libcmark-gfm-extensions.a; do
  [ -f "$libdir/$archive" ] || { echo "error: $libdir/$archive is missing (Debian's libcmark-gfm-dev and libcmark-gfm-extensions-dev ship it)" >&2; exit 1; }
done
# SwiftPM finds libcmark-gfm through pkg-config, whose Libs put the shared library's folder first.
# This .pc names a folder holding only the static archives instead, so every -lcmark-gfm (the
# module map's too) resolves to them; the extensions come first, as they use the core.
static=".build/static-cmark"
mkdir -p "$static"
ln -sf "$libdir/libcmark-gfm.a" "$static/libcmark-gfm.a"
ln -sf "$libdir/libcmark-gfm-extensions.a" "$static/libcmark-gfm-extensions.a"
cat > "$static/libcmark-gfm.pc" <<PC
Name: libcmark-gfm
Description: libcmark-gfm and its extensions, linked statically into gavel
Version: $(pkg-config --modversion libcmark-gfm)
Libs: -L$PWD/$static -lcmark-gfm-extensions -lcmark-gfm
Cflags: $(pkg-config --cflags libcmark-gfm)
PC
scratch=".build/standalone"
# Generic types are reached through their metadata accessors rather than looked up by their
# mangled names: the first lookup of each checks the conformances it names by scanning the binary's
# 8,000 conformance records, 8.5 M of a no-op build's 57 M instructions at 10,000 notices (3 M
# remain, in the standard library's and Foundation's code, built without this). Nothing else changes.
# Linked by the toolchain's lld, which keeps from memory what a build does not read:
# - the functions builds run lie side by side, in the order scripts/gavel.order gives
#   (scripts/function-order.py writes it): scattered over the 22 MB of code, the 2.4 MB that run
#   kept far more of it resident; a name the list has that the code no longer has is skipped;
# - relative relocations are packed (DT_RELR, glibc 2.36): 2.5 MB of them were read at every start;
# - no symbols are exported: the 24,000 that were (2 MB with their names) are read by every dladdr,
#   and nothing looks a symbol of gavel up by name.
${SWIFT:-swift} build -c "$configuration" --product gavel --static-swift-stdlib --pkg-config-path "$PWD/$static" --scratch-path "$scratch" \
  -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors \
  -Xswiftc -use-ld=lld -Xlinker --symbol-ordering-file="$PWD/scripts/gavel.order" -Xlinker --no-warn-symbol-ordering \
  -Xlinker -z -Xlinker pack-relative-relocs -Xlinker --no-export-dynamic
if [ "$configuration" = release ]; then
  mkdir -p .build/dist
  strip -o .build/dist/gavel "$scratch/release/gavel"
  echo ".build/dist/gavel"
else
  echo "$scratch/$configuration/gavel"
fi
