"""The checklist page used as a person would, over http: choosing courts, answering through the form,
statuses per the engine's rules (checked against `gavel eval`), persistence, export, forget, import,
refused imports and share links."""

import json
import re

import pytest

from gavel_browser import ChecklistPage, decode_fragment, normalize_answers, share_fragment

CHOSEN = ["wiwb", "vtd", "ca10"]
SHORT_NAMES = {"wiwb": "W.D. Wis. Bankruptcy Court", "vtd": "D. Vt.", "ca10": "Tenth Circuit", "pamb": "M.D. Pa. Bankruptcy Court"}
LEGACY = {"pacer.kind": "individual", "pacer.created": "2012-05-01", "pacer.upgraded": False}


def open_all_courts(browser, server, courts=CHOSEN):
    browser.get(server.url("checklist/"))
    page = ChecklistPage(browser)
    page.wait_ready()
    for court in courts:
        page.choose_court(court)
    return page


def answer_legacy_account(page):
    page.choose("pacer.kind", "individual")
    page.b.wait(lambda: page.status("individual-pacer-account", "wiwb") == "done", 5,
                "pacer.kind=individual did not make individual-pacer-account done")
    page.type_date("pacer.created", LEGACY["pacer.created"])
    page.b.wait(lambda: page.has_question("pacer.upgraded"), 5, "no question for pacer.upgraded after the date")
    page.choose("pacer.upgraded", "false")
    page.b.wait(lambda: page.status("upgrade-legacy-account", "wiwb") == "todo", 5,
                f"upgrade-legacy-account is {page.status('upgrade-legacy-account', 'wiwb')!r}, expected 'todo' "
                "for an individual account created 2012-05-01 and not upgraded")


def test_court_chooser_and_first_questions(browser, server):
    browser.get(server.url("checklist/"))
    page = ChecklistPage(browser)
    page.wait_ready()
    chooser = browser.find("#court-chooser")
    assert chooser.tag_name == "fieldset" and chooser.find_elements("css selector", "legend"), \
        "#court-chooser must be a fieldset with a legend"
    values = sorted(e.get_attribute("value") for e in browser.find_all('#court-chooser input[type="checkbox"][name="court"]'))
    assert values == sorted(SHORT_NAMES), f"court checkboxes: {values}"
    assert page.chosen_courts() == [], "a fresh profile has no court chosen"
    shown = page.steps()
    assert not shown, f"with no court chosen no step should be shown, shown: {[(s['step'], s['courts']) for s in shown]}"

    for court in CHOSEN:
        page.choose_court(court)
    browser.wait(lambda: all(page.readiness(c)["displayed"] for c in CHOSEN), 5, "no readiness summary for the chosen courts")
    assert not any(e.is_displayed() for e in browser.find_all('[data-readiness-court="pamb"]')), \
        "pamb is not chosen, yet its readiness is shown"
    assert all(s["hidden"] for s in page.steps(visible_only=False) if s["courts"] == ["pamb"]), \
        "steps of pamb (not chosen) must be hidden"

    # Nothing answered: the engine's statuses, and exactly the questions that decide a step.
    page.assert_matches_engine({}, CHOSEN)
    assert page.status("individual-pacer-account", "wiwb") == "needs-answers"
    assert page.status("read-court-notice", "vtd") == "todo"
    for court in CHOSEN:
        assert page.status("link-accounts", court) == "blocked", f"link-accounts in {court} waits for earlier steps"
        badge = page.step("link-accounts", court)["badge"]
        assert "Blocked" in badge, f"link-accounts badge in {court}: {badge!r}"
    for fact in ["pacer.kind", "pacer.created", "pacer.upgraded", "role"]:
        assert page.has_question(fact), f"no question for {fact}, which a step needs"
    for court in CHOSEN:
        assert page.has_question("cmecf.knows_login", court), f"no cmecf.knows_login question for {court}"
    assert page.has_question("cmecf.has_account", "vtd") and page.has_question("phv.approved", "vtd")
    assert not page.has_question("phv.approved", "wiwb"), "wiwb has no pro hac vice step: phv.approved must not be asked"
    assert not page.has_question("cmecf.knows_login", "pamb"), "pamb is not chosen: none of its questions"
    # Each question once: one pacer.kind radio group, one role group, one date field.
    assert len([e for e in page.controls("pacer.kind") if e.get_attribute("value") == "individual"]) == 1
    assert len([e for e in page.controls("role") if e.get_attribute("value") == "attorney"]) == 1
    assert len(page.controls("pacer.created")) == 1
    # Boolean questions are radio buttons in a fieldset whose legend is the question.
    radio = [e for e in page.controls("pacer.upgraded") if e.get_attribute("value") == "true"][0]
    assert radio.get_attribute("type") == "radio"
    legend = browser.js("const f = arguments[0].closest('fieldset'); return f && f.querySelector('legend') ? "
                        "f.querySelector('legend').textContent : null", radio)
    assert legend and "Manage My Account" in legend, f"legend of pacer.upgraded: {legend!r}"
    described = browser.js("const ids = (arguments[0].getAttribute('aria-describedby') || "
                           "(arguments[0].closest('fieldset') || arguments[0]).getAttribute('aria-describedby') || '').split(/\\s+/);"
                           "return ids.filter(Boolean).map(i => (document.getElementById(i) || {}).textContent || '').join(' ')", radio)
    assert "Upgraded" in (described or ""), f"pacer.upgraded's help is not its aria-describedby text: {described!r}"
    date = page.controls("pacer.created")[0]
    assert date.get_attribute("type") == "date" and page.label_of(date) is not None


