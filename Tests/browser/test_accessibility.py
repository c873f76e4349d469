"""axe-core (WCAG 2.0/2.1 A and AA rules) finds no violation on any kind of page, checklist pages
as the script leaves them, with questions shown."""

import pytest

from gavel_browser import AXE_TAGS, ChecklistPage, site_packages_file

PAGES = {
    "home": "",
    "court": "courts/wiwb/",
    "notice": "courts/wiwb/notices/nextgen-go-live/",
    "archived-notice": "courts/vtd/notices/training-webinar/",
    "page": "about-nextgen/",
    "step": "courts/wiwb/steps/upgrade-legacy-account/",
    "checklist-wiwb": "courts/wiwb/checklist/",
    "checklist-ca10": "courts/ca10/checklist/",
    "checklist-vtd": "courts/vtd/checklist/",
    "checklist-pamb": "courts/pamb/checklist/",
    "checklist-all-courts": "checklist/",
    "search": "search/?q=Central+Sign-On",
    "404": "404.html",
}

_AXE_SOURCE = None


def run_axe(browser):
    global _AXE_SOURCE
    if _AXE_SOURCE is None:
        _AXE_SOURCE = site_packages_file("axe.min.js").read_text()
    d = browser.driver
    d.set_script_timeout(60)
    d.execute_script(_AXE_SOURCE)
    return d.execute_async_script("""
      const done = arguments[arguments.length - 1];
      axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
        .then(r => done({violations: r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                          nodes: v.nodes.map(n => ({target: n.target, html: n.html, summary: n.failureSummary}))})),
                         passes: r.passes.length, version: axe.version}))
        .catch(e => done({error: String(e)}));""", AXE_TAGS)


def format_violations(violations):
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']}")
        for n in v["nodes"][:8]:
            lines.append(f"    {' '.join(map(str, n['target']))}: {n['html'][:160]}")
            lines.append("      " + (n["summary"] or "").replace("\n", "\n      "))
    return "\n".join(lines)


def prepare(kind, browser):
    page = ChecklistPage(browser)
    if kind.startswith("checklist-") and kind != "checklist-all-courts":
        page.wait_ready()
        court = kind.split("-", 1)[1]
        browser.wait(lambda: page.has_question("pacer.kind"), 5, f"no question shown on {court}'s checklist")
    elif kind == "checklist-all-courts":
        page.wait_ready()
        page.choose_court("wiwb")
        page.choose_court("vtd")
        page.choose("pacer.kind", "individual")
        browser.wait(lambda: page.status("individual-pacer-account", "wiwb") == "done", 5,
                     "answering pacer.kind=individual did not mark individual-pacer-account done")
    elif kind == "search":
        browser.wait(lambda: browser.find_all("#search-results a"), 5, "search for Central Sign-On shows no result")


@pytest.mark.parametrize("kind", list(PAGES))
def test_axe_finds_no_wcag_violation(kind, server, browser):
    browser.get(server.url(PAGES[kind]))
    prepare(kind, browser)
    result = run_axe(browser)
    assert "error" not in result, result.get("error")
    assert result["passes"] > 0, "axe ran no rule"
    report = format_violations(result["violations"])
    if report:
        print(f"axe {result['version']} on /{PAGES[kind]}:\n{report}")
    assert not result["violations"], f"axe found {len(result['violations'])} violation(s) on /{PAGES[kind]}:\n{report}"


def test_axe_finds_violations_it_should(browser, tmp_path):
    """axe really runs the WCAG rules: a page with an unlabelled field and an image without text fails."""
    bad = tmp_path / "bad.html"
    bad.write_text('<!DOCTYPE html><html lang="en"><head><title>bad</title></head><body><main>'
                   '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw="><input type="text"></main></body></html>')
    browser.get(bad.as_uri())
    ids = {v["id"] for v in run_axe(browser)["violations"]}
    assert {"image-alt", "label"} <= ids, ids
