"""The checklist prints: a PDF comes out, and print media hides the navigation and the tools."""

import base64

from gavel_browser import ChecklistPage

NOT_RENDERED = """
  const el = document.querySelector(arguments[0]);
  if (!el) return null;
  for (let e = el; e; e = e.parentElement) if (getComputedStyle(e).display === 'none') return true;
  return false;"""


def test_checklist_prints(browser, server):
    browser.get(server.url("courts/wiwb/checklist/"))
    page = ChecklistPage(browser)
    page.wait_ready()
    page.choose("pacer.kind", "individual")
    browser.wait(lambda: page.status("individual-pacer-account", "wiwb") == "done", 5, "answer before printing")

    pdf = browser.driver.execute_cdp_cmd("Page.printToPDF", {"printBackground": False})
    data = base64.b64decode(pdf["data"])
    assert data.startswith(b"%PDF") and len(data) > 5000, f"printToPDF gave {len(data)} bytes"

    tools = ["#checklist-tools", "#export-answers", "#import-answers", "#share-answers", "#forget-answers"]
    for css in ["#checklist-tools", "#export-answers", "#share-answers", "#forget-answers"]:
        assert browser.js(NOT_RENDERED, css) is False, f"{css} is missing or hidden on screen"
    browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert browser.js("return getComputedStyle(document.querySelector('nav.site-nav')).display") == "none", \
            "the site navigation shows in print"
        for css in tools:
            assert browser.js(NOT_RENDERED, css) is True, f"{css} shows in print"
        assert browser.js(NOT_RENDERED, ".site-search") is True, "the search form shows in print"
        steps = browser.js("return [...document.querySelectorAll('li.checklist-step')]"
                           ".filter(li => li.getClientRects().length > 0).length")
        assert steps == 4, f"{steps} of wiwb's 4 steps print"
        status = browser.js("return getComputedStyle(document.querySelector("
                            "'li.checklist-step[data-step=\"individual-pacer-account\"] .status')).display")
        assert status != "none", "the status of a step does not print"
    finally:
        browser.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