def test_answering_through_the_form(browser, server):
    page = open_all_courts(browser, server)
    answer_legacy_account(page)
    answers = dict(LEGACY)
    page.assert_matches_engine({"answers": answers}, CHOSEN)
    for court in CHOSEN:
        # upgrade-legacy-account is to do, so linking waits for it whatever the clock says.
        assert page.status("link-accounts", court) == "blocked"
        assert page.readiness(court)["readiness"] == "action-needed"
    status = " ".join(browser.find("#checklist-status").text.split())
    assert any(SHORT_NAMES[c] in status for c in CHOSEN), f"#checklist-status does not announce a court: {status!r}"
    assert browser.find("#checklist-status").get_attribute("role") == "status" or \
        browser.find("#checklist-status").get_attribute("aria-live") == "polite"

    # The readiness summary: words, go-live in the court's zone, a countdown or "went live".
    wiwb = page.readiness("wiwb")["text"]
    assert "March 30, 2020" in wiwb and re.search(r"\bin \d+ days?\b", wiwb), f"wiwb readiness text: {wiwb!r}"
    assert re.search(r"action needed", wiwb, re.I), f"wiwb readiness text lacks its words: {wiwb!r}"
    vtd = page.readiness("vtd")["text"]
    assert "went live" in vtd and "March 9, 2020" in vtd, f"vtd readiness text: {vtd!r}"

    # Court-scoped answers and ticks, per court.
    page.choose("cmecf.knows_login", "true", court="wiwb")
    answers_court = {"wiwb": {"cmecf.knows_login": True}}
    browser.wait(lambda: page.status("know-cmecf-login", "wiwb") == "done", 5, "knows_login=true for wiwb did not mark it done")
    assert page.status("know-cmecf-login", "vtd") == "needs-answers", "an answer for wiwb must not count for vtd"
    page.tick("read-court-notice", court="vtd")
    answers_court["vtd"] = {"done.read-court-notice": True}
    browser.wait(lambda: page.status("read-court-notice", "vtd") == "done", 5, "ticking read-court-notice did not mark it done")
    assert page.status("read-court-notice", "ca10") == "todo", "a tick in vtd must not count for ca10"
    page.choose("cmecf.knows_login", "false", court="vtd")
    answers_court["vtd"]["cmecf.knows_login"] = False
    browser.wait(lambda: page.status("know-cmecf-login", "vtd") == "todo", 5, "knows_login=false in vtd: to do")
    # vtd went live on March 9: knowing the login was due then.
    vtd_login = page.step("know-cmecf-login", "vtd")
    assert vtd_login["overdue"] == "true" and "overdue" in vtd_login["badge"].lower(), f"vtd know-cmecf-login: {vtd_login}"
    page.choose("role", "attorney")
    answers["role"] = "attorney"
    page.choose("cmecf.has_account", "true", court="vtd")
    answers_court["vtd"]["cmecf.has_account"] = True
    browser.wait(lambda: page.status("filing-agent-access", "ca10") == "not-applicable", 5,
                 "role=attorney: filing-agent-access does not apply")
    doc = {"answers": answers, "court_answers": answers_court}
    page.assert_matches_engine(doc, CHOSEN)

    stored = browser.stored_answers()
    assert stored is not None, "answers were not stored in localStorage"
    assert normalize_answers(stored) == normalize_answers(dict(doc, courts=CHOSEN))
    assert browser.driver.get_cookies() == []

    # Reload: the courts and every answer are still there.
    before = page.status_map()
    browser.driver.refresh()
    page.wait_ready()
    browser.wait(lambda: sorted(page.chosen_courts()) == sorted(CHOSEN), 5, f"chosen courts after reload: {page.chosen_courts()}")
    browser.wait(lambda: page.status_map() == before, 5, "statuses changed after a reload")
    page.assert_matches_engine(doc, CHOSEN)


