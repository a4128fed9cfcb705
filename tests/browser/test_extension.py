"""The extension in real Chromium against the real server: underlines, cards, keyboard, later content, turning off."""

import http.client
import json
import time
from pathlib import Path

import pytest

from harness import EXTENSION_ID, _attrs, _find, card_center, free_port, get_json, read_card, wait_for, wait_js

pytestmark = pytest.mark.browser

SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "screenshot-card.png"
# The headline is not underlined: each name's first mention in the body text is.
ARTICLE_MARKS = ["Deep", "Seek", "President Xi ", "Jinping", "technological self-reliance", "high-end chips", "Bureau of Industry",
                 " and Security", "Entity List", "US export controls", "Nvidia", "H20", "Huawei", "SMIC", "TSMC",
                 "Politburo"]


def marks(page, selector="cc-mark"):
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def open_with_marks(page, url, count=1):
    page.goto(url)
    wait_js(page, f"() => document.querySelectorAll('cc-mark').length >= {count}", timeout=20)
    return page


def mark_handle(page, text):
    return page.locator("cc-mark", has_text=text).first


def card_is(page, title=None, is_open=True):
    def check():
        card = read_card(page)
        if not card or card["open"] != is_open:
            return None
        return card if title is None or card["title"] == title else None
    return check


def test_article_underlines_first_mentions_across_inline_markup(page, pages, extension):
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    wait_for(lambda: extension.badge() == "13", message="badge with the card count")
    assert marks(page) == ARTICLE_MARKS
    # The banner, navigation and footer name Nvidia, TSMC, Huawei, DeepSeek and the Politburo: never underlined.
    assert marks(page, "header.site cc-mark, nav cc-mark, footer cc-mark") == []
    # No layout shift: none reported, and every paragraph and heading is exactly as tall as before.
    probe = page.evaluate("() => ({ shifts: __probe.shifts, before: __probe.heights, "
                          "after: [...document.querySelectorAll('p, li, h1, h2')].map(e => e.getBoundingClientRect().height) })")
    assert probe["shifts"] == []
    assert probe["after"] == probe["before"]


def test_hover_opens_the_right_card_which_stays_while_pointed_at(page, pages, extension):
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    mark_handle(page, "Entity List").hover()
    time.sleep(0.15)
    assert not (read_card(page) or {}).get("open"), "the card waits for the dwell time"
    card = wait_for(card_is(page, "Entity List"), timeout=3, message="the Entity List card")
    assert card["shadow_type"] == "closed" and card["role"] == "dialog" and not card["aria_hidden"]
    assert card["kind"] == "Law or regulation"
    assert card["summary"].startswith("US trade restriction list")
    assert card["links"] == ["https://en.wikipedia.org/wiki/Entity_List"]
    # The page's own scripts can neither open the shadow root nor find the card's text.
    assert page.evaluate("() => document.querySelector('cc-card-host').shadowRoot") is None
    assert "US trade restriction list" not in page.evaluate("() => document.documentElement.innerText")

    x, y = card_center(page)
    page.mouse.move(x, y, steps=5)
    time.sleep(0.8)
    assert read_card(page)["open"], "stays open while the pointer is on it"
    page.mouse.move(5, 790, steps=2)
    time.sleep(0.1)
    assert read_card(page)["open"], "does not close at once"
    wait_for(card_is(page, is_open=False), timeout=2, message="the card to close after leaving")


def test_escape_closes_the_card(page, pages, extension):
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    mark_handle(page, "Bureau of Industry").hover()
    card = wait_for(card_is(page, "Bureau of Industry and Security"), timeout=3, message="the BIS card")
    assert card["scheme"] == "light"
    page.keyboard.press("Escape")
    wait_for(card_is(page, is_open=False), timeout=1, message="Escape to close the card")


