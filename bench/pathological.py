#!/usr/bin/env python3
"""Pathological inputs at doubling sizes: how Gavel's time and memory grow with each.

Each case writes one hostile input into a copy of the small test site (Tests/GavelCoreTests/
Fixtures/base), runs `gavel check` (or `gavel eval`) on it, and prints the wall time, peak RSS and
the ratio of each size's time to the previous size's. Linear cost doubles (ratio ~2); quadratic
cost quadruples. A case whose input passes a limit must end with a located error, not exhaustion:
the exit code and the first diagnostic line are printed too.

Python 3.11 standard library only. A benchmark, not a test: it exits 0 whatever the figures are.
    python3 bench/pathological.py [--gavel .build/release/gavel] [--case NAME] [--sizes 4]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASE = REPO / "Tests/GavelCoreTests/Fixtures/base"
TEMPLATE_NAMES = ["layout", "home", "court", "notice", "page", "step", "checklist", "search", "404"]
# A run longer than this is stopped and shown as a timeout: the point is to see growth, not to wait.
TIMEOUT = 120


def site(root: Path) -> Path:
    """A fresh copy of the base content and a minimal theme under root; returns the content folder."""
    if root.exists():
        shutil.rmtree(root)
    content = root / "Content"
    shutil.copytree(BASE, content)
    assets = root / "Templates/assets"
    assets.mkdir(parents=True)
    for name in TEMPLATE_NAMES:
        (root / "Templates" / f"{name}.mustache").write_text("<!doctype html>\n<title>{{title}}</title>\n{{{body_html}}}\n")
    (assets / "site.css").write_text("body { margin: 0 }\n")
    return content


def notice(content: Path, front: str, body: str) -> None:
    (content / "courts/tst/notices/hostile.md").write_text(f"---\n{front}---\n{body}", encoding="utf-8")


# Each case: (name, what the size counts, sizes' base, make(root, n) -> argv after the binary).

def curly_braces(root: Path, n: int) -> list[str]:
    content = site(root)
    notice(content, 'title: "t"\ndate: "2030-01-02"\n', "{{ " * n + "\n")
    return ["check", "--content", str(content), "--templates", str(root / "Templates")]


def broken_links(root: Path, n: int) -> list[str]:
    content = site(root)
    notice(content, 'title: "t"\ndate: "2030-01-02"\n', "".join(f"[x](/nowhere-{i}/)\n" for i in range(n)))
    return ["check", "--content", str(content), "--templates", str(root / "Templates")]


def front_matter_value(root: Path, n: int) -> list[str]:
    content = site(root)
    notice(content, f'title: "t"\ndate: "2030-01-02"\nsummary: "{"a" * n}"\n', "Body.\n")
    return ["check", "--content", str(content), "--templates", str(root / "Templates")]


def rule_identifier(root: Path, n: int) -> list[str]:
    content = site(root)
    step = content / "steps/upgrade-account.md"
    text = step.read_text().replace("done_if: pacer.upgraded", "done_if: pacer." + "u" * n)
    step.write_text(text)
    return ["check", "--content", str(content), "--templates", str(root / "Templates")]


def alias_bomb(root: Path, depth: int) -> list[str]:
    content = site(root)
    lines = ['a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, depth + 1):
        refs = ", ".join([f"*a{i - 1}"] * 10)
        lines.append(f"a{i}: &a{i} [{refs}]")
    # An unknown field holding the bomb: Gavel must stop at the expansion, before it looks at keys.
    (content / "courts/tst/court.yml").write_text((content / "courts/tst/court.yml").read_text() + "\n".join(lines) + "\n")
    return ["check", "--content", str(content), "--templates", str(root / "Templates")]


def template_length(root: Path, n: int) -> list[str]:
    content = site(root)
    # Inline CSS with a tag on each line. swift-mustache 2.1.1's parser counts the characters left in
    # the template at every "{" and every tag's end, so a template costs the square of its length.
    rules = "".join(f".c{i} {{ color: red }} /* {{{{title}}}} */\n" for i in range(n))
    layout = "<!doctype html>\n<title>{{title}}</title>\n<style>\n" + rules + "</style>\n{{{body_html}}}\n"
    (root / "Templates/layout.mustache").write_text(layout)
    return ["check", "--content", str(content), "--templates", str(root / "Templates")]


def answers(root: Path, payload: dict) -> list[str]:
    content = site(root)
    path = root / "answers.json"
    path.write_text(json.dumps(payload))
    return ["eval", "--content", str(content), "--templates", str(root / "Templates"), "--facts", str(path),
            "--now", "2030-01-02T00:00:00Z"]


def unknown_facts(root: Path, n: int) -> list[str]:
    return answers(root, {"courts": ["tst"], "answers": {f"fact.unknown{i}": True for i in range(n)}})


def answer_string(root: Path, n: int) -> list[str]:
    return answers(root, {"courts": ["tst"], "answers": {"pacer.kind": "x" * n}})


CASES = {
    # name: (make, unit, first size, sizes are multiplied by 2 per step unless noted)
    "curly-braces": (curly_braces, "'{{ ' in a body", 5_000),
    "broken-links": (broken_links, "broken links in a body", 2_500),
    "front-matter-value": (front_matter_value, "bytes of one summary (limit 1 MiB)", 1 << 18),
    "rule-identifier": (rule_identifier, "bytes of one fact name in a rule", 1 << 17),
    "unknown-facts": (unknown_facts, "unknown facts in answers", 1_000),
    "answer-string": (answer_string, "bytes of one answer", 1 << 18),
    "alias-bomb": (alias_bomb, "alias depth (x10 values each)", 4),
    "template-length": (template_length, "lines of inline CSS in a template (~40 bytes each)", 1_000),
}


def measure(binary: str, argv: list[str]) -> tuple[float, float, int, str]:
    """Wall seconds, peak RSS in MiB, exit code and the first line of stderr of one run."""
    start = time.perf_counter()
    proc = subprocess.Popen([binary, *argv], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return TIMEOUT, float("nan"), -9, f"timed out after {TIMEOUT} s"
    wall = time.perf_counter() - start
    # The child is reaped; its peak RSS is in the children's usage, which only grows: take the
    # difference of the maximum, so run each case in its own Python child (see main).
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    first = err.decode("utf-8", "replace").strip().splitlines()
    line = first[0] if first else ""
    return wall, rss, proc.returncode, line[:110]


def one(binary: str, case: str, size: int) -> None:
    make = CASES[case][0]
    with tempfile.TemporaryDirectory(prefix="gavel-patho-") as tmp:
        argv = make(Path(tmp), size)
        wall, rss, code, line = measure(binary, argv)
    print(json.dumps({"wall": wall, "rss": rss, "code": code, "line": line}))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gavel", default=str(REPO / ".build/debug/gavel"), help="the gavel binary (default: debug build)")
    parser.add_argument("--case", action="append", choices=sorted(CASES), help="run only these cases (repeatable)")
    parser.add_argument("--sizes", type=int, default=4, help="how many doubling sizes per case (default 4)")
    parser.add_argument("--one", nargs=2, metavar=("CASE", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        one(args.gavel, args.one[0], int(args.one[1]))
        return 0
    if not os.access(args.gavel, os.X_OK):
        print(f"no gavel binary at {args.gavel}; build it first", file=sys.stderr)
        return 2
    print(f"gavel: {args.gavel}")
    print(f"{'case':20} {'size':>10} {'seconds':>9} {'ratio':>6} {'MiB':>8} {'exit':>4}  first diagnostic")
    for case in args.case or list(CASES):
        make, unit, first = CASES[case]
        previous = None
        print(f"# {case}: size is {unit}")
        for step in range(args.sizes):
            size = first + step if case == "alias-bomb" else first << step
            # Each size in its own Python child, so its peak RSS is its own.
            out = subprocess.run([sys.executable, __file__, "--gavel", args.gavel, "--one", case, str(size)],
                                 capture_output=True, text=True)
            if out.returncode != 0:
                print(f"{case:20} {size:>10} failed: {out.stderr.strip()[-200:]}")
                break
            r = json.loads(out.stdout)
            ratio = f"{r['wall'] / previous:6.2f}" if previous else "      "
            print(f"{case:20} {size:>10} {r['wall']:9.3f} {ratio} {r['rss']:8.1f} {r['code']:>4}  {r['line']}", flush=True)
            previous = r["wall"]
            if r["code"] == -9:
                break
    return 0


if __name__ == "__main__":
    sys.exit(main())
