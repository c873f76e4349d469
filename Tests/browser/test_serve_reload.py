"""`gavel serve` in a real browser: an open notice page reloads itself after its Markdown is edited,
shows the build-error overlay after a broken edit, and drops it once the edit is fixed.

Runs .build/debug/gavel serve on a free port over a temporary copy of Content/ and Templates/, and
drives Debian's headless Chromium through selenium (pip install selenium==4.38.0 pytest).
"""

from __future__ import annotations

import re
import shutil
import signal
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
GAVEL = ROOT / ".build" / "debug" / "gavel"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
NOTICE = Path("courts/wiwb/notices/nextgen-go-live.md")
NOTICE_PAGE = "courts/wiwb/notices/nextgen-go-live/"
RELOAD_WAIT = 10  # seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Serve:
    """A `gavel serve` process over a copy of the example site."""

    def __init__(self, work: Path):
        self.work = work
        shutil.copytree(ROOT / "Content", work / "Content")
        shutil.copytree(ROOT / "Templates", work / "Templates")
        self.content = work / "Content"
        self.port = free_port()
        if not GAVEL.exists():
            raise RuntimeError(f"{GAVEL} is missing: build it first (swift build --product gavel)")
        self.proc = subprocess.Popen([str(GAVEL), "serve", "--port", str(self.port)], cwd=work,
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        for stream, sink in ((self.proc.stdout, self.stdout), (self.proc.stderr, self.stderr)):
            threading.Thread(target=lambda s=stream, k=sink: k.extend(iter(s.readline, "")), daemon=True).start()
        deadline = time.monotonic() + 30
        while not any("Serving http://" in line for line in self.stdout):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("gavel serve did not start:\n" + "".join(self.stdout + self.stderr))
            time.sleep(0.05)
        self.url = f"http://127.0.0.1:{self.port}/"
        found = re.search(r"output: (\S+) \(temporary", "".join(self.stdout))
        self.output = Path(found.group(1)) if found else None

    def edit(self, change) -> None:
        path = self.content / NOTICE
        text = path.read_text(encoding="utf-8")
        changed = change(text)
        assert changed != text
        path.write_text(changed, encoding="utf-8")

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        return self.proc.returncode


@pytest.fixture
def serve(tmp_path):
    server = Serve(tmp_path)
    yield server
    code = server.stop()
    assert code == 0, "gavel serve did not stop cleanly on SIGINT:\n" + "".join(server.stderr)
    if server.output is not None:
        assert not server.output.exists(), "the temporary output folder was left behind"
        assert not server.output.parent.exists(), "the private folder around it (with the build's cache) was left behind"


@pytest.fixture
def chromium():
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def mark_page(driver) -> None:
    """A marker that only survives as long as the page is not reloaded."""
    driver.execute_script("window.__gavelNotReloaded = true;")


def reloaded(driver) -> bool:
    return driver.execute_script("return window.__gavelNotReloaded !== true && document.readyState === 'complete';")


def wait_until(driver, condition, message: str):
    return WebDriverWait(driver, RELOAD_WAIT, poll_frequency=0.05).until(lambda d: condition(d), message)


def test_an_open_page_reloads_itself_after_an_edit(serve, chromium):
    chromium.get(serve.url + NOTICE_PAGE)
    assert "What is happening" in chromium.find_element(By.TAG_NAME, "main").text
    assert chromium.find_elements(By.CSS_SELECTOR, 'script[src="/__gavel/reload.js"]')
    # Let the page open its event stream before editing.
    wait_until(chromium, lambda d: d.execute_script(
        "return document.documentElement.getAttribute('data-gavel-preview') === 'connected';"),
        "the page did not connect to /__gavel/events")
    mark_page(chromium)

    started = time.monotonic()
    serve.edit(lambda t: t.replace("## What is happening", "## What is happening: edited while open"))
    wait_until(chromium, lambda d: reloaded(d) and "edited while open" in d.find_element(By.TAG_NAME, "main").text,
               "the open page did not reload with the new text")
    print(f"edit to reloaded page: {time.monotonic() - started:.3f} s")

    # A broken edit: the page reloads to show the overlay, listing the error's place.
    mark_page(chromium)
    serve.edit(lambda t: t.replace("{{court.name}} will begin upgrading", "{{court.nmae}} will begin upgrading"))
    overlay = wait_until(chromium, lambda d: reloaded(d) and d.find_elements(By.ID, "gavel-overlay"),
                         "no overlay after a broken edit")[0]
    assert overlay.get_attribute("role") == "alert"
    assert overlay.is_displayed()
    assert overlay.find_element(By.TAG_NAME, "h2").text.startswith("The site did not build")
    item = overlay.find_element(By.CSS_SELECTOR, "ol li")
    assert re.search(r"Content/courts/wiwb/notices/nextgen-go-live\.md:\d+:\d+", item.text), item.text
    assert "unknown court variable 'court.nmae'" in item.text
    assert "did you mean 'court.name'?" in item.text
    # The last good build is still there underneath.
    assert "edited while open" in chromium.find_element(By.TAG_NAME, "main").text

    # The fix: the page reloads by itself and the overlay is gone.
    mark_page(chromium)
    serve.edit(lambda t: t.replace("{{court.nmae}}", "{{court.name}}"))
    wait_until(chromium, lambda d: reloaded(d) and not d.find_elements(By.ID, "gavel-overlay"),
               "the overlay stayed after the fix")

    # The preview's script and stylesheet load under the site's Content-Security-Policy.
    problems = [e["message"] for e in chromium.get_log("browser")
                if e["level"] == "SEVERE" and ("__gavel" in e["message"] or "Content Security Policy" in e["message"])]
    assert not problems, problems


def test_built_files_do_not_carry_the_reload_script(serve, chromium):
    chromium.get(serve.url + NOTICE_PAGE)
    assert serve.output is not None
    on_disk = (serve.output / NOTICE_PAGE / "index.html").read_text(encoding="utf-8")
    assert "__gavel" not in on_disk
    assert "/__gavel/reload.js" in chromium.page_source
