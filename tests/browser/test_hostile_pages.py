"""Hostile pages in real Chromium against the real server: what a web page can read of or do to the reader's history.

- A page on another local port tries every request a page can make without the token (fetch, no-cors fetch,
  images, scripts, frames, forms): the history and settings do not change and the page learns nothing.
- A DNS-rebinding page (a name that now resolves to 127.0.0.1, so its requests are same-origin) gets 403 only.
- Page-controlled text (a page title saved in the history) and hostile card fields render as text: nothing runs,
  and no javascript: address becomes a link, in the card or on the history page.
- While a card shows history details, the page's own scripts search the DOM for them and find nothing.
"""

import http.client
import json
import time

import pytest

import harness
from harness import EXTENSION_ID, REBIND_HOST, read_card, wait_for, wait_js

pytestmark = pytest.mark.browser

HISTORY_URL = f"chrome-extension://{EXTENSION_ID}/history/history.html"
SECRET = "SECRET-DIARY-4471"  # in a saved page's title, URL and sentence: what the hostile pages are after
# hostile-title.html's <title>, as document.title reads it.
HOSTILE_TITLE = ("<img src=x onerror=\"window.__pwned='title img';window.ccPwned&&ccPwned('title img')\"></style>"
                 "<script>window.__pwned='title script';window.ccPwned&&ccPwned('title script')</script>"
                 "<a href=\"javascript:ccPwned('title link')\">javascript:ccPwned('title link')</a>")
ACTIVE_ELEMENTS = {"img", "script", "iframe", "object", "embed", "svg", "math", "style", "link", "form", "video", "audio"}


# -- the server, as the test (which has the token) sees it --------------------------------------------------------

def call(server, method, path, body=None, token=True):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Authorization": f"Bearer {server.token}"} if token else {}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response.status, json.loads(data) if data else None


def server_state(server) -> dict:
    """Everything a hostile page could hope to change: the saved pages, their export, and the reader's settings."""
    state = {}
    for path in ("/v1/history", "/v1/history/export?format=json", "/v1/settings", "/v1/entities/nvidia/pages"):
        status, body = call(server, "GET", path)
        assert status == 200, (path, status, body)
        body.pop("exported", None)  # the export's own timestamp
        state[path] = body
    return state


def fresh_history_with_a_secret(server):
    """An empty history, then one saved page whose title, URL and sentence hold SECRET."""
    assert call(server, "DELETE", "/v1/history?confirm=yes")[0] == 200
    status, answer = call(server, "POST", "/v1/annotate", {
        "url": f"https://diary.example/{SECRET}", "title": f"My private page {SECRET}",
        "blocks": [{"id": "b1", "text": f"Nvidia shares fell, wrote {SECRET} in a note."}]})
    assert status == 200 and answer["annotations"], answer
    history = call(server, "GET", "/v1/history")[1]
    assert history["total"] == 1 and SECRET in json.dumps(history)


def pair(server, code):
    """POST /v1/pair as the extension does: the token if the code still works."""
    status, body = call(server, "POST", "/v1/pair", {"code": code}, token=False)
    return body.get("token") if status == 200 else None


# -- the card, as the DevTools protocol sees it through the closed shadow root --------------------------------------

def card_elements(page) -> list[dict]:
    """Every element inside the card host's shadow root: its name and attributes."""
    cdp = page.context.new_cdp_session(page)
    try:
        document = cdp.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"]
    finally:
        cdp.detach()
    host = harness._find(document, lambda n: n.get("localName") == "cc-card-host")
    found = []

    def walk(node):
        if node.get("nodeType") == 1:
            found.append({"name": node.get("localName"), "attrs": harness._attrs(node)})
        for child in node.get("children", []) + node.get("shadowRoots", []):
            walk(child)

    walk(host["shadowRoots"][0])
    return found


def open_card(page, mention, card_id, needle=None):
    """Hover a mention until the card `card_id` is open (and, if given, shows `needle`)."""
    page.locator("cc-mark", has_text=mention).first.hover()

    def ready():
        card = read_card(page)
        if card and card["open"] and card["card_id"] == card_id and (needle is None or needle in card["text"]):
            return card
        return None
    return wait_for(ready, timeout=5, message=f"the {card_id} card" + (f" showing {needle!r}" if needle else ""))


def watch_for_scripts(page) -> list:
    """A binding the hostile payloads call if they ever run; the list fills with what ran."""
    ran = []
    page.expose_function("ccPwned", lambda what: ran.append(what))
    return ran


