"""Fixtures of Gavel's browser tests (run by `make test` after scripts/browser-setup.sh).

- `site`: the example site built twice by .build/debug/gavel at BUILD_NOW, `--offline` into
  <tmp>/disk (browsed through file://) and for a server into <tmp>/http.
- `server`: `python3 -m http.server --bind 127.0.0.1` over <tmp>/http on a free port, for the session.
- `make_server(folder)`: a server of a test's own, which the test may stop (the offline test).
- `browser`: a headless Chromium (fresh profile) with `new Date()` pinned to DEFAULT_CLOCK, or to the
  instant of `@pytest.mark.clock("…")`, in the time zone Asia/Tokyo; `make_browser(...)` for more (a second profile, JavaScript off).
  On teardown every browser must have requested nothing but the site (127.0.0.1, file:) and raised no
  uncaught script error.
"""

from __future__ import annotations

import types

import pytest

from gavel_browser import (BUILD_NOW, DEFAULT_CLOCK, Browser, ChecklistPage, StaticServer, build_site)


def pytest_configure(config):
    config.addinivalue_line("markers", "clock(instant): pin the browser's clock to this ISO-8601 instant")


@pytest.fixture(scope="session")
def site(tmp_path_factory):
    root = tmp_path_factory.mktemp("site")
    disk = build_site(root / "disk", offline=True)
    http = build_site(root / "http", offline=False)
    return types.SimpleNamespace(root=root, disk=disk, http=http, now=BUILD_NOW)


@pytest.fixture(scope="session")
def server(site):
    srv = StaticServer(site.http).start()
    yield srv
    srv.stop()


@pytest.fixture
def make_server():
    servers = []

    def make(directory):
        srv = StaticServer(directory).start()
        servers.append(srv)
        return srv

    yield make
    for srv in servers:
        srv.stop()


@pytest.fixture
def make_browser(request):
    browsers: list[Browser] = []
    marker = request.node.get_closest_marker("clock")
    default_clock = marker.args[0] if marker else DEFAULT_CLOCK

    def make(**kwargs):
        kwargs.setdefault("clock", default_clock)
        # Far from every court's zone: dates and times must come out in the court's zone regardless.
        kwargs.setdefault("timezone", "Asia/Tokyo")
        b = Browser(**kwargs)
        browsers.append(b)
        return b

    yield make
    problems = []
    for b in browsers:
        try:
            foreign = b.foreign_requests(None)
            if foreign:
                problems.append("requests left the site: " + ", ".join(sorted(set(foreign))))
            errors = b.script_errors()
            if errors:
                problems.append("uncaught script errors: " + " | ".join(errors))
        finally:
            b.quit()
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)


@pytest.fixture
def browser(make_browser):
    return make_browser()


@pytest.fixture
def page(browser):
    """The checklist page helper over the default browser."""
    return ChecklistPage(browser)
