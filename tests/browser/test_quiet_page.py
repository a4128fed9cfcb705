"""Finding 7 of issue 14: no underlines in headings, none fighting a link's own underline, and "New to me" leaves
the names a regular reader meets all the time (here "US" and "China", learnt from the history) unmarked."""

import http.client
import json

import pytest

from harness import TEST_PACK, ServerProcess, wait_for, wait_js

pytestmark = pytest.mark.browser

PLACES_PACK = TEST_PACK.with_name("pack-places.toml")


def marks(page, selector="cc-mark"):
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


@pytest.fixture
def reader_server(tmp_path):
    """A server of this test's own (its history is the test's to fill), with US and China cards."""
    server = ServerProcess(tmp_path / "data", pack=[TEST_PACK, PLACES_PACK]).start()
    yield server
    server.stop()


def read_pages(server, count, text):
    """Save `count` pages of history as the extension would, each a different article that says `text`."""
    for n in range(count):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        body = {"url": f"https://news.example.com/story-{n}", "title": f"Story {n}", "save": True,
                "blocks": [{"id": "b1", "text": text}]}
        connection.request("POST", "/v1/annotate", body=json.dumps(body),
                           headers={"Authorization": f"Bearer {server.token}", "Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        connection.close()
        assert response.status == 200


def test_headings_are_not_underlined_and_links_keep_their_own_underline(page, pages, extension):
    page.goto(f"{pages}/article.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 10", timeout=20)
    assert marks(page, "h1 cc-mark") == []
    assert "technological self-reliance" in marks(page, "#p1 cc-mark"), "the first mention in the body text is underlined instead"
    decorations = page.evaluate("""() => [...document.querySelectorAll('cc-mark')].map(m =>
        [!!m.closest('a'), getComputedStyle(m).textDecorationLine])""")
    assert [d for link, d in decorations if link] == ["none", "none"], "inside links (BIS, TSMC): the link's line only"
    assert {d for link, d in decorations if not link} == {"underline"}


def test_new_to_me_leaves_the_names_a_regular_reader_meets_unmarked(page, pages, extension, reader_server):
    extension.configure(serverUrl=reader_server.url, token=reader_server.token)  # every setting at its default
    page.goto(f"{pages}/us-china.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 1", timeout=20)
    wait_for(lambda: marks(page) == ["US", "China", "Nvidia"], timeout=5, message="US, China and Nvidia, all new")

    read_pages(reader_server, 10, "The US and China traded barbs again over trade.")
    page.reload()
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 1", timeout=20)
    assert marks(page) == ["Nvidia"], "met on 10 pages in the last 30 days: quiet; Nvidia is still new"

    extension.update(density="all")
    wait_for(lambda: marks(page) == ["US", "China", "Nvidia"], timeout=10, message="'All' to underline them again")
    extension.update(density="new", familiarPages=11)
    wait_for(lambda: marks(page) == ["US", "China", "Nvidia"], timeout=10, message="11 pages: not familiar yet")
    extension.update(familiarPages=10)
    wait_for(lambda: marks(page) == ["Nvidia"], timeout=10, message="back to quiet")
    extension.update(density="off")
    wait_for(lambda: marks(page) == [], timeout=10, message="'Off' to underline nothing")