def test_export_forget_import(browser, server, tmp_path):
    page = open_all_courts(browser, server)
    answer_legacy_account(page)
    page.choose("cmecf.knows_login", "true", court="ca10")
    browser.wait(lambda: page.status("know-cmecf-login", "ca10") == "done", 5, "knows_login in ca10")
    doc = {"answers": dict(LEGACY), "court_answers": {"ca10": {"cmecf.knows_login": True}}}
    page.assert_matches_engine(doc, CHOSEN)
    before = page.status_map()
    stored = browser.stored_answers()

    # Export: gavel-answers.json is the stored answers document.
    browser.find("#export-answers").click()
    exported = browser.downloaded("gavel-answers.json")
    data = json.loads(exported.read_text())
    assert set(data) <= {"courts", "answers", "court_answers"}, f"exported keys: {sorted(data)}"
    assert normalize_answers(data) == normalize_answers(dict(doc, courts=CHOSEN)) == normalize_answers(stored)

    # Forget (after a confirm): storage and form are cleared.
    browser.find("#forget-answers").click()
    browser.accept_confirm()
    browser.wait(lambda: not (browser.stored_answers() or {}).get("answers"), 5, "forget did not clear the stored answers")
    browser.wait(lambda: not page.steps() or all(s["status"] != "done" for s in page.steps()), 5,
                 "steps still done after forgetting the answers")
    assert not any(e.is_selected() for e in page.controls("pacer.kind")), "the form still shows pacer.kind after forget"

    # Import the exported file: everything returns.
    page.import_file(exported)
    browser.wait(lambda: sorted(page.chosen_courts()) == sorted(CHOSEN), 5, f"courts after import: {page.chosen_courts()}")
    browser.wait(lambda: page.status_map() == before, 5, "statuses after importing the export differ from before")
    page.assert_matches_engine(doc, CHOSEN)
    assert normalize_answers(browser.stored_answers()) == normalize_answers(data)
    after_good_import = browser.find("#import-message").text

    # Refused files: the message says so and nothing changes.
    message = browser.find("#import-message")
    assert message.get_attribute("role") == "alert"
    refused = {
        "not-json.json": "this is not { JSON",
        "foreign.json": json.dumps({"courts": ["wiwb"], "answers": {"pacer.kind": "shared_firm"}, "settings": {"theme": "dark"}}),
        "array.json": json.dumps([{"courts": ["wiwb"]}]),
        "unknown-fact.json": json.dumps({"courts": ["wiwb"], "answers": {"pacer.kind": "none", "pacer.kidn": "individual"}}),
        "wrong-type.json": json.dumps({"courts": ["wiwb"], "answers": {"pacer.kind": "none", "pacer.created": True}}),
        "bad-choice.json": json.dumps({"courts": ["wiwb"], "answers": {"pacer.kind": "sometimes"}}),
    }
    for name, text in refused.items():
        path = tmp_path / name
        path.write_text(text)
        browser.js("arguments[0].textContent = ''", message)
        page.import_file(path)
        browser.wait(lambda: message.text.strip() != "", 5, f"importing {name} showed no message in #import-message")
        shown = message.text.strip()
        assert shown != after_good_import.strip(), f"importing {name} shows the success message {shown!r}"
        assert page.status_map() == before, f"importing {name} changed the statuses"
        assert normalize_answers(browser.stored_answers()) == normalize_answers(data), f"importing {name} changed the answers"
        assert sorted(page.chosen_courts()) == sorted(CHOSEN)
        print(f"{name}: {shown}")


