"""Client-side search over http: ?q= fills the field, results link to pages, the status speaks."""

from selenium.webdriver.common.keys import Keys


def test_search_with_a_query(browser, server):
    browser.get(server.url("search/?q=Central+Sign-On"))
    browser.wait(lambda: browser.find_all("#search-results a"), 5, "no result for Central Sign-On")
    assert browser.find("#search-q").get_attribute("value") == "Central Sign-On", "#search-q is not filled from ?q="
    links = [(a.text, a.get_attribute("href")) for a in browser.find_all("#search-results a")]
    assert any("Central Sign-On" in t and h == server.url("central-sign-on/") for t, h in links), links
    assert browser.find("#search-status").text.strip(), "#search-status says nothing"
    assert "Central Sign-On".lower() in browser.find("#search-results").text.lower()


def test_search_typed_and_nothing_found(browser, server):
    browser.get(server.url("search/"))
    field = browser.find("#search-q")
    field.send_keys("zzqxjv", Keys.ENTER)
    browser.wait(lambda: "zzqxjv" in browser.driver.current_url or browser.find("#search-status").text.strip(), 5,
                 "searching did nothing")
    browser.wait(lambda: browser.find("#search-status").text.strip(), 5, "no status for a search without results")
    assert not browser.find_all("#search-results a"), "a nonsense word found results"
    field = browser.find("#search-q")
    field.clear()
    field.send_keys("downtime", Keys.ENTER)
    browser.wait(lambda: any("/notices/filing-downtime/" in (a.get_attribute("href") or "")
                             for a in browser.find_all("#search-results a")), 5, "'downtime' did not find wiwb's downtime notice")