def nothing_ran(page, ran):
    time.sleep(0.3)  # an <img src=x> fails and fires onerror within a few milliseconds
    assert ran == []
    assert page.evaluate("() => window.__pwned === undefined")


def read_with_marks(page, url, count=1):
    page.goto(url)
    wait_js(page, f"() => document.querySelectorAll('cc-mark').length >= {count}", timeout=20)


# -- 1. a hostile page on another local port -------------------------------------------------------------------------

def test_hostile_page_on_another_port_can_neither_read_nor_change_the_history(page, pages, extension, cc_server):
    # The reader has Context Cards off on the attacker's site, so anything that changes is the attack's doing.
    extension.configure(serverUrl=cc_server.url, token=cc_server.token, siteRules={"127.0.0.1": "never"})
    fresh_history_with_a_secret(cc_server)
    code = cc_server.pairing_code()
    before = server_state(cc_server)
    reached = []
    page.on("response", lambda r: reached.append((r.request.method, r.url[len(cc_server.url):], r.status))
            if r.url.startswith(cc_server.url + "/") else None)

    victim = call(cc_server, "GET", "/v1/history")[1]["pages"][0]["id"]
    page.goto(f"{pages}/hostile.html?server={cc_server.url}&victim={victim}")
    wait_js(page, "() => window.__done === true", timeout=20, message="the hostile page's attempts to settle")
    attempts = {a["name"]: a for a in page.evaluate("() => window.__attempts")}

    # Nothing changed: no page planted or deleted, no card muted, no site rule, the reader's pairing code unburned.
    assert server_state(cc_server) == before
    assert pair(cc_server, code) == cc_server.token

    # Nothing read: every CORS fetch failed, every no-cors answer was opaque, images, scripts and frames gave nothing.
    assert SECRET not in json.dumps(attempts)
    assert "window error" not in attempts, attempts["window error"]
    for name, seen in attempts.items():
        if name.startswith("fetch "):
            assert seen["outcome"] == "rejected" and seen["error"].startswith("TypeError"), (name, seen)
        elif name == "no-cors DELETE /v1/history":
            assert seen["outcome"] == "rejected", (name, seen)  # DELETE is not a no-cors method
        elif name.startswith("no-cors "):
            assert (seen["outcome"], seen["type"], seen["status"], seen["body"], seen["headers"]) == (
                "response", "opaque", 0, "", ""), (name, seen)
        elif name.startswith(("img ", "script ")):
            assert seen["outcome"] == "error" and seen["width"] == 0, (name, seen)
        else:
            assert name.startswith(("iframe ", "form ")), name
            assert seen["outcome"] == "load", (name, seen)
            assert seen["read"] == "contentDocument is null / contentWindow.document threw SecurityError", (name, seen)
    assert len(attempts) == 42

    # The requests did reach the server, which refused them before any route ran.
    assert reached, "the server saw none of the page's requests"
    assert all(status in (401, 405, 415) for _, _, status in reached), reached
    refused = {(method, path.split("?")[0]): status for method, path, status in reached}
    assert refused[("POST", "/v1/pair")] == 415 and refused[("POST", "/v1/annotate")] == 401
    assert refused[("GET", "/v1/history")] == 401 and refused[("POST", "/v1/history")] == 405
    assert refused[("GET", f"/v1/history/{victim}")] == 401 and refused[("POST", f"/v1/history/{victim}")] == 405


def test_dns_rebinding_page_gets_only_403_from_the_server(page, pages, extension, cc_server):
    extension.configure(serverUrl=cc_server.url, token=cc_server.token, siteRules={REBIND_HOST: "never"})
    fresh_history_with_a_secret(cc_server)
    code = cc_server.pairing_code()
    before = server_state(cc_server)
    origin = f"http://{REBIND_HOST}:{cc_server.port}"
    # The attacker's DNS first answered with its own server, which sent this page; every later request from the
    # page resolves rebind.test to 127.0.0.1 (--host-resolver-rules) and reaches the Context Cards server, same-origin.
    # That first server is a loopback one here (the test pages): from a public address, Chromium's Private Network
    # Access would block the page's requests before they left, and the server must not count on every browser doing so.
    page.route(f"{origin}/rebinding.html", lambda route: route.continue_(url=f"{pages}/rebinding.html"))
    page.goto(f"{origin}/rebinding.html")
    assert page.url == f"{origin}/rebinding.html"
    results = wait_js(page, "() => window.__results", timeout=15, message="the rebinding page's requests")

    assert len(results) == 13
    for result in results:
        assert result["status"] == 403, result
        assert json.loads(result["body"])["error"]["code"] == "bad_host", result
    everything = json.dumps(results)
    for private in (SECRET, cc_server.token, '"version"', "Nvidia"):
        assert private not in everything
    # Six wrong pairing guesses never reached the exchange: the reader's code still works.
    assert server_state(cc_server) == before
    assert pair(cc_server, code) == cc_server.token