def test_keyboard_shortcut_moves_focus_and_focus_opens_the_card(page, pages, extension):
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    assert page.evaluate("() => [...document.querySelectorAll('cc-mark')].every(m => m.tabIndex === -1)")
    # Tab follows the page's own order: links, never the underlines.
    for _ in range(6):
        page.keyboard.press("Tab")
        assert page.evaluate("() => document.activeElement.localName") != "cc-mark"
    page.evaluate("() => document.activeElement.blur()")

    active = "() => document.activeElement.localName === 'cc-mark' ? document.activeElement.textContent : null"
    page.keyboard.press("Alt+Shift+K")
    assert page.evaluate(active) == "Deep"
    wait_for(card_is(page, "DeepSeek"), timeout=1, message="focus to open the card")
    page.keyboard.press("Alt+Shift+K")
    assert page.evaluate(active) == "President Xi "
    wait_for(card_is(page, "Xi Jinping"), timeout=1, message="the Xi Jinping card")
    page.keyboard.press("Alt+Shift+J")
    assert page.evaluate(active) == "Deep"
    wait_for(card_is(page, "DeepSeek"), timeout=1, message="the previous card")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.localName") == "cc-card-host", "Enter moves into the card"
    page.keyboard.press("Escape")
    wait_for(card_is(page, is_open=False), timeout=1, message="Escape to close")
    assert page.evaluate(active) == "Deep", "focus returns to the mention"


def test_pending_card_is_shown_pending_and_asked_for_again(page, pages, extension, proxy):
    slow = proxy(pending={"nvidia-h20"}, pending_delay=1.0)
    extension.update(serverUrl=slow.url)
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    mark_handle(page, "H20").hover()
    pending = wait_for(card_is(page, "Nvidia H20"), timeout=3, message="the pending card")
    assert pending["status"] == "Looking this up…" and pending["summary"] is None
    ready = wait_for(lambda: (c := read_card(page)) and c["summary"] and c, timeout=6, message="the card to be ready")
    assert ready["summary"].startswith("Data-centre GPU")
    assert ready["status"] is None
    assert slow.card_requests.count("nvidia-h20") >= 2


def test_paragraphs_added_later_are_sent_alone(page, pages, extension, proxy):
    recorder = proxy()
    extension.update(serverUrl=recorder.url)
    page.goto(f"{pages}/dynamic.html")
    wait_js(page, "() => document.querySelectorAll('#later3 cc-mark').length >= 2", timeout=20)
    assert marks(page, "#first cc-mark") == ["Bureau of Industry and Security", "export controls"]
    assert marks(page, "#later1 cc-mark") == ["Nvidia", "H20"]
    assert marks(page, "#later2 cc-mark") == ["Huawei"]
    assert marks(page, "#later3 cc-mark") == ["TSMC", "DeepSeek"]
    sent = [[block["text"] for block in body["blocks"]] for body in recorder.annotate_bodies]
    assert sent[0] == ["Live: chip export rules", "The Bureau of Industry and Security published new export controls this morning."]
    later = [text for batch in sent[1:] for text in batch]
    assert sorted(later) == sorted([
        "Update: Nvidia said the H20 would need a licence under the new rules.",
        "Huawei declined to comment on its Ascend plans.",
        "Later still: TSMC said its Chinese orders were falling, and DeepSeek released a new model.",
    ])


def test_forms_code_and_editable_areas_are_left_alone(page, pages, extension):
    open_with_marks(page, f"{pages}/forms.html", 4)
    time.sleep(0.5)
    assert marks(page, "h1 cc-mark") == []
    assert marks(page, "#prose cc-mark") == ["Bureau of Industry and Security", "Entity List", "Huawei", "SMIC"]
    assert marks(page, "#after cc-mark") == ["Nvidia", "export controls"]
    assert marks(page, "pre cc-mark, code cc-mark, kbd cc-mark, samp cc-mark, form cc-mark, #editor cc-mark") == []
    assert page.input_value("#q") == "DeepSeek and Nvidia"
    page.fill("#notes", "Typed: Huawei")
    page.click("#editor p")
    page.keyboard.press("End")
    page.keyboard.type(" more")
    assert page.input_value("#notes") == "Typed: Huawei"
    assert page.evaluate("() => document.querySelector('#editor').textContent").endswith("editable area. more")


def test_page_with_strict_trusted_types(page, pages, extension):
    open_with_marks(page, f"{pages}/trusted-types.html", 5)
    assert marks(page) == ["Nvidia", "H20", "US export controls", "Bureau of Industry and Security", "Entity List",
                           "Xi Jinping", "self-reliance"]
    mark_handle(page, "Entity List").hover()
    wait_for(card_is(page, "Entity List"), timeout=3, message="a card on a Trusted Types page")
    assert page.evaluate("() => window.__rawStringAccepted") is False, "the policy is enforced"
    violations = page.evaluate("() => __probe.violations")
    assert all("trusted-types.js" in v for v in violations), violations


