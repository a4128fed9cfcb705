"""Findings 2 and 3 of issue 14: keyboard focus never gets lost, and never lands on a hidden or covered name."""

import pytest

from harness import read_card, wait_for, wait_js

pytestmark = pytest.mark.browser

ACTIVE = "() => { const a = document.activeElement; return a ? (a.id || a.localName) + ':' + (a.localName === 'cc-mark' ? a.textContent : '') : null; }"


def open_sticky(page, pages):
    page.goto(f"{pages}/sticky.html")
    wait_js(page, "() => document.querySelectorAll('cc-mark').length === 5", timeout=20)


def test_tab_in_the_card_cycles_its_controls_then_returns_to_the_name(page, pages, extension):
    open_sticky(page, pages)
    page.keyboard.press("Alt+Shift+K")
    assert page.evaluate(ACTIVE) == "cc-mark:Nvidia"
    wait_for(lambda: (c := read_card(page)) and c["open"] and c["title"] == "Nvidia", timeout=3, message="the card")
    for round_trip in range(2):
        page.keyboard.press("Enter")
        assert page.evaluate(ACTIVE) == "cc-card-host:", "Enter moves into the card"
        seen = []
        for _ in range(8):
            page.keyboard.press("Tab")
            where = page.evaluate(ACTIVE)
            seen.append(where)
            if where.startswith("cc-mark"):
                break
        # Only the card's controls, then back to the name: never the page's links, never out of the document.
        assert seen[-1] == "cc-mark:Nvidia", seen
        assert len(seen) >= 2 and all(w == "cc-card-host:" for w in seen[:-1]), seen
        assert read_card(page)["open"], "the card stays open while focus returns to its name"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Shift+Tab")
    assert page.evaluate(ACTIVE) == "cc-mark:Nvidia", "Shift+Tab from the first control returns to the name"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    page.keyboard.press("Escape")
    wait_for(lambda: not read_card(page)["open"], timeout=2, message="Escape to close the card")
    assert page.evaluate(ACTIVE) == "cc-mark:Nvidia", "Escape returns focus to the name"


def test_keyboard_navigation_skips_hidden_names_and_shows_each_below_the_sticky_header(page, pages, extension):
    page.set_viewport_size({"width": 1000, "height": 600})
    open_sticky(page, pages)
    page.evaluate("() => { document.getElementById('collapsible').style.display = 'none'; }")
    visited = []
    for _ in range(4):
        page.keyboard.press("Alt+Shift+K")
        state = page.evaluate("""() => {
            const m = document.activeElement, r = m.getBoundingClientRect();
            const header = document.querySelector('header.bar').getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + 4, (r.top + r.bottom) / 2);
            return { text: m.textContent, below: r.top >= header.bottom, inside: r.bottom <= innerHeight, hit: m.contains(hit) };
        }""")
        visited.append(state["text"])
        assert state["below"] and state["inside"] and state["hit"], state
        card = wait_for(lambda: (c := read_card(page)) and c["open"] and c, timeout=3, message="the card")
        assert card["title"]
    assert visited == ["Nvidia", "Entity List", "TSMC", "Nvidia"], "Huawei and SMIC are hidden: never focused"
    page.keyboard.press("Alt+Shift+J")
    assert page.evaluate(ACTIVE) == "cc-mark:TSMC"