# -- 2. hostile text renders as text -----------------------------------------------------------------------------------

def test_hostile_page_title_saved_in_history_shows_as_text_in_a_card_on_another_page(page, pages, extension, cc_server):
    assert call(cc_server, "DELETE", "/v1/history?confirm=yes")[0] == 200
    ran = watch_for_scripts(page)
    read_with_marks(page, f"{pages}/hostile-title.html", 2)
    assert page.evaluate("() => document.title") == HOSTILE_TITLE
    nothing_ran(page, ran)
    saved = call(cc_server, "GET", "/v1/history")[1]["pages"]
    assert [p["title"] for p in saved] == [HOSTILE_TITLE]

    read_with_marks(page, f"{pages}/article.html", 10)
    card = open_card(page, "Nvidia", "nvidia", needle="earlier page")
    # The saved title is in the card, character for character, as text.
    assert f"Seen on 1 earlier page, most recently “{HOSTILE_TITLE}”." in card["text"]
    elements = card_elements(page)
    assert not ACTIVE_ELEMENTS & {e["name"] for e in elements}, elements
    assert card["links"] == ["https://en.wikipedia.org/wiki/Nvidia"]
    assert not any(name.startswith("on") for e in elements for name in e["attrs"]), elements
    nothing_ran(page, ran)


def hostile_card(card):
    """The Nvidia card with markup and javascript: addresses in every field a server could send."""
    return {**card,
            "title": "Nvidia</style><script>window.__pwned='title';ccPwned('card title')</script>",
            "summary": ("<img src=x onerror=\"window.__pwned='summary';ccPwned('summary img')\"> designs chips."
                        "</style><script>ccPwned('summary script')</script>"
                        "<a href=\"javascript:ccPwned('summary link')\">read more</a>"),
            "facts": ["<script>ccPwned('fact')</script>", "javascript:ccPwned('fact link')"],
            "url": "javascript:ccPwned('url')//https://en.wikipedia.org/wiki/Nvidia",
            "wikipedia": "javascript:ccPwned('wikipedia')",
            "as_of": "<img src=x onerror=ccPwned('as_of')>",
            "source": "<img src=x onerror=ccPwned('source')>",
            "seen_before": {"count": 2, "last": {"id": "p1", "title": "<img src=x onerror=ccPwned('seen')>",
                                                 "url": "javascript:ccPwned('seen url')", "visited": "2025-06-01T00:00:00Z"}}}


def rewrite_nvidia(method, path, answer):
    if path == "/v1/annotate" and "nvidia" in answer.get("cards", {}):
        answer["cards"]["nvidia"] = hostile_card(answer["cards"]["nvidia"])
    elif path == "/v1/cards/nvidia":
        answer = hostile_card(answer)
    return answer


def test_card_fields_holding_markup_and_javascript_urls_render_as_text(page, pages, extension, proxy):
    # The server strips markup from Wikipedia summaries and the pack refuses it; the card must not depend on that.
    hostile = proxy(rewrite=rewrite_nvidia)
    extension.update(serverUrl=hostile.url)
    ran = watch_for_scripts(page)
    read_with_marks(page, f"{pages}/article.html", 10)
    card = open_card(page, "Nvidia", "nvidia")
    expected = hostile_card({})
    assert card["title"] == expected["title"]
    assert card["summary"] == expected["summary"]
    for text in [*expected["facts"], "<img src=x onerror=ccPwned('source')>, as of",
                 "as of <img src=x onerror=ccPwned('as_of')>", "Wikipedia: javascript:ccPwned('wikipedia')",
                 "most recently “<img src=x onerror=ccPwned('seen')>”"]:
        assert text in card["text"], text
    assert card["links"] == [], "a javascript: address never becomes a link"
    elements = card_elements(page)
    assert not ACTIVE_ELEMENTS & {e["name"] for e in elements}, elements
    assert not any(name.startswith("on") or "javascript" in value for e in elements for name, value in e["attrs"].items())
    nothing_ran(page, ran)


