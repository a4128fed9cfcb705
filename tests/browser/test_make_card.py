"""The reader's own card in real Chromium: "Make a card for '…'" on a selection, then the name underlined on the next page."""

import http.client
import json

import pytest

from harness import EXTENSION_ID, read_card, wait_for, wait_js

pytestmark = pytest.mark.browser

NAME = "Quillon Dynamics"


def api(server, method, path):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request(method, path, headers={"Authorization": f"Bearer {server.token}"})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, json.loads(body) if body else None


@pytest.fixture
def no_quillon_card(cc_server):
    """The shared server holds no card for the name before the test, and none after it."""
    api(cc_server, "DELETE", "/v1/cards/quillon-dynamics")
    yield
    api(cc_server, "DELETE", "/v1/cards/quillon-dynamics")


def test_a_card_made_from_a_selection_is_underlined_on_the_next_page(page, pages, extension, cc_server, no_quillon_card):
    page.goto(f"{pages}/quillon.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 1", timeout=20, message="DeepSeek underlined")
    assert NAME not in page.eval_on_selector_all("cc-mark", "els => els.map(e => e.textContent)")

    # The reader selects the name; the menu item gets the selection's text, as Chromium passes it.
    page.locator("#quillon").select_text()
    selection = page.evaluate("() => window.getSelection().toString()")
    assert selection == NAME
    with extension.context.expect_page() as opened:
        extension.worker.evaluate("""async ({ url, selection }) => {
            const tab = (await chrome.tabs.query({})).find((t) => t.url === url);
            await globalThis.contextCardsMenuClicked({ menuItemId: "make-card", selectionText: selection }, tab);
        }""", {"url": page.url, "selection": selection})
    maker = opened.value
    maker.wait_for_load_state()
    assert maker.url.startswith(f"chrome-extension://{EXTENSION_ID}/cards/make-card.html?name=")
    wait_js(maker, "() => document.getElementById('matches-status').textContent.includes('lookups are off')",
            message="offline: the reader writes the card")
    assert maker.input_value("#title") == NAME
    maker.select_option("#kind", "org")
    maker.fill("#summary", "A made-up chip start-up that designs accelerators for AI models.")
    maker.click("#save")
    wait_js(maker, "() => document.getElementById('result').className === 'ok'", message="the card saved")
    assert maker.eval_on_selector("#result", "e => e.dataset.cardId") == "quillon-dynamics"
    maker.close()

    page.goto(f"{pages}/quillon-later.html")
    wait_js(page, f"() => [...document.querySelectorAll('cc-mark')].some(m => m.textContent === {json.dumps(NAME)})",
            timeout=20, message="the new card's name underlined")
    page.locator("cc-mark", has_text=NAME).first.hover()
    card = wait_for(lambda: (lambda c: c if c and c.get("open") else None)(read_card(page)), message="the card open")
    assert card["title"] == NAME
    assert "your own card" in json.dumps(card)


def test_the_history_page_lists_names_met_without_a_card(page, pages, extension, cc_server, no_quillon_card):
    page.goto(f"{pages}/quillon.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 1", timeout=20)
    wait_for(lambda: any(n["name"] == NAME for n in api(cc_server, "GET", "/v1/names/uncarded")[1]["names"]),
             message="the name recorded")
    page.goto(f"chrome-extension://{EXTENSION_ID}/history/history.html")
    wait_js(page, "() => !document.getElementById('uncarded').hidden", message="the uncarded names shown")
    item = page.locator(".uncarded-name", has_text=NAME).first
    assert "Engineers at Quillon Dynamics said on Monday" in item.inner_text()
    item.locator("a.make-card").click()
    page.wait_for_url(f"chrome-extension://{EXTENSION_ID}/cards/make-card.html?name=Quillon%20Dynamics")
    assert page.input_value("#title") == NAME
