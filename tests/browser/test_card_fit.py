"""Finding 1 and 6 of issue 14: the card is compact, points at its word, reads like the page and never leaves the window."""

import pytest

from harness import CARD_GEOMETRY, card_call, read_card, wait_for, wait_js

pytestmark = pytest.mark.browser

EDGE_NAMES = {"left": "Nvidia", "right": "Entity List", "last": "Huawei"}


def open_card_at(page, paragraph, where):
    """Scroll so the name in `paragraph` sits at the window's top or bottom edge, focus it, and open "More"."""
    page.evaluate("""([id, where]) => {
        document.activeElement && document.activeElement.blur && document.activeElement.blur();
        const mark = document.querySelector('#' + id + ' cc-mark');
        const r = mark.getBoundingClientRect();
        window.scrollBy(0, where === 'top' ? r.top - 2 : r.bottom - innerHeight + 2);
        mark.focus({ preventScroll: true });
    }""", [paragraph, where])
    wait_for(lambda: (c := read_card(page)) and c["open"] and c["title"] and EDGE_NAMES[paragraph] in c["title"],
             timeout=3, message=f"the card of #{paragraph}")
    card_call(page, "function () { this.click(); }", cls="more")
    return page.evaluate("""(id) => { const r = document.querySelector('#' + id + ' cc-mark').getBoundingClientRect();
        return { top: r.top, bottom: r.bottom, left: r.left, right: r.right }; }""", paragraph)


def assert_inside(geometry, width, height):
    card = geometry["card"]
    assert card["top"] >= 0 and card["left"] >= 0, card
    assert card["bottom"] <= height and card["right"] <= width, (card, width, height)


@pytest.mark.parametrize("width,height", [(1280, 800), (375, 740)])
def test_the_card_stays_inside_the_window_and_points_at_its_word_at_every_edge(page, pages, extension, width, height):
    page.set_viewport_size({"width": width, "height": height})
    page.goto(f"{pages}/edges.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length === 3", timeout=20)
    for paragraph in EDGE_NAMES:
        for where in ("top", "bottom"):
            word = open_card_at(page, paragraph, where)
            geometry = card_call(page, CARD_GEOMETRY)
            assert geometry["expanded"], "More opened the facts and actions"
            assert_inside(geometry, width, height)
            pointer, card = geometry["pointer"], geometry["card"]
            middle = (pointer["left"] + pointer["right"]) / 2
            assert word["left"] - 1 <= middle <= word["right"] + 1, (paragraph, where, word, pointer)
            if geometry["side"] == "below":
                assert pointer["top"] < card["top"] <= word["bottom"] + 12, "the pointer sits on the edge facing the word"
            else:
                assert pointer["bottom"] > card["bottom"] >= word["top"] - 12
            page.keyboard.press("Escape")
            wait_for(lambda: not read_card(page)["open"], timeout=2, message="Escape to close the card")


def test_a_card_that_fits_neither_above_nor_below_is_limited_and_scrolls_inside(page, pages, extension):
    page.set_viewport_size({"width": 1280, "height": 260})
    page.goto(f"{pages}/edges.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length === 3", timeout=20)
    page.evaluate("""() => { const m = document.querySelector('#right cc-mark'); const r = m.getBoundingClientRect();
        window.scrollBy(0, r.top - innerHeight / 2); m.focus({ preventScroll: true }); }""")
    wait_for(lambda: (c := read_card(page)) and c["open"] and c["title"] == "Entity List", timeout=3, message="the card")
    card_call(page, "function () { this.click(); }", cls="more")
    geometry = card_call(page, CARD_GEOMETRY)
    assert_inside(geometry, 1280, 260)
    assert geometry["scrolls"], "the card's body scrolls inside instead of running off the window"
    # Its last line (the actions) can still be reached by scrolling the card.
    reachable = card_call(page, """function () { this.scrollTop = this.scrollHeight;
        const b = this.getBoundingClientRect(), a = this.querySelector('.actions').getBoundingClientRect();
        return a.bottom <= b.bottom + 1 && a.top >= b.top - 1; }""", cls="body")
    assert reachable


def test_the_card_is_compact_until_more_and_takes_the_pages_type(page, pages, extension):
    page.goto(f"{pages}/article.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length >= 10", timeout=20)
    page.evaluate("() => [...document.querySelectorAll('cc-mark')].find(m => m.textContent === 'Entity List').focus()")
    card = wait_for(lambda: (c := read_card(page)) and c["open"] and c["title"] == "Entity List" and c, timeout=3,
                    message="the Entity List card")
    assert card["summary"].startswith("US trade restriction list")
    hidden = card_call(page, """function () {
        const shown = (sel) => { const el = this.querySelector(sel); return !!el && el.getClientRects().length > 0; };
        return { facts: shown('.facts'), actions: shown('.actions'), more: shown('button.more'),
                 summaryLines: Math.round(this.querySelector('.summary').getBoundingClientRect().height /
                                          parseFloat(getComputedStyle(this.querySelector('.summary')).lineHeight)) };
    }""")
    assert hidden == {"facts": False, "actions": False, "more": True, "summaryLines": hidden["summaryLines"]}
    assert hidden["summaryLines"] <= 3
    geometry = card_call(page, CARD_GEOMETRY)
    assert "Georgia" in geometry["fontFamily"], "a serif article gets a serif card"
    assert geometry["card"]["right"] - geometry["card"]["left"] <= 322
    card_call(page, "function () { this.click(); }", cls="more")
    shown = card_call(page, "function () { return this.querySelector('.facts').getClientRects().length > 0 && "
                            "this.querySelector('.actions').getClientRects().length > 0; }")
    assert shown
