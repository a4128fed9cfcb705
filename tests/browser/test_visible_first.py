"""Visible first (issue 14): the blocks in and near the window go in the first request, the rest later in chunks."""

import pytest

from harness import wait_for, wait_js

pytestmark = pytest.mark.browser


def paragraph_texts(page):
    return page.evaluate("() => Object.fromEntries([...document.querySelectorAll('article p')].map(p => [p.id, p.textContent]))")


@pytest.mark.parametrize("start", ["p0", "p60"])
def test_the_first_request_holds_what_the_reader_sees_and_the_rest_follows(page, pages, extension, proxy, start):
    recorder = proxy()
    extension.update(serverUrl=recorder.url)
    page.set_viewport_size({"width": 1100, "height": 800})
    page.goto(f"{pages}/long.html#{start}")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length > 0", timeout=30)
    texts = paragraph_texts(page)
    ids = sorted(texts, key=lambda i: int(i[1:]))
    wait_for(lambda: len(recorder.annotate_bodies) >= 2, timeout=60, message="the later requests")
    first = [b["text"] for b in recorder.annotate_bodies[0]["blocks"]]
    visible = page.evaluate("""(start) => [...document.querySelectorAll('article p')]
        .filter(p => { const r = p.getBoundingClientRect(); return r.bottom > 0 && r.top < innerHeight; }).map(p => p.id)""", start)
    assert visible and all(texts[i] in first for i in visible), "every paragraph in the window is in the first request"
    assert sum(len(t) for t in first) <= 20000 and len(first) < len(ids) / 4, "and not much more"
    if start != "p0":
        assert texts["p0"] not in first, "the top of the page waits when the reader is further down"
    # Everything is sent in the end, each block once.
    wait_for(lambda: sum(len(b["blocks"]) for b in recorder.annotate_bodies) >= len(ids) + 1, timeout=90,
             message="every block to be sent")
    sent = [b["text"] for body in recorder.annotate_bodies for b in body["blocks"]]
    assert len(sent) == len(set(sent)) and all(texts[i] in sent for i in ids)