# Pages a server could send the history page although it never saves them: (url, title).
PLANTED = [("javascript:ccPwned('url')", "<b onmouseover=ccPwned('b')>bold</b>"),
           (" JaVaScRiPt:ccPwned('url2')", ""),  # no title: the address is shown instead
           ("data:text/html,<script>ccPwned('data')</script>", "data page")]
PLANTED_CHIP = "<img src=x onerror=ccPwned('chip')>"
PLANTED_SENTENCE = "<script>ccPwned('sentence')</script>"


def plant_pages(method, path, answer):
    """The history list with PLANTED added, copies of the real page but for their address, title and mentions."""
    if path.split("?")[0] != "/v1/history":
        return answer
    real = answer["pages"][0]
    mentions = [{**m, "card_title": PLANTED_CHIP, "sentence": PLANTED_SENTENCE} for m in real["mentions"]]
    planted = [{**real, "id": f"p{n}", "url": url, "title": title, "mentions": mentions}
               for n, (url, title) in enumerate(PLANTED)]
    return {**answer, "pages": answer["pages"] + planted, "total": answer["total"] + len(planted)}


def test_history_page_shows_hostile_titles_and_addresses_as_text(page, pages, extension, cc_server, proxy):
    assert call(cc_server, "DELETE", "/v1/history?confirm=yes")[0] == 200
    read_with_marks(page, f"{pages}/hostile-title.html", 2)
    # The server never saves a page whose address is not http(s)...
    for address in ("javascript:alert(1)//https://x.example/", "data:text/html,<script>alert(1)</script>",
                    "file:///etc/passwd"):
        status, answer = call(cc_server, "POST", "/v1/annotate",
                              {"url": address, "title": "x", "blocks": [{"id": "b1", "text": "Nvidia."}]})
        assert status == 200, answer
    assert [p["title"] for p in call(cc_server, "GET", "/v1/history")[1]["pages"]] == [HOSTILE_TITLE]

    # ...and the history page would not link one if a server sent it anyway.
    planting = proxy(rewrite=plant_pages)
    extension.update(serverUrl=planting.url)
    ran = watch_for_scripts(page)  # the extension page's CSP would block inline handlers too: the DOM checks matter
    page.goto(HISTORY_URL)
    wait_js(page, "() => document.querySelectorAll('.page').length === 4", message="the saved and planted pages")
    headings = page.eval_on_selector_all(".page h3", "els => els.map(e => e.textContent)")
    assert headings == [HOSTILE_TITLE, PLANTED[0][1], PLANTED[1][0], PLANTED[2][1]]
    hrefs = page.eval_on_selector_all("#pages [href]", "els => els.map(e => e.getAttribute('href'))")
    assert hrefs == [f"{pages}/hostile-title.html"], "only the http page is a link"
    assert page.evaluate("() => document.querySelectorAll('#pages img, #pages script, #pages b, #pages iframe').length") == 0
    chips = page.eval_on_selector_all(".card-chip", "els => els.map(e => [e.textContent, e.title])")
    assert [PLANTED_CHIP, PLANTED_SENTENCE] in chips
    page.hover(".page h3 >> nth=1")
    nothing_ran(page, ran)


# -- 3. history details stay out of the page's reach -------------------------------------------------------------------

def test_page_scripts_searching_the_dom_find_no_history_details_in_an_open_card(page, pages, extension, cc_server):
    assert call(cc_server, "DELETE", "/v1/history?confirm=yes")[0] == 200
    read_with_marks(page, f"{pages}/secret-earlier.html", 2)
    secret = "ZQX7731"
    assert secret in page.evaluate("() => document.title")

    read_with_marks(page, f"{pages}/snoop.html", 1)
    card = open_card(page, "Nvidia", "nvidia", needle=secret)
    assert "Seen on 1 earlier page, most recently “Private reading ZQX7731" in card["text"]
    snoop = "(word) => window.__snoop.find(word)"
    for word in (secret, "Seen on", "earlier page", "designs graphics processors"):
        assert page.evaluate(snoop, word) == [], word
    # The page's hook on attachShadow never saw the extension's root (content scripts run in their own world).
    assert page.evaluate("() => window.__snoop.captured()") == 0
    assert page.evaluate("() => window.__snoop.hostShadowRoot()") is False

    # With focus inside the card (keyboard users), still nothing.
    page.locator("cc-mark", has_text="Nvidia").first.focus()
    wait_for(lambda: (c := read_card(page)) and c["open"] and secret in c["text"], timeout=3, message="the card on focus")
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.localName") == "cc-card-host"
    for word in (secret, "Seen on"):
        assert page.evaluate(snoop, word) == [], word
