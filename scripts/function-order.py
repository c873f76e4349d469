#!/usr/bin/env python3
"""Writes scripts/gavel.order: the functions of gavel that the bench's kinds of build run, those of the
shortest first, for the linker to lay side by side (scripts/static-build.sh passes it to lld).

A build runs 2.4 MB of the binary's 22 MB of code. Scattered, those functions kept far more of it
resident, as each page fault maps the 64 KiB about it (the kernel's fault-around); laid side by side,
a full build's peak RSS at 10,000 notices is 4-6 MiB lower, and a no-op's 3-5 MiB. The list only
places code: it changes nothing a build computes. A name that is gone is skipped by the linker and a
new function is placed after the listed ones, so a stale list costs memory, never correctness; run
this again after large changes.

Usage: scripts/function-order.py [GAVEL]   (default .build/standalone/release/gavel, which keeps its
symbols; needs valgrind and strip). It generates a small site with the bench's generator (20 courts of 20
notices) and runs, under callgrind: a build from nothing, a no-op, a one-notice rebuild and a check.
SwiftPM does not link again for a changed list: delete the binary, then run scripts/static-build.sh.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
import run as bench  # noqa: E402  (the bench's site generator)


def functions_run(profile: Path, binary_name: str) -> list[str]:
    """The binary's functions in a callgrind profile, in the order the profile first names them."""
    names: dict[str, str] = {}
    objects: dict[str, str] = {}
    current = ""
    found: list[str] = []
    for line in profile.read_text(errors="replace").splitlines():
        if m := re.match(r"^(c?ob)=\((\d+)\)(?: (.*))?$", line):
            if m.group(3) is not None:
                objects[m.group(2)] = m.group(3)
            if m.group(1) == "ob":
                current = objects.get(m.group(2), "")
        elif m := re.match(r"^cfn=\((\d+)\) (.*)$", line):
            names[m.group(1)] = m.group(2)
        elif m := re.match(r"^fn=\((\d+)\)(?: (.*))?$", line):
            if m.group(2) is not None:
                names[m.group(1)] = m.group(2)
            name = re.sub(r"'\d+$", "", names.get(m.group(1), ""))  # callgrind's mark of recursion
            if Path(current).name == binary_name and name and not name.startswith("0x"):
                found.append(name)
    return found


def main() -> int:
    gavel = Path(sys.argv[1] if len(sys.argv) > 1 else REPO / ".build/standalone/release/gavel").resolve()
    if not gavel.exists():
        print(f"error: {gavel} is missing (scripts/static-build.sh release builds it)", file=sys.stderr)
        return 1
    order: list[str] = []
    seen: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="gavel-order-") as scratch:
        work = Path(scratch)
        # Without its debug information, which this valgrind cannot read (DWARF 5); symbols stay.
        profiled = work / "gavel"
        subprocess.run(["strip", "--strip-debug", "-o", str(profiled), str(gavel)], check=True)
        site = bench.generate(work / "site", courts=20, notices=20, with_hugo=False, trash=[])
        output = work / "Output"
        build = [str(profiled), "build", "--content", str(site.content), "--templates", str(REPO / "Templates"),
                 "--output", str(output)]
        check = [str(profiled), "check", "--content", str(site.content), "--templates", str(REPO / "Templates")]
        steps = [("full", build, None), ("no-op", build, None), ("edit", build, site.edit_target), ("check", check, None)]
        profiles: dict[str, Path] = {}
        for label, argv, edit in steps:
            if edit is not None:
                bench.edit_notice(edit, 1)
            profiles[label] = work / f"{label}.callgrind"
            subprocess.run(["valgrind", "--tool=callgrind", "--demangle=no", f"--callgrind-out-file={profiles[label]}", *argv],
                           check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The shortest runs' functions first, so that a no-op's lie closest together.
        for label in ["no-op", "edit", "full", "check"]:
            for name in functions_run(profiles[label], profiled.name):
                if name not in seen:
                    seen.add(name)
                    order.append(name)
    target = REPO / "scripts/gavel.order"
    header = ["# Written by scripts/function-order.py: the functions of gavel that a no-op, a one-notice",
              "# rebuild, a build from nothing and a check run, in that order (see that script)."]
    target.write_text("\n".join(header + order) + "\n", encoding="utf-8")
    print(f"{len(order)} functions into {target.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
