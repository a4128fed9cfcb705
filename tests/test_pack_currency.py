"""The bundled pack says how old its facts are: as_of coverage, no dates from the future, and Wikipedia titles."""

import datetime

from contextcards.knowledge import load_pack

DATED_KINDS = {"person", "org", "product", "law", "policy", "event"}


def _cards():
    return list(load_pack().cards.values())


def test_nearly_every_card_whose_facts_can_go_stale_carries_as_of():
    dated = [card for card in _cards() if card.kind in DATED_KINDS]
    missing = [card.id for card in dated if not card.as_of]
    assert len(missing) <= 0.05 * len(dated), missing


def test_no_as_of_lies_in_the_future():
    this_month = datetime.date.today().strftime("%Y-%m")
    assert [card.id for card in _cards() if card.as_of and card.as_of > this_month] == []


def test_the_pack_was_checked_in_2026():
    assert max(card.as_of for card in _cards() if card.as_of) >= "2026-01"


def test_most_cards_name_their_wikipedia_article():
    cards = _cards()
    # A floor against regressions, not the 85% goal: titles are added only when the article surely exists.
    assert sum(1 for card in cards if card.wikipedia) >= 0.75 * len(cards)
