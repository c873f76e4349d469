#!/usr/bin/env python3
"""Edit-to-reload latency of `gavel serve`.

Starts `gavel serve` on a free port over a temporary copy of Content/ and Templates/, listens to
/__gavel/events the way an open page does, and edits a notice's Markdown N times (10 by default). For
each edit it measures the time from writing the file to the SSE `reload` event arriving at the
client, and prints every sample and the median (also the build time the server reports, so the rest
is watching, debouncing and delivery).

    python3 bench/serve_latency.py [--gavel .build/debug/gavel] [--edits 10] [--poll]
    python3 bench/serve_latency.py --content SITE/Content --templates Templates --notice courts/c0001/notices/n0001.md --json

With --content the site is served where it is (bench/run.py passes its 10,000-notice site) and the
edited notice is put back afterwards; without it, a copy of the example site is served.
"""

from __future__ import annotations

import argparse
import json
import queue
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTICE = Path("courts/wiwb/notices/nextgen-go-live.md")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listen(port: int, events: "queue.Queue[tuple[float, str, dict]]", ready: threading.Event) -> None:
    """Reads the event stream on a raw socket; puts (arrival time, event name, data) on the queue."""
    sock = socket.create_connection(("127.0.0.1", port))
    sock.sendall(f"GET /__gavel/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n\r\n".encode())
    raw = b""
    head_done = False
    body = b""
    while True:
        chunk = sock.recv(65536)
        if not chunk:
            return
        now = time.perf_counter()
        raw += chunk
        if not head_done:
            if b"\r\n\r\n" not in raw:
                continue
            _, raw = raw.split(b"\r\n\r\n", 1)
            head_done = True
        # Undo the chunked framing.
        while b"\r\n" in raw:
            size_line, rest = raw.split(b"\r\n", 1)
            size = int(size_line.split(b";")[0], 16)
            if size == 0:
                return
            if len(rest) < size + 2:
                break
            body += rest[:size]
            raw = rest[size + 2:]
        while b"\n\n" in body:
            block, body = body.split(b"\n\n", 1)
            name, data = "message", []
            for line in block.decode().split("\n"):
                if line.startswith("event:"):
                    name = line[6:].strip()
                elif line.startswith("data:"):
                    data.append(line[5:].strip())
            if data:
                if name == "hello":
                    ready.set()
                events.put((now, name, json.loads("\n".join(data))))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--gavel", default=str(ROOT / ".build" / "debug" / "gavel"))
    parser.add_argument("--edits", type=int, default=10)
    parser.add_argument("--pause", type=float, default=0.3, help="seconds between edits")
    parser.add_argument("--poll", action="store_true", help="make the server poll instead of using inotify")
    parser.add_argument("--content", help="serve this Content folder in place (default: a copy of the example's)")
    parser.add_argument("--templates", help="with --content: the Templates folder")
    parser.add_argument("--notice", default=str(NOTICE), help="the notice to edit, relative to Content/")
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON line at the end")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="gavel-serve-latency-"))
    proc = None
    restore = None
    try:
        if args.content:
            content = Path(args.content).resolve()
            templates = ["--templates", str(Path(args.templates).resolve())] if args.templates else []
        else:
            shutil.copytree(ROOT / "Content", work / "Content")
            shutil.copytree(ROOT / "Templates", work / "Templates")
            content, templates = work / "Content", ["--templates", str(work / "Templates")]
        port = free_port()
        command = [str(Path(args.gavel).resolve()), "serve", "--content", str(content), *templates, "--port", str(port)] + (["--poll"] if args.poll else [])
        started = time.perf_counter()
        proc = subprocess.Popen(command, cwd=work, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        line = proc.stdout.readline()
        first_build = time.perf_counter() - started
        if "Serving http://" not in line:
            print(f"gavel serve did not start: {line!r}", file=sys.stderr)
            return 1
        threading.Thread(target=lambda: proc.stdout.read(), daemon=True).start()

        events: queue.Queue = queue.Queue()
        ready = threading.Event()
        threading.Thread(target=listen, args=(port, events, ready), daemon=True).start()
        if not ready.wait(10):
            print("no hello event from /__gavel/events", file=sys.stderr)
            return 1

        path = content / args.notice
        original = path.read_text(encoding="utf-8")
        restore = (path, original)
        latencies, builds = [], []
        for i in range(args.edits):
            time.sleep(args.pause)
            while not events.empty():
                events.get_nowait()
            # At the start of the body, where the page's search entry sees it (so the index changes too).
            head, sep, body = original.partition("\n---\n")
            text = head + sep + f"Edited for the latency benchmark ({i + 1}).\n\n" + body.lstrip("\n")
            start = time.perf_counter()
            path.write_text(text, encoding="utf-8")
            deadline = start + 10
            while True:
                try:
                    arrived, name, data = events.get(timeout=max(0.0, deadline - time.perf_counter()))
                except queue.Empty:
                    print(f"edit {i + 1}: no reload event within 10 s", file=sys.stderr)
                    return 1
                if name == "reload":
                    break
            latency = (arrived - start) * 1000
            latencies.append(latency)
            builds.append(float(data.get("build_ms", 0)))
            print(f"edit {i + 1:2d}: {latency:7.1f} ms to the reload event (server build {builds[-1]:.1f} ms)")

        if args.json:
            print(json.dumps({"latencies_ms": latencies, "builds_ms": builds, "median_ms": statistics.median(latencies),
                              "median_build_ms": statistics.median(builds), "first_build_s": first_build}))
        print(f"median edit-to-reload over {len(latencies)} edits: {statistics.median(latencies):.1f} ms "
              f"(min {min(latencies):.1f}, max {max(latencies):.1f}); median build {statistics.median(builds):.1f} ms "
              f"[{Path(args.gavel).parent.name} build, {'polling' if args.poll else 'inotify'}]")
        return 0
    finally:
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
        if restore:
            restore[0].write_text(restore[1], encoding="utf-8")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
