"""Offline after one visit: the service worker caches the site, a page reloads with the server gone,
and a rebuild with changed content changes the worker's version."""

import shutil
import urllib.request

import pytest

from gavel_browser import ROOT, ChecklistPage, build_site


def sw_first_line(build):
    sw = build / "sw.js"
    assert sw.exists(), f"no sw.js at the root of {build.name}/ (Templates/service-worker.js missing?)"
    return sw.read_text().splitlines()[0]


def test_checklist_works_offline_after_one_visit(browser, site, make_server, tmp_path):
    own = tmp_path / "http"
    shutil.copytree(site.http, own)
    srv = make_server(own)
    url = srv.url("courts/wiwb/checklist/")
    browser.get(url)
    page = ChecklistPage(browser)
    page.wait_ready()
    browser.driver.set_script_timeout(20)
    scope = browser.driver.execute_async_script("""
      const done = arguments[arguments.length - 1];
      if (!('serviceWorker' in navigator)) return done('no serviceWorker API');
      navigator.serviceWorker.ready.then(r => done(r.active ? r.scope : 'not active'), e => done('error: ' + e));""")
    assert scope == srv.base, f"service worker scope: {scope!r}"
    browser.driver.refresh()
    page.wait_ready()
    browser.wait(lambda: browser.js("return !!navigator.serviceWorker.controller"), 10,
                 "after one reload the page is not controlled by the service worker")

    srv.stop()
    with pytest.raises(OSError):
        urllib.request.urlopen(srv.base, timeout=2)
    browser.driver.refresh()
    page.wait_ready()
    assert "NextGen checklist" in browser.driver.title, f"offline reload shows {browser.driver.title!r}"
    assert len(page.steps()) == 4
    page.assert_matches_engine({}, ["wiwb"])
    page.choose("pacer.kind", "shared_firm")
    browser.wait(lambda: page.status("individual-pacer-account", "wiwb") == "todo", 5,
                 "offline, answering pacer.kind did not change the status")
    page.assert_matches_engine({"answers": {"pacer.kind": "shared_firm"}}, ["wiwb"])
    assert browser.driver.get_cookies() == []


def test_worker_version_follows_the_content(site, tmp_path):
    first = sw_first_line(site.http)
    assert first.startswith("self.GAVEL_BUILD = {") and '"version":' in first, first
    # From one snapshot of Content/ and Templates/, so that only the content edit below differs.
    content, templates = tmp_path / "Content", tmp_path / "Templates"
    shutil.copytree(ROOT / "Content", content)
    shutil.copytree(ROOT / "Templates", templates)
    once = build_site(tmp_path / "once", offline=False, content=content, templates=templates)
    again = build_site(tmp_path / "again", offline=False, content=content, templates=templates)
    assert sw_first_line(again) == sw_first_line(once), "the same content must give the same worker version"
    notice = content / "courts" / "wiwb" / "notices" / "nextgen-go-live.md"
    notice.write_text(notice.read_text() + "\nCorrection: the clerk's office closes at 4:00 p.m. on March 27.\n")
    changed = build_site(tmp_path / "changed", offline=False, content=content, templates=templates)
    assert sw_first_line(changed) != sw_first_line(once), \
        "changed content must change the worker version (sw.js's first line)"
