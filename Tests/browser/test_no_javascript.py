"""With JavaScript off the checklist pages are complete static lists with every rule in English."""

from gavel_browser import ChecklistPage


def test_court_checklist_without_javascript(make_browser, server):
    browser = make_browser(javascript=False)
    browser.get(server.url("courts/wiwb/checklist/"))
    steps = browser.find_all("li.checklist-step")
    ids = [s.get_attribute("data-step") for s in steps]
    assert ids == ["individual-pacer-account", "upgrade-legacy-account", "know-cmecf-login", "link-accounts"], ids
    assert all(s.is_displayed() for s in steps), "a step is not displayed with JavaScript off"
    assert browser.js("return typeof globalThis.GAVEL_CHECKLISTS") == "undefined", "scripts ran: JavaScript is not off"
    assert all(s.get_attribute("data-status") == "unknown" for s in steps), "scripts ran: JavaScript is not off"
    text = {s.get_attribute("data-step"): " ".join(s.text.split()) for s in steps}
    assert "August 11, 2014" in text["upgrade-legacy-account"], text["upgrade-legacy-account"]
    assert "Upgraded" in text["upgrade-legacy-account"]
    assert "March 30, 2020" in text["link-accounts"] and "go-live" in text["link-accounts"], text["link-accounts"]
    assert "individual" in text["individual-pacer-account"]
    assert "tick" in text["link-accounts"].lower()
    # This court's own deadline on a step done once for every court, with its time as the court gave it.
    assert "Due by go-live, March 30, 2020, 8:00 a.m. CDT" in text["individual-pacer-account"], text["individual-pacer-account"]
    for s in steps:
        assert s.find_elements("css selector", "dl.rules dd, .rules dd"), f"{s.get_attribute('data-step')} has no rules"
    assert not browser.find("#checklist-app").is_displayed()


def test_all_courts_checklist_without_javascript(make_browser, server):
    browser = make_browser(javascript=False)
    browser.get(server.url("checklist/"))
    page = ChecklistPage(browser)
    rows = page.steps(visible_only=False)
    visible = [r for r in rows if not r["hidden"]]
    assert len(visible) == len(rows) and rows, "with JavaScript off every step of every court is shown"
    courts = {c for r in rows for c in r["courts"]}
    assert courts == {"wiwb", "ca10", "vtd", "pamb"}, courts
    assert all(s.is_displayed() for s in browser.find_all("li.checklist-step"))