def test_turning_off_for_the_site_restores_the_page_exactly(page, pages, extension):
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    mark_handle(page, "Huawei").hover()
    wait_for(card_is(page, "Huawei"), timeout=3, message="an open card")
    extension.update(siteRules={"127.0.0.1": "never"})
    wait_js(page, "() => !document.querySelector('cc-mark') && !document.querySelector('cc-card-host')", timeout=5)
    assert page.evaluate("() => document.body.innerHTML === __probe.html")
    assert page.evaluate("() => __probe.sameNodes()"), "the page's own text nodes are back"
    wait_for(lambda: extension.badge() == "off", message="the 'off' badge")
    extension.update(siteRules={})
    wait_js(page, f"() => document.querySelectorAll('cc-mark').length === {len(ARTICLE_MARKS)}", timeout=10)


def test_server_not_running_leaves_the_page_alone_and_says_so(page, pages, extension):
    extension.update(serverUrl=f"http://127.0.0.1:{free_port()}")
    page.goto(f"{pages}/article.html")
    wait_for(lambda: extension.badge() == "!", message="the '!' badge")
    assert page.evaluate("() => document.body.innerHTML === __probe.html")


def test_pairing_from_the_options_page_then_the_page_is_annotated(page, pages, extension, cc_server):
    extension.configure(serverUrl=cc_server.url)
    page.goto(f"{pages}/article.html")
    wait_for(lambda: extension.badge() == "!", message="the '!' badge while not paired")
    assert marks(page) == []
    options = extension.context.new_page()
    options.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
    wait_js(options, "() => !document.getElementById('pair-code').disabled", timeout=5)
    options.fill("#pair-code", "WRONG-CODE")
    options.click("#pair")
    wait_js(options, "() => document.getElementById('pair-result').textContent.includes('wrong')", timeout=5)
    options.fill("#pair-code", cc_server.pairing_code())
    options.click("#pair")
    wait_js(options, "() => document.getElementById('pair-result').textContent === 'Paired.'", timeout=5)
    assert extension.stored()["token"] == cc_server.token
    # The article tab was told the settings changed and tries again with the token.
    wait_js(page, f"() => document.querySelectorAll('cc-mark').length === {len(ARTICLE_MARKS)}", timeout=10)


def test_options_page_saves_settings_and_refuses_remote_servers(page, extension):
    page.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
    page.fill("#server-url", "https://example.com:8731")
    page.click("#save")
    wait_js(page, "() => document.getElementById('saved').textContent.includes('not a local server address')")
    url = extension.stored()["serverUrl"]
    page.fill("#server-url", url)
    page.fill("#dwell", "650")
    page.check("input[name=mentions][value=all]")
    page.click("#save")
    wait_js(page, "() => document.getElementById('saved').textContent === 'Saved.'")
    stored = extension.stored()
    assert (stored["dwellMs"], stored["mentions"]) == (650, "all")
    assert "mutedTerms" not in stored, "mutes are the server's: the extension keeps no list of its own"


def test_popup_shows_the_server_and_offers_pairing_until_paired(page, extension, cc_server):
    extension.configure(serverUrl=cc_server.url)
    # Opened as a tab it is its own active tab: a page where Context Cards does not run.
    page.goto(f"chrome-extension://{EXTENSION_ID}/popup/popup.html")
    wait_js(page, "() => document.getElementById('server-status').textContent.startsWith('running')")
    assert page.inner_text("#site-note") == "Context Cards does not run on this page."
    assert page.is_disabled("#site-on")
    wait_js(page, "() => !document.getElementById('pair-form').hidden", message="the pairing field")
    page.fill("#pair-code", cc_server.pairing_code())
    page.click("#pair-form button")
    wait_js(page, "() => document.getElementById('pair-form').hidden", message="pairing to finish")
    assert extension.stored()["token"] == cc_server.token


