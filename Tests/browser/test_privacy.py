"""Nothing leaves the site: every page, over http and from disk, with the checklist in use, requests
only the site itself (127.0.0.1 or file:), and nothing sets a cookie."""

import re

from gavel_browser import ChecklistPage, html_files
from test_accessibility import PAGES, prepare

RESOURCE = re.compile(r"""<(?:script|img|iframe|source|audio|video|embed|object)\b[^>]*\b(?:src|data)\s*=\s*["']([^"']+)"""
                      r"""|<link\b[^>]*\bhref\s*=\s*["']([^"']+)""", re.I)


def test_no_page_loads_anything_from_elsewhere(site):
    """No element of any built page fetches from another host (links out are fine: they are not loaded)."""
    offenders = []
    for build in (site.disk, site.http):
        for path in html_files(build):
            for m in RESOURCE.finditer(path.read_text()):
                url = m.group(1) or m.group(2)
                if re.match(r"^(https?:)?//", url) and not url.startswith("https://nextgen.example.gov/"):
                    offenders.append(f"{path.relative_to(site.root)}: {url}")
    assert not offenders, "\n".join(offenders)
    for asset in list((site.http / "assets").iterdir()) + list((site.http / "search").glob("*.js")) + \
            ([site.http / "sw.js"] if (site.http / "sw.js").exists() else []):
        text = asset.read_text(errors="replace")
        for word in ("sendBeacon", "XMLHttpRequest", "WebSocket", "document.cookie", "googletagmanager"):
            assert word not in text, f"{asset.name} uses {word}"


def test_every_page_over_http_stays_on_the_site(browser, server, tmp_path):
    for kind, path in PAGES.items():
        browser.get(server.url(path))
        prepare(kind, browser)
        assert browser.driver.get_cookies() == [], f"a cookie after loading /{path}"
    # The checklist in use (pacer.kind was answered on the all-courts page above): answers, export, share.
    browser.get(server.url("checklist/"))
    page = ChecklistPage(browser)
    page.wait_ready()
    page.choose_court("ca10")
    page.type_date("pacer.created", "2016-01-05")
    browser.wait(lambda: page.status("upgrade-legacy-account", "ca10") == "not-applicable", 5, "a 2016 account needs no upgrade")
    browser.find("#export-answers").click()
    browser.downloaded("gavel-answers.json")
    browser.find("#share-answers").click()
    browser.driver.refresh()
    browser.accept_confirm_if_any()
    page.wait_ready()
    assert browser.driver.get_cookies() == []
    urls = browser.requested()
    assert any(u.startswith(server.base) for u in urls), "no request was recorded: the log does not work"
    assert any("checklist" in u and u.endswith(".js") for u in urls), f"checklist scripts not among {urls}"
    foreign = browser.foreign_requests(server.base)
    assert not foreign, f"requests left the site: {foreign}"
    assert not [u for u in urls if u.startswith("http") and not u.startswith(server.base)], urls


def test_every_page_from_disk_stays_on_disk(browser, site):
    for kind, path in PAGES.items():
        if kind == "search":
            target = site.disk / "search" / "index.html"
            browser.get(target.as_uri() + "?q=Central%20Sign-On")
        else:
            target = site.disk / path if path.endswith(".html") else site.disk / path / "index.html"
            browser.get(target.as_uri())
        prepare(kind, browser)
    urls = browser.requested()
    assert urls and all(u.split(":", 1)[0] in ("file", "data", "blob", "about") for u in urls), \
        [u for u in urls if not u.startswith("file:")]


def test_the_request_log_sees_other_hosts(browser, tmp_path):
    """The check above can fail: a request to another address (127.0.0.2, nothing listens) is caught."""
    page = tmp_path / "leak.html"
    page.write_text('<!DOCTYPE html><html lang="en"><head><title>leak</title></head><body>'
                    '<img alt="" src="http://127.0.0.2:9/pixel.gif"></body></html>')
    browser.get(page.as_uri())
    browser.wait(lambda: any("127.0.0.2" in u for u in browser.requested()), 5, "the image request was not logged")
    assert browser.foreign_requests(None) == ["http://127.0.0.2:9/pixel.gif"]
    browser.urls.clear()  # not a finding of the site
