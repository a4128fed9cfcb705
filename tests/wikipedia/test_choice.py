"""wikipedia/choice.py: which page fits a name (label agreement, search with page evidence), or none."""

from contextcards.linking import LOOKUP_LABELS, Link
from contextcards.wikipedia.choice import LABEL_KINDS

from .conftest import enrich, page


def test_exact_pages_and_redirects_become_cards(make_cards, wiki):
    cards = make_cards()
    result = page(("Lisa Su", "PERSON"), ("AMD", "ORG"), ("Taipei", "GPE"), ("Zürich", "GPE"))
    enrich(cards, result)
    assert [(link.text, link.card) for link in result.links] == [
        ("Lisa Su", "wiki:Lisa Su"), ("AMD", "wiki:Advanced Micro Devices"), ("Taipei", "wiki:Taipei"),
        ("Zürich", "wiki:Zürich")]
    card = result.cards["wiki:Advanced Micro Devices"]
    assert card == {"id": "wiki:Advanced Micro Devices", "title": "Advanced Micro Devices", "kind": "org",
                    "summary": "Advanced Micro Devices, Inc. (AMD) is an American multinational semiconductor company "
                               "based in Santa Clara, California.",
                    "source": "wikipedia", "wikipedia": "Advanced Micro Devices",
                    "url": "https://en.wikipedia.org/wiki/Advanced_Micro_Devices", "facts": [], "status": "ready"}
    assert result.cards["wiki:Lisa Su"]["kind"] == "person"
    assert result.cards["wiki:Zürich"]["url"] == "https://en.wikipedia.org/wiki/Z%C3%BCrich"
    assert len(wiki.requests) == 1


def test_an_exact_page_that_disagrees_with_the_label_falls_back_to_search_with_page_evidence(make_cards, wiki):
    cards = make_cards()
    result = page(("Apple", "ORG"), ("Tim Cook", "PERSON"))
    enrich(cards, result)
    assert [(link.text, link.card) for link in result.links] == [("Apple", "wiki:Apple Inc.")]
    assert result.cards["wiki:Apple Inc."]["kind"] == "org"
    assert any(r.get("list") == "search" for r in wiki.requests)


def test_search_results_without_evidence_on_the_page_are_refused(make_cards, wiki):
    cards = make_cards()
    result = page(("Apple", "ORG"))  # nothing else on the page says which Apple
    enrich(cards, result)
    assert result.links == []
    result = page(("Huang", "PERSON"), ("Nvidia", "ORG"))  # the page's other entity is named by one result only
    enrich(cards, result)
    assert [(link.text, link.card) for link in result.links] == [("Huang", "wiki:Jensen Huang")]


def test_places_on_the_page_are_no_evidence_for_a_search_result(make_cards, wiki):
    wiki.add("Wang Wei", "Wang Wei may refer to:", disambiguation=True)
    wiki.add("Wang Wei (poet)", "Wang Wei (699–759) was a Chinese poet of the Tang dynasty in China.", "Chinese poet")
    cards = make_cards()
    result = page(("Wang Wei", "PERSON"), links=[Link(0, 100, 105, "China", "china", 0.9)])  # a place in the pack
    enrich(cards, result)
    assert [link.card for link in result.links] == ["china"]


def test_a_search_result_cached_for_one_page_needs_evidence_on_the_next(make_cards, wiki):
    cards = make_cards()
    enrich(cards, page(("Huang", "PERSON"), ("Nvidia", "ORG")))
    other = page(("Huang", "PERSON"), ("Shanghai Film Festival", "EVENT"))
    enrich(cards, other)
    assert [link.text for link in other.links] == []


def test_a_page_in_the_pack_links_to_the_pack_card(make_cards, wiki):
    wiki.redirect("President Xi", "Xi Jinping")
    wiki.add("Xi Jinping", "Xi Jinping is a Chinese politician.", "General Secretary of the Chinese Communist Party")
    cards = make_cards()
    result = page(("President Xi", "PERSON"))
    enrich(cards, result)
    assert [link.card for link in result.links] == ["xi-jinping"]
    assert result.cards["xi-jinping"]["source"] == "pack"


def test_every_label_looked_up_has_a_default_kind_and_agreeing_kinds():
    """Linking decides which entities go to Wikipedia; choice must know what each of those labels may be."""
    assert set(LABEL_KINDS) == LOOKUP_LABELS