def test_demo_page_runs_the_same_code_without_the_extension(page, extension, cc_server):
    page.goto(f"{cc_server.url}/demo")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 5", timeout=20)
    # The extension leaves the server's own page to the page's copy of the script: nothing is wrapped twice.
    assert page.evaluate("() => document.querySelectorAll('cc-mark cc-mark').length") == 0
    assert page.evaluate("() => document.querySelectorAll('cc-card-host').length") <= 1
    mark_handle(page, "DeepSeek").hover()
    wait_for(card_is(page, "DeepSeek"), timeout=3, message="a card on the demo page")
    assert "cards on this page" in page.inner_text("#demo-status")
    # The README's picture: the demo article with the Bureau of Industry and Security card open.
    mark = mark_handle(page, "Bureau of Industry and Security")
    mark.scroll_into_view_if_needed()
    page.mouse.move(0, 0)
    mark.hover()
    wait_for(card_is(page, "Bureau of Industry and Security"), timeout=3, message="the BIS card")
    time.sleep(0.4)  # past the fade-in
    box = mark.bounding_box()
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), clip={"x": max(0, box["x"] - 260), "y": max(0, box["y"] - 90), "width": 760, "height": 330})
    page.uncheck("#demo-enabled")
    wait_js(page, "() => !document.querySelector('cc-mark')", timeout=3)


def test_long_page_is_underlined_without_long_main_thread_tasks(page, pages, extension):
    open_with_marks(page, f"{pages}/long.html", 10)
    time.sleep(3)
    tasks = page.evaluate("""() => {
        const dcl = performance.getEntriesByType('navigation')[0].domContentLoadedEventStart;
        return __probe.longTasks.filter(t => t.start >= dcl).map(t => t.duration);
    }""")
    # The benchmark reports the exact figure against its 50 ms target; here a margin keeps slow CI machines green.
    assert max(tasks, default=0) < 120, tasks


def _card_button_center(page, action):
    """The middle of one of the open card's buttons (data-action), found through the closed shadow root."""
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        host = _find(document, lambda n: n.get("localName") == "cc-card-host")
        button = _find(host["shadowRoots"][0], lambda n: _attrs(n).get("data-action") == action)
        assert button, f"no {action} button in the card"
        quad = cdp.send("DOM.getBoxModel", {"nodeId": button["nodeId"]})["model"]["border"]
    finally:
        cdp.detach()
    return (quad[0] + quad[4]) / 2, (quad[1] + quad[5]) / 2


def _feedback(server, body):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", "/v1/feedback", body=json.dumps(body),
                       headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    response.read()
    connection.close()
    assert response.status == 200


def test_mute_from_the_card_removes_its_underline_now_and_on_the_next_visit(page, pages, extension, cc_server):
    open_with_marks(page, f"{pages}/article.html", len(ARTICLE_MARKS))
    wait_for(lambda: extension.badge() == "13", message="badge with the card count")
    mark_handle(page, "Politburo").hover()
    card = wait_for(card_is(page), timeout=3, message="the Politburo card")
    assert "Politburo" in card["title"]
    card_id = card["card_id"]
    assert "Not this" in card["text"] and "Mute" in card["text"]
    try:
        x, y = _card_button_center(page, "more")
        page.mouse.move(x, y, steps=5)
        page.mouse.click(x, y)
        x, y = _card_button_center(page, "mute")
        page.mouse.move(x, y, steps=5)
        page.mouse.click(x, y)
        wait_for(lambda: "Politburo" not in marks(page), timeout=5, message="the Politburo underline to go")
        wait_for(card_is(page, is_open=False), timeout=2, message="the card to close")
        assert marks(page) == [m for m in ARTICLE_MARKS if m != "Politburo"]
        wait_for(lambda: extension.badge() == "12", message="the badge to count one card fewer")
        status, settings = get_json(cc_server.port, "/v1/settings", cc_server.token)
        assert status == 200
        assert [m["card"] for m in settings["muted"]] == [card_id]

        page.reload()
        wait_js(page, f"() => document.querySelectorAll('cc-mark').length >= {len(ARTICLE_MARKS) - 1}", timeout=20)
        time.sleep(0.5)
        assert marks(page) == [m for m in ARTICLE_MARKS if m != "Politburo"], "a muted card is not underlined again"
    finally:
        _feedback(cc_server, {"card": card_id, "action": "unmute"})
