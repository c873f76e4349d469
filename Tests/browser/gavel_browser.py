"""Helpers for Gavel's browser tests: the built site, a headless Chromium with a pinned clock and a
log of every request, and the checklist page as a person uses it (Tests/browser/conftest.py wires
them into fixtures).

Nothing here knows how the page script is written: everything goes through the contract in
docs/checklist-ui.md (ids, data-* attributes, labels) and the engine's rules of SPEC section 4, with
`gavel eval --json` as the oracle for expected statuses.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as _dt
import glob
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import (NoAlertPresentException, StaleElementReferenceException,
                                        TimeoutException, WebDriverException)
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = Path(__file__).resolve().parents[2]
GAVEL = ROOT / ".build" / "debug" / "gavel"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

# The instant the site is built at (which notices are published or archived) and the default
# instant the browser's clock is pinned to: three days before wiwb goes live (2020-03-30 08:00 CDT),
# after vtd went live (2020-03-09), long before ca10 (2020-09-14); pamb went live on January 13, 2020 (a day with no time given).
BUILD_NOW = "2020-03-20T12:00:00Z"
DEFAULT_CLOCK = "2020-03-27T17:00:00Z"

AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

COURTS = ["wiwb", "ca10", "vtd", "pamb"]

STATUS_VALUES = {"not-applicable", "done", "needs-answers", "blocked", "not-yet", "todo"}


# --------------------------------------------------------------------------------------------
# The site


def site_packages_file(name: str) -> Path:
    """A file shipped inside a package of the venv that runs the tests (axe.min.js, vnu.jar)."""
    roots = {Path(p) for p in sys.path if p.endswith("site-packages")}
    roots.add(Path(sys.prefix) / "lib")
    for root in sorted(roots):
        hits = sorted(glob.glob(str(root / "**" / name), recursive=True))
        if hits:
            return Path(hits[0])
    raise FileNotFoundError(f"{name} not found in {sorted(map(str, roots))}: run scripts/browser-setup.sh")


def gavel(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    if not GAVEL.exists():
        raise RuntimeError(f"{GAVEL} is missing: build it first (swift build --product gavel)")
    proc = subprocess.run([str(GAVEL), *args], cwd=ROOT, capture_output=True, text=True)
    if check and proc.returncode != 0:
        raise RuntimeError(f"gavel {' '.join(args)} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}")
    return proc


def build_site(output: Path, *, offline: bool, content: Path | None = None, templates: Path | None = None,
               now: str = BUILD_NOW) -> Path:
    args = ["build", "--output", str(output), "--now", now]
    if offline:
        args.append("--offline")
    args += ["--content", str(content or ROOT / "Content"), "--templates", str(templates or ROOT / "Templates")]
    gavel(*args)
    return output


def html_files(root: Path) -> list[Path]:
    return sorted(root.rglob("*.html"))


def evaluate(answers: dict, now: str = DEFAULT_CLOCK) -> dict:
    """The Swift engine's result for an answers document (the oracle for the page's statuses):
    {court id: {"readiness": ..., "steps": {step id: step result}}}."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(answers, f)
        path = f.name
    try:
        out = gavel("eval", "--facts", path, "--now", now, "--json").stdout
    finally:
        os.unlink(path)
    result = json.loads(out)
    return {c["id"]: {"readiness": c["readiness"], "steps": {s["id"]: s for s in c["steps"]}}
            for c in result["courts"]}


def share_fragment(answers: dict) -> str:
    raw = json.dumps(answers, separators=(",", ":")).encode()
    return "#answers=" + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_fragment(url: str) -> dict:
    fragment = urllib.parse.urlsplit(url).fragment
    assert fragment.startswith("answers="), f"no #answers= fragment in {url!r}"
    data = urllib.parse.unquote(fragment[len("answers="):])
    return json.loads(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))


