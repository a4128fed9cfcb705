"""The history page in real Chromium: pages read appear by day, search, the card view with its chart, delete, export."""

import http.client
import json
from pathlib import Path

import pytest

from harness import EXTENSION_ID, wait_for, wait_js

pytestmark = pytest.mark.browser

HISTORY_URL = f"chrome-extension://{EXTENSION_ID}/history/history.html"
ARTICLE_TITLE = "US tightens chip rules as Beijing doubles down on self-reliance"


def clear_history(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    connection.request("DELETE", "/v1/history?confirm=yes", headers={"Authorization": f"Bearer {server.token}"})
    assert connection.getresponse().status == 200
    connection.close()


@pytest.fixture
def reading(page, pages, extension, cc_server):
    """A fresh history holding the test article, read in the browser as a reader would."""
    clear_history(cc_server)
    page.goto(f"{pages}/article.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 10", timeout=20)
    return page


def texts(page, selector):
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def test_the_history_page_lists_searches_shows_a_card_and_deletes(reading):
    page = reading
    page.goto(HISTORY_URL)
    wait_js(page, "() => document.querySelectorAll('.page').length === 1", message="the article in the history")
    assert texts(page, ".page h3") == [ARTICLE_TITLE]
    assert len(texts(page, "h2.day")) == 1
    assert "DeepSeek" in texts(page, ".page .card-chip")

    page.fill("#q", "politburo")
    page.press("#q", "Enter")
    wait_js(page, "() => document.getElementById('status').textContent.includes('1 saved page matches')")
    page.fill("#q", "no-such-word-anywhere")
    page.press("#q", "Enter")
    wait_js(page, "() => document.getElementById('status').textContent === 'No saved pages match.'")
    page.click(".filter .remove")
    wait_js(page, "() => document.querySelectorAll('.page').length === 1")

    page.click(".card-chip >> text=DeepSeek")
    wait_js(page, "() => !document.getElementById('entity-view').hidden")
    assert texts(page, "#entity-view h2") == ["Where you read about DeepSeek"]
    assert page.evaluate("() => document.querySelectorAll('#entity-view svg rect.bar:not(.empty)').length") == 1
    assert texts(page, ".sentence mark") == ["DeepSeek"]
    assert "?entity=deepseek" in page.url

    page.click(".page .delete")
    wait_js(page, "() => document.querySelectorAll('.page').length === 0")
    page.goto(HISTORY_URL)
    wait_js(page, "() => document.getElementById('status').textContent.startsWith('No saved pages yet')")


def test_export_downloads_web_annotation_json_ld_and_delete_all_asks_first(reading):
    page = reading
    page.goto(HISTORY_URL)
    wait_js(page, "() => document.querySelectorAll('.page').length === 1")
    page.select_option("#export-format", "jsonld")
    with page.expect_download() as download:
        page.click("#export")
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert download.value.suggested_filename == "contextcards-history.jsonld"
    assert document["@context"] == "http://www.w3.org/ns/anno.jsonld"
    items = document["first"]["items"]
    assert items and all(item["type"] == "Annotation" and item["target"]["source"].endswith("/article.html") for item in items)

    page.click("#delete-all")
    assert page.is_visible("#confirm-delete")
    page.click("#delete-all-yes")
    wait_js(page, "() => document.getElementById('status').textContent.startsWith('Deleted 1 saved page')")
    wait_for(lambda: page.evaluate("() => document.querySelectorAll('.page').length") == 0)