def test_share_link_opens_in_a_fresh_profile(make_browser, server):
    first = make_browser()
    page = open_all_courts(first, server)
    answer_legacy_account(page)
    page.tick("read-court-notice", court="vtd")
    first.wait(lambda: page.status("read-court-notice", "vtd") == "done", 5, "tick read-court-notice in vtd")
    doc = {"answers": dict(LEGACY), "court_answers": {"vtd": {"done.read-court-notice": True}}}
    before = page.status_map()

    first.find("#share-answers").click()
    first.wait(lambda: "#answers=" in first.driver.current_url, 5, "#share-answers did not put #answers= in the URL")
    link = first.driver.current_url
    assert normalize_answers(decode_fragment(link)) == normalize_answers(dict(doc, courts=CHOSEN))
    shown = [a.get_attribute("href") for a in first.find_all("a[href*='#answers=']")] + \
            [e.get_attribute("value") for e in first.find_all("input") if "#answers=" in (e.get_attribute("value") or "")]
    assert link in shown, f"the share link is not shown on the page (shown: {shown})"

    second = make_browser()
    second.get(link)
    second.accept_confirm_if_any()
    other = ChecklistPage(second)
    other.wait_ready()
    second.wait(lambda: sorted(other.chosen_courts()) == sorted(CHOSEN), 5, f"courts from the link: {other.chosen_courts()}")
    second.wait(lambda: other.status_map() == before, 5, "the share link did not bring the same statuses")
    other.assert_matches_engine(doc, CHOSEN)
    second.wait(lambda: "#answers=" not in second.driver.current_url, 5, "the #answers= fragment stays in the URL")
    assert normalize_answers(second.stored_answers()) == normalize_answers(dict(doc, courts=CHOSEN))


@pytest.mark.parametrize("clock,status", [("2020-03-27T17:00:00Z", "not-yet"), ("2020-03-31T12:00:00Z", "todo")])
def test_linking_opens_at_go_live(make_browser, server, clock, status):
    """With PACER ready and the CM/ECF login known, linking waits for go-live: not yet before
    March 30, 2020, 8:00 a.m. CDT (13:00Z), to do after."""
    browser = make_browser(clock=clock)
    doc = {"courts": ["wiwb"], "answers": {"pacer.kind": "individual", "pacer.created": "2012-05-01", "pacer.upgraded": True},
           "court_answers": {"wiwb": {"cmecf.knows_login": True}}}
    browser.get(server.url("checklist/") + share_fragment(doc))
    browser.accept_confirm_if_any()
    page = ChecklistPage(browser)
    page.wait_ready()
    browser.wait(lambda: page.chosen_courts() == ["wiwb"], 5, f"courts from the link: {page.chosen_courts()}")
    browser.wait(lambda: page.status("link-accounts", "wiwb") == status, 5,
                 f"link-accounts at {clock} is {page.status('link-accounts', 'wiwb')!r}, expected {status!r}")
    page.assert_matches_engine(doc, ["wiwb"], clock)
    badge = page.step("link-accounts", "wiwb")["badge"]
    if status == "not-yet":
        assert "March 30, 2020" in badge and "8:00" in badge and "CDT" in badge, f"link-accounts badge: {badge!r}"
        # Steps one to three are done and step four waits for go-live: nothing to do yet.
        assert page.readiness("wiwb")["readiness"] == "ready"
    else:
        assert "To do" in badge, f"link-accounts badge: {badge!r}"
        assert "went live" in page.readiness("wiwb")["text"]


def test_court_checklist_page(browser, server):
    """The checklist of one court: no chooser, the court's steps and its readiness."""
    browser.get(server.url("courts/ca10/checklist/"))
    page = ChecklistPage(browser)
    page.wait_ready()
    assert not browser.find_all("#court-chooser")
    page.assert_matches_engine({}, ["ca10"])
    page.choose("pacer.kind", "shared_firm")
    browser.wait(lambda: page.status("individual-pacer-account", "ca10") == "todo", 5,
                 "a shared firm account: getting an individual one is to do")
    page.assert_matches_engine({"answers": {"pacer.kind": "shared_firm"}}, ["ca10"])
    readiness = page.readiness("ca10")
    assert readiness["readiness"] == "action-needed" and "September 14, 2020" in readiness["text"], readiness