def normalize_answers(doc: dict) -> dict:
    """An answers document without empty parts, with courts in a set: two documents that mean the
    same answers compare equal."""
    out = {"courts": sorted(doc.get("courts") or []),
           "answers": {k: v for k, v in (doc.get("answers") or {}).items() if v is not None}}
    court_answers = {}
    for court, facts in (doc.get("court_answers") or {}).items():
        facts = {k: v for k, v in (facts or {}).items() if v is not None}
        if facts:
            court_answers[court] = facts
    out["court_answers"] = court_answers
    return out


# --------------------------------------------------------------------------------------------
# A static server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class StaticServer:
    """`python3 -m http.server --bind 127.0.0.1` over one folder, on a free port."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.log = Path(tempfile.mkstemp(prefix="gavel-http-", suffix=".log")[1])

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    def url(self, path: str = "") -> str:
        return self.base + path.lstrip("/")

    def start(self) -> "StaticServer":
        log = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "http.server", str(self.port), "--bind", "127.0.0.1",
             "--directory", str(self.directory)],
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        log.close()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"http.server exited: {self.log.read_text()}")
            try:
                with urllib.request.urlopen(self.base, timeout=1) as r:
                    r.read()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("http.server did not start")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.unlink(missing_ok=True)

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None


# --------------------------------------------------------------------------------------------
# The browser


def clock_script(instant: str) -> str:
    """Replaces Date so that `new Date()` and `Date.now()` give a fixed instant while `new Date(x)`,
    `Date.UTC` and `Date.parse` behave as usual."""
    ms = int(_dt.datetime.fromisoformat(instant.replace("Z", "+00:00")).timestamp() * 1000)
    return """(() => {
  const RealDate = Date;
  const fixed = %d;
  function PinnedDate(...args) {
    if (!new.target) return new RealDate(fixed).toString();
    return Reflect.construct(RealDate, args.length ? args : [fixed], new.target);
  }
  PinnedDate.prototype = RealDate.prototype;
  PinnedDate.now = () => fixed;
  PinnedDate.parse = RealDate.parse;
  PinnedDate.UTC = RealDate.UTC;
  Object.defineProperty(PinnedDate, 'name', { value: 'Date' });
  globalThis.Date = PinnedDate;
})();""" % ms


class Browser:
    """One headless Chromium (a fresh profile) with a pinned clock, a download folder and a record of
    every URL it requested."""

    def __init__(self, *, clock: str = DEFAULT_CLOCK, javascript: bool = True, timezone: str | None = None):
        self.download_dir = Path(tempfile.mkdtemp(prefix="gavel-downloads-"))
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for arg in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                    "--window-size=1280,1000", "--lang=en-US", "--no-first-run", "--no-default-browser-check",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--disable-default-apps", "--disable-extensions", "--metrics-recording-only"]:
            opts.add_argument(arg)
        prefs = {"download.default_directory": str(self.download_dir), "download.prompt_for_download": False,
                 "download.directory_upgrade": True, "safebrowsing.enabled": False, "intl.accept_languages": "en-US"}
        if not javascript:
            opts.add_argument("--blink-settings=scriptEnabled=false")
            prefs["profile.managed_default_content_settings.javascript"] = 2
        opts.add_experimental_option("prefs", prefs)
        opts.set_capability("goog:loggingPrefs", {"performance": "ALL", "browser": "ALL"})
        opts.set_capability("unhandledPromptBehavior", "ignore")
        self.javascript = javascript
        self.driver = webdriver.Chrome(options=opts, service=Service(CHROMEDRIVER))
        self.driver.set_page_load_timeout(30)
        self.urls: list[str] = []
        self.console: list[dict] = []
        self._clock_id = None
        self.clock = clock
        self.driver.execute_cdp_cmd("Browser.setDownloadBehavior",
                                    {"behavior": "allow", "downloadPath": str(self.download_dir)})
        if timezone:
            self.driver.execute_cdp_cmd("Emulation.setTimezoneOverride", {"timezoneId": timezone})
        self.pin_clock(clock)

    # -- clock, logs

    def pin_clock(self, instant: str) -> None:
        """From the next page load on, `new Date()` is `instant`."""
        if self._clock_id is not None:
            self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": self._clock_id})
        self._clock_id = self.driver.execute_cdp_cmd(
            "Page.addScriptToEvaluateOnNewDocument", {"source": clock_script(instant)})["identifier"]
        self.clock = instant

    def drain_logs(self) -> None:
        try:
            entries = self.driver.get_log("performance")
        except WebDriverException:
            entries = []
        for entry in entries:
            msg = json.loads(entry["message"])["message"]
            if msg.get("method") == "Network.requestWillBeSent":
                self.urls.append(msg["params"]["request"]["url"])
            elif msg.get("method") == "Network.webSocketCreated":
                self.urls.append(msg["params"]["url"])
        try:
            self.console.extend(self.driver.get_log("browser"))
        except WebDriverException:
            pass

    def requested(self) -> list[str]:
        self.drain_logs()
        return list(self.urls)

    def foreign_requests(self, allowed_http_base: str | None) -> list[str]:
        """Requests to anything but the site: another host or port, or another scheme than file:."""
        bad = []
        for url in self.requested():
            scheme = urllib.parse.urlsplit(url).scheme
            if scheme in ("file", "data", "blob", "about"):
                continue
            if allowed_http_base and url.startswith(allowed_http_base):
                continue
            if scheme in ("http", "https", "ws", "wss") and urllib.parse.urlsplit(url).hostname == "127.0.0.1":
                # another local server of this test run (a dedicated one for the offline test)
                continue
            bad.append(url)
        return bad

    def script_errors(self) -> list[str]:
        self.drain_logs()
        return [e["message"] for e in self.console if e.get("level") == "SEVERE" and "Uncaught" in e.get("message", "")]

    def quit(self) -> None:
        with contextlib.suppress(Exception):
            self.driver.quit()
        shutil.rmtree(self.download_dir, ignore_errors=True)

    # -- navigation and waiting

    def get(self, url: str) -> None:
        self.driver.get(url)

    def wait(self, condition, timeout: float = 10, message: str = ""):
        try:
            return WebDriverWait(self.driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
                lambda d: condition())
        except TimeoutException:
            errors = self.script_errors()
            raise AssertionError((message or "timed out") + (f"\npage script errors: {errors}" if errors else "")) from None

    def js(self, script: str, *args):
        return self.driver.execute_script(script, *args)

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def accept_confirm(self, timeout: float = 5) -> str:
        def alert():
            try:
                return self.driver.switch_to.alert
            except NoAlertPresentException:
                return None
        box = self.wait(alert, timeout, "expected a confirm() dialog")
        text = box.text
        box.accept()
        return text

    def accept_confirm_if_any(self, timeout: float = 1.5) -> str | None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                box = self.driver.switch_to.alert
                text = box.text
                box.accept()
                return text
            except NoAlertPresentException:
                time.sleep(0.1)
        return None

    def downloaded(self, name: str, timeout: float = 10) -> Path:
        path = self.download_dir / name
        self.wait(lambda: path.exists() and not list(self.download_dir.glob("*.crdownload")), timeout,
                  f"{name} was not downloaded into {self.download_dir} (found {os.listdir(self.download_dir)})")
        return path

    # -- storage

    def local_storage(self) -> dict:
        return self.js("const o = {}; for (let i = 0; i < localStorage.length; i++) {"
                       " const k = localStorage.key(i); o[k] = localStorage.getItem(k); } return o;")

    def stored_answers(self) -> dict | None:
        """The answers document in localStorage (key gavel:<base path>:answers:v1), None if absent.
        Fails if anything else is stored."""
        store = self.local_storage()
        keys = [k for k in store if k.startswith("gavel:") and k.endswith(":answers:v1")]
        others = [k for k in store if k not in keys]
        assert not others, f"localStorage holds more than the answers: {others}"
        assert len(keys) <= 1, f"more than one answers key: {keys}"
        return json.loads(store[keys[0]]) if keys else None


# --------------------------------------------------------------------------------------------
# The checklist page as a person uses it


class ChecklistPage:
    def __init__(self, browser: Browser):
        self.b = browser

    # -- waiting for the page script

    def wait_ready(self, timeout: float = 10) -> None:
        """The page script has enhanced the page: on /checklist/ the court chooser is there, else
        every step has an engine status."""
        def ready():
            if self.b.find_all("#court-chooser"):
                return True
            steps = self.b.find_all("li.checklist-step")
            return bool(steps) and all(s.get_attribute("data-status") in STATUS_VALUES for s in steps)
        self.b.wait(ready, timeout, "the checklist page script did not run: no #court-chooser and steps still "
                                    "have data-status=\"unknown\"")

    # -- reading

    def steps(self, visible_only: bool = True) -> list[dict]:
        rows = self.b.js("""
          return [...document.querySelectorAll('li.checklist-step')].map(li => ({
            step: li.dataset.step, courts: (li.dataset.court || '').split(/\\s+/).filter(Boolean),
            status: li.dataset.status, overdue: li.dataset.overdue, hidden: li.hidden || li.closest('[hidden]') !== null,
            badge: (li.querySelector('.status') || {}).textContent || '' }));""")
        for r in rows:
            r["badge"] = " ".join(r["badge"].split())
        return [r for r in rows if not (visible_only and r["hidden"])]

    def status(self, step: str, court: str) -> str:
        return self.step(step, court)["status"]

    def step(self, step: str, court: str) -> dict:
        rows = [r for r in self.steps(visible_only=False) if r["step"] == step and court in r["courts"]]
        assert len(rows) == 1, f"expected one element for step {step} of {court}, found {len(rows)}"
        return rows[0]

    def status_map(self) -> dict:
        return {(r["step"], " ".join(r["courts"])): r["status"] for r in self.steps()}

    def readiness(self, court: str) -> dict:
        els = self.b.find_all(f'[data-readiness-court="{court}"]')
        assert els, f"no readiness summary [data-readiness-court=\"{court}\"]"
        visible = [e for e in els if e.is_displayed()] or els
        return {"readiness": visible[0].get_attribute("data-readiness"),
                "text": " ".join(visible[0].text.split()), "displayed": visible[0].is_displayed()}

    def controls(self, fact: str, court: str | None = None) -> list:
        css = f'[data-fact="{fact}"]' + (f'[data-court="{court}"]' if court else "")
        return [e for e in self.b.find_all(css) if e.tag_name in ("input", "select", "textarea")]

    def has_question(self, fact: str, court: str | None = None) -> bool:
        return any(self._visible_control(e) for e in self.controls(fact, court))

    def _visible_control(self, el) -> bool:
        """Shown to a person: not under [hidden], and laid out (itself or, for a styled radio or
        checkbox, its label)."""
        return self.b.js("""
          const el = arguments[0];
          if (el.closest('[hidden]')) return false;
          if (el.getClientRects().length) return true;
          return [...(el.labels || [])].some(l => l.getClientRects().length > 0);""", el)

    # -- acting through labels, like a person

    def label_of(self, el):
        label = self.b.js("return arguments[0].labels && arguments[0].labels.length ? arguments[0].labels[0] : null", el)
        assert label is not None, f"control {el.get_attribute('outerHTML')[:200]} has no <label>"
        return label

    def choose(self, fact: str, value: str, court: str | None = None) -> None:
        """Clicks the label of the radio button with that value."""
        def radio():
            for e in self.controls(fact, court):
                if e.get_attribute("type") == "radio" and e.get_attribute("value") == value and self._visible_control(e):
                    return e
            return None
        el = self.b.wait(radio, 5, f"no visible radio button for {fact}={value}" + (f" in {court}" if court else ""))
        self._click(self.label_of(el))
        self._wait_selected_or_replaced(el, f"clicking the label of {fact}={value} did not select it")

    def type_date(self, fact: str, iso: str, court: str | None = None) -> None:
        """Types a date into the <input type=date> as a person with an en-US keyboard does."""
        def field():
            for e in self.controls(fact, court):
                if e.get_attribute("type") == "date" and self._visible_control(e):
                    return e
            return None
        el = self.b.wait(field, 5, f"no visible date field for {fact}")
        y, m, d = iso.split("-")
        self.b.js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
        el.send_keys(m + d + y)  # focuses the first (month) segment, then types mm dd yyyy
        # Then leaves the field with Tab, real key presses (an element's send_keys("\t") stays in it,
        # and Chromium may stop once more inside the field, on its calendar button).
        for _ in range(3):
            if not self.b.js("const a = document.activeElement; return !!a && a.type === 'date' && a.dataset.fact === arguments[0]", fact):
                break
            ActionChains(self.b.driver).send_keys(Keys.TAB).perform()

        def recorded():
            doc = self.b.stored_answers() or {}
            facts = (doc.get("court_answers") or {}).get(court) if court else doc.get("answers")
            return (facts or {}).get(fact) == iso
        self.b.wait(recorded, 3, f"typing {m}/{d}/{y} into {fact} did not record {iso!r}: stored {self.b.stored_answers()}")

    def tick(self, step: str, court: str | None = None) -> None:
        css = f'input[type="checkbox"][data-tick="done.{step}"]' + (f'[data-court="{court}"]' if court else "")
        boxes = [e for e in self.b.find_all(css) if self._visible_control(e)]
        assert boxes, f"no visible 'I have done this' checkbox {css}"
        label = self.label_of(boxes[0])
        assert "I have done this" in label.text, f"tick label reads {label.text!r}"
        self._click(label)
        self._wait_selected_or_replaced(boxes[0], "ticking did not check the box")

    def choose_court(self, court: str) -> None:
        box = self.b.find(f'#court-chooser input[type="checkbox"][name="court"][value="{court}"]')
        if not box.is_selected():
            self._click(self.label_of(box))
            self.b.wait(lambda: box.is_selected(), 3, f"clicking the label of court {court} did not check it")

    def chosen_courts(self) -> list[str]:
        return [e.get_attribute("value") for e in self.b.find_all('#court-chooser input[name="court"]') if e.is_selected()]

    def import_file(self, path: Path) -> None:
        field = self.b.find("#import-answers")
        assert field.get_attribute("type") == "file", "#import-answers is not a file input"
        field.send_keys(str(path))

    def _wait_selected_or_replaced(self, el, message: str) -> None:
        """The control is checked, or the page re-rendered its form (an answered question may go)."""
        def done():
            try:
                return el.is_selected() or not self.b.js("return arguments[0].isConnected", el)
            except StaleElementReferenceException:
                return True
        self.b.wait(done, 3, message)

    def _click(self, el) -> None:
        self.b.js("arguments[0].scrollIntoView({block: 'center', behavior: 'instant'})", el)
        el.click()

    # -- comparing with the Swift engine

    def assert_matches_engine(self, answers: dict, chosen: list[str], now: str | None = None) -> dict:
        """Every visible step's data-status is the Swift engine's status for the first chosen court
        it belongs to, every readiness summary says the engine's readiness; returns the engine's result."""
        expected = evaluate(dict(answers, courts=chosen), now or self.b.clock)
        problems = []
        seen = set()
        for row in self.steps():
            courts = [c for c in chosen if c in row["courts"]]
            if not courts:
                problems.append(f"step {row['step']} for {row['courts']} is shown, but none of its courts is chosen")
                continue
            want = expected[courts[0]]["steps"][row["step"]]
            seen.update((row["step"], c) for c in courts)
            if row["status"] != want["status"]:
                problems.append(f"{row['step']} ({' '.join(courts)}): data-status={row['status']!r}, engine says {want['status']!r}")
            want_overdue = "true" if want["overdue"] else "false"
            if row["overdue"] != want_overdue:
                problems.append(f"{row['step']} ({' '.join(courts)}): data-overdue={row['overdue']!r}, engine says {want_overdue!r}")
        for court in chosen:
            for step in expected[court]["steps"]:
                if (step, court) not in seen:
                    problems.append(f"step {step} of chosen court {court} is not shown")
            got = self.readiness(court)["readiness"]
            if got != expected[court]["readiness"]:
                problems.append(f"readiness of {court}: {got!r}, engine says {expected[court]['readiness']!r}")
        assert not problems, "page disagrees with `gavel eval`:\n  " + "\n  ".join(problems)
        return expected
