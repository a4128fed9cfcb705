"""wikipedia/cache.py: card ids, how long answers are kept, and what stays in memory only."""

from urllib.parse import quote, unquote

import pytest

from contextcards.store import Store
from contextcards.wikipedia.cache import FOUND_TTL, MISS_TTL, card_id_for, title_for

from .conftest import page, enrich, card_json, wait_for


@pytest.mark.parametrize("title", ["AC/DC", "100% Pure", "Zürich", "Lisa Su", "C++"])
def test_card_ids_round_trip_through_encode_uri_component(title):
    card_id = card_id_for(title)
    assert "/" not in card_id
    assert title_for(card_id) == title
    assert title_for(unquote(quote(card_id, safe=""))) == title  # encodeURIComponent, then the server's decoding


def test_disambiguation_and_missing_pages_get_no_card_and_are_remembered(make_cards, wiki, clock):
    cards = make_cards()
    result = page(("Mercury", "GPE"), ("Nowhere Town", "GPE"))
    enrich(cards, result)
    assert result.links == [] and result.cards == {}
    assert len(wiki.requests) == 1  # places are never searched for
    enrich(cards, page(("Mercury", "GPE"), ("Nowhere Town", "GPE")))
    assert len(wiki.requests) == 1  # the misses are cached...
    clock.advance(MISS_TTL + 1)
    enrich(cards, page(("Mercury", "GPE"), ("Nowhere Town", "GPE")))
    assert len(wiki.requests) == 2  # ...for a day


def test_found_pages_are_cached_for_two_weeks(make_cards, wiki, clock):
    cards = make_cards()
    enrich(cards, page(("Taipei", "GPE")))
    clock.advance(FOUND_TTL - 60)
    result = page(("Taipei", "GPE"))
    enrich(cards, result)
    assert [link.card for link in result.links] == ["wiki:Taipei"] and len(wiki.requests) == 1
    clock.advance(120)
    enrich(cards, page(("Taipei", "GPE")))
    assert len(wiki.requests) == 2


def test_names_from_private_pages_stay_in_memory(tmp_path, make_cards, wiki):
    store = Store(tmp_path / "store-data")
    try:
        table = store.kv("wikipedia")
        cards = make_cards(table=table)
        enrich(cards, page(("Lisa Su", "PERSON"), save=False))
        wait_for(lambda: not cards.inflight)
        enrich(cards, page(("Taipei", "GPE")))
        wait_for(lambda: not cards.inflight and len(table.items()) == 1)
        assert [key for key, _ in table.items()] == ["q:GPE:Taipei"]
        assert card_json(cards, "wiki:Lisa Su")["status"] == "ready"  # still served from memory
    finally:
        store.close()
