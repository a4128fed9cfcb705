"""Finding 5 of issue 14: Mute and "Not this" show a notice with Undo; the options page lists and removes every mute,
correction and site rule; the server is their one owner."""

import http.client
import json

import pytest

from harness import EXTENSION_ID, _attrs, _find, get_json, read_card, wait_for, wait_js

pytestmark = pytest.mark.browser


def marks(page):
    return page.eval_on_selector_all("cc-mark", "els => els.map(e => e.textContent)")


def shadow_center(page, predicate):
    """The middle of an element in the card's closed shadow root, for a real mouse click."""
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
        host = _find(document, lambda n: n.get("localName") == "cc-card-host")
        node = _find(host["shadowRoots"][0], predicate) if host else None
        if not node:
            return None
        quad = cdp.send("DOM.getBoxModel", {"nodeId": node["nodeId"]})["model"]["border"]
    except Exception:
        return None
    finally:
        cdp.detach()
    return (quad[0] + quad[4]) / 2, (quad[1] + quad[5]) / 2


def click_action(page, action):
    x, y = wait_for(lambda: shadow_center(page, lambda n: _attrs(n).get("data-action") == action), timeout=3,
                    message=f"the {action} button")
    page.mouse.move(x, y, steps=4)
    page.mouse.click(x, y)


def notice_text(page):
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        cdp.detach()
    host = _find(document, lambda n: n.get("localName") == "cc-card-host")
    notice = host and _find(host["shadowRoots"][0], lambda n: "notice" in _attrs(n).get("class", "").split())
    if not notice:
        return None
    return "".join(c.get("nodeValue", "") for n in notice.get("children", []) for c in [n, *n.get("children", [])])


def post(server, path, body):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("POST", path, body=json.dumps(body),
                       headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    answer = json.loads(response.read())
    connection.close()
    assert response.status == 200, answer
    return answer


def open_card(page, text):
    page.locator("cc-mark", has_text=text).first.hover()
    return wait_for(lambda: (c := read_card(page)) and c["open"] and c, timeout=3, message=f"the card of {text}")


@pytest.mark.parametrize("action,server_key", [("mute", "muted"), ("not-this", "corrections")])
def test_mute_and_not_this_show_a_notice_whose_undo_puts_everything_back(page, pages, extension, cc_server, action, server_key):
    page.goto(f"{pages}/article.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 16", timeout=20)
    before = marks(page)
    card = open_card(page, "Politburo")
    try:
        click_action(page, "more")
        click_action(page, action)
        wait_for(lambda: "Politburo" not in marks(page), timeout=5, message="the underline to go")
        shown = wait_for(lambda: notice_text(page), timeout=3, message="the notice")
        assert "Politburo" in shown and "Undo" in shown
        assert get_json(cc_server.port, "/v1/settings", cc_server.token)[1][server_key], "the server has it"
        click_action(page, "undo")
        wait_for(lambda: marks(page) == before, timeout=10, message="the underlines to come back")
        assert get_json(cc_server.port, "/v1/settings", cc_server.token)[1][server_key] == [], "the server forgot it"
        wait_for(lambda: notice_text(page) is None, timeout=3, message="the notice to go")
    finally:
        post(cc_server, "/v1/feedback", {"card": card["card_id"], "action": "unmute"})
        post(cc_server, "/v1/feedback", {"card": card["card_id"], "action": "uncorrect", "term": "Politburo", "site": "127.0.0.1"})


def test_the_notice_goes_by_itself(page, pages, extension, cc_server):
    page.goto(f"{pages}/article.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 16", timeout=20)
    card = open_card(page, "SMIC")
    try:
        click_action(page, "more")
        click_action(page, "mute")
        wait_for(lambda: notice_text(page), timeout=3, message="the notice")
        page.mouse.move(5, 5)
        wait_for(lambda: notice_text(page) is None, timeout=20, message="the notice to leave after a few seconds")
        assert "SMIC" not in marks(page)
    finally:
        post(cc_server, "/v1/feedback", {"card": card["card_id"], "action": "unmute"})


def test_the_options_page_lists_mutes_corrections_and_site_rules_from_the_server_and_removes_each(page, extension, cc_server):
    post(cc_server, "/v1/feedback", {"card": "huawei", "action": "mute", "term": "Huawei"})
    post(cc_server, "/v1/feedback", {"card": "deepseek", "action": "correct", "to": None, "term": "DeepSeek", "site": "example.com"})
    post(cc_server, "/v1/settings", {"site_rules": {"news.example.org": "never"}})
    try:
        page.goto(f"chrome-extension://{EXTENSION_ID}/options/options.html")
        wait_js(page, "() => document.querySelectorAll('#muted-list li, #corrections-list li, #rules tr').length === 3")
        assert "Huawei" in page.inner_text("#muted-list")
        assert "“DeepSeek” links to no card on example.com" in page.inner_text("#corrections-list")
        assert "news.example.org" in page.inner_text("#rules")
        wait_for(lambda: extension.stored().get("siteRules") == {"news.example.org": "never"}, message="the cache to follow")

        page.fill("#new-host", "https://www.Example.net/a")
        page.select_option("#new-rule", "always")
        page.click("#add-rule")
        wait_js(page, "() => document.querySelectorAll('#rules tr').length === 2")
        assert get_json(cc_server.port, "/v1/settings", cc_server.token)[1]["site_rules"] == {
            "news.example.org": "never", "example.net": "always"}

        for label in ["Unmute Huawei", "Remove the correction for DeepSeek", "Remove the rule for news.example.org",
                      "Remove the rule for example.net"]:
            page.get_by_role("button", name=label).click()
            wait_js(page, f"() => !document.querySelector('[aria-label=\"{label}\"]')", message=label)
        settings = get_json(cc_server.port, "/v1/settings", cc_server.token)[1]
        assert settings == {"muted": [], "corrections": [], "site_rules": {}}
        assert extension.stored()["siteRules"] == {}
    finally:
        post(cc_server, "/v1/feedback", {"card": "huawei", "action": "unmute"})
        post(cc_server, "/v1/feedback", {"card": "deepseek", "action": "uncorrect", "term": "DeepSeek", "site": "example.com"})
        post(cc_server, "/v1/settings", {"site_rules": {"news.example.org": None, "example.net": None}})
