"""The offline build opened from disk (file://): the checklist and search work without a server."""

from gavel_browser import ChecklistPage


def file_url(path):
    return path.resolve().as_uri()


def test_court_checklist_from_disk(browser, site):
    browser.get(file_url(site.disk / "courts" / "wiwb" / "checklist" / "index.html"))
    page = ChecklistPage(browser)
    page.wait_ready()
    page.assert_matches_engine({}, ["wiwb"])
    browser.wait(lambda: page.has_question("pacer.kind"), 5, "no question for pacer.kind from disk")
    page.choose("pacer.kind", "individual")
    browser.wait(lambda: page.status("individual-pacer-account", "wiwb") == "done", 5,
                 "from disk, pacer.kind=individual did not mark individual-pacer-account done")
    page.type_date("pacer.created", "2012-05-01")
    page.choose("pacer.upgraded", "false")
    browser.wait(lambda: page.status("upgrade-legacy-account", "wiwb") == "todo", 5, "upgrade-legacy-account from disk")
    page.assert_matches_engine({"answers": {"pacer.kind": "individual", "pacer.created": "2012-05-01",
                                            "pacer.upgraded": False}}, ["wiwb"])
    # The step links of the offline build point at index.html files that exist.
    href = browser.find('li.checklist-step[data-step="link-accounts"] h3 a').get_attribute("href")
    assert href.startswith("file:") and href.endswith("/steps/link-accounts/index.html"), href


def test_all_courts_checklist_from_disk(browser, site):
    browser.get(file_url(site.disk / "checklist" / "index.html"))
    page = ChecklistPage(browser)
    page.wait_ready()
    page.choose_court("pamb")
    page.choose_court("vtd")
    browser.wait(lambda: page.steps(), 5, "no step shown after choosing courts from disk")
    page.assert_matches_engine({}, ["pamb", "vtd"])


def test_search_from_disk(browser, site):
    browser.get(file_url(site.disk / "search" / "index.html") + "?q=Central%20Sign-On")
    browser.wait(lambda: browser.find_all("#search-results a"), 5, "search from disk found nothing for Central Sign-On")
    links = [(a.text, a.get_attribute("href")) for a in browser.find_all("#search-results a")]
    hits = [href for text, href in links if "Central Sign-On" in text]
    assert hits, f"no result titled Central Sign-On: {links}"
    assert any(h.endswith("/central-sign-on/index.html") for h in hits), f"from disk, links must end in index.html: {hits}"
    assert browser.find("#search-status").text.strip(), "#search-status says nothing"
    target = next(a for a in browser.find_all("#search-results a") if a.get_attribute("href").endswith("/central-sign-on/index.html"))
    target.click()
    browser.wait(lambda: "Central Sign-On" in browser.driver.title, 5, f"the result did not open: {browser.driver.title!r}")
