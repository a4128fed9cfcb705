"""Place names told apart by the page's geography: the real wikipedia-api client against the fake MediaWiki
(tests/fake_mediawiki.py) in the real API's shape, with disambiguation pages flagged as MediaWiki flags them."""

from types import SimpleNamespace

import pytest

from contextcards.knowledge import load_pack
from contextcards.linking import LinkOptions, Unlinked
from contextcards.wikipedia.cache import MemoryTable
from contextcards.wikipedia.cards import WikipediaCards

from conftest import FIXTURES, make_config
from fake_mediawiki import FakeMediaWiki


def fill(wiki):
    wiki.add("Hillsboro", "Hillsboro may refer to several places in the United States:", disambiguation=True)
    wiki.add("Hillsboro, Oregon", "Hillsboro is a city in Washington County, Oregon, in the Portland metropolitan "
             "area. Intel's largest site is there.", "City in Oregon, United States")
    wiki.add("Hillsboro, Ohio", "Hillsboro is a city in Highland County, Ohio, United States.", "City in Ohio")
    wiki.add("Hillsboro, Texas", "Hillsboro is a city in Hill County, Texas, United States.", "City in Texas")
    wiki.add("Malta", "Malta is an island country in the Mediterranean Sea; Valletta is its capital.",
             "Island country in Southern Europe")
    wiki.add("Malta, New York", "Malta is a town in Saratoga County, New York, United States. It is home to "
             "GlobalFoundries' Fab 8 on the Luther Forest Technology Campus.", "Town in New York, United States")
    wiki.add("Oregon", "Oregon is a state in the Pacific Northwest of the United States.", "U.S. state")
    wiki.add("New York", "New York may refer to:", disambiguation=True)
    wiki.add("Ohio", "Ohio is a state in the Midwestern United States.", "U.S. state")
    wiki.add("Texas", "Texas is a state in the South Central United States.", "U.S. state")
    wiki.add("Intel", "Intel Corporation is an American multinational technology company.", "American chipmaker")
    wiki.add("GlobalFoundries", "GlobalFoundries Inc. is a multinational semiconductor contract manufacturer.",
             "Semiconductor foundry")
    return wiki


@pytest.fixture
def cards(tmp_path):
    with FakeMediaWiki() as wiki:
        fill(wiki)
        config = make_config(tmp_path, offline=False, wikipedia_api=wiki.url, wikipedia_budget_ms=5000)
        service = WikipediaCards(config, load_pack((FIXTURES / "mini-pack.toml",), False), MemoryTable(),
                                 timeout=2.0)
        service.wiki = wiki
        yield service
        service.close()


def linked(cards, *names):
    """Cards for one page naming each (text, label) once."""
    unlinked, start = [], 0
    for name, label in names:
        unlinked.append(Unlinked(0, start, start + len(name), name, label))
        start += len(name) + 2
    found, _ = cards.resolve(unlinked, [], LinkOptions(), persist=False)
    return {link.text: link.card for link in found}


def test_disambiguation_page_gives_the_sense_the_pages_places_support(cards):
    found = linked(cards, ("Intel", "ORG"), ("Hillsboro", "GPE"), ("Oregon", "GPE"))
    assert found["Hillsboro"] == "wiki:Hillsboro, Oregon"


def test_another_page_in_another_state_gets_its_own_sense(cards):
    linked(cards, ("Intel", "ORG"), ("Hillsboro", "GPE"), ("Oregon", "GPE"))  # cached for that page's places
    found = linked(cards, ("Hillsboro", "GPE"), ("Ohio", "GPE"))
    assert found["Hillsboro"] == "wiki:Hillsboro, Ohio"


def test_no_supporting_place_no_link(cards):
    assert "Hillsboro" not in linked(cards, ("Intel", "ORG"), ("Hillsboro", "GPE"))


def test_two_supported_senses_no_link(cards):
    found = linked(cards, ("Hillsboro", "GPE"), ("Ohio", "GPE"), ("Texas", "GPE"))
    assert "Hillsboro" not in found


def test_existing_page_gives_way_only_to_a_sense_that_names_the_pages_entities(cards):
    found = linked(cards, ("GlobalFoundries", "ORG"), ("Malta", "GPE"), ("New York", "GPE"))
    assert found["Malta"] == "wiki:Malta, New York"


def test_existing_page_stays_when_the_sense_names_nothing_else_of_the_page(cards):
    found = linked(cards, ("Malta", "GPE"), ("New York", "GPE"))
    assert found["Malta"] == "wiki:Malta"


def test_person_names_are_not_given_regional_senses(cards):
    cards.wiki.add("Hillsboro Jones", "Hillsboro Jones may refer to:", disambiguation=True)
    assert "Hillsboro Jones" not in linked(cards, ("Hillsboro Jones", "PERSON"), ("Oregon", "GPE"))
    assert not any("Hillsboro Jones," in t for batch in cards.wiki.titles_asked() for t in batch)


def test_an_org_named_by_a_general_noun_is_searched_for_the_one_the_page_means(cards):
    cards.wiki.add("Parliament", "A parliament is the legislature of a state.", "Legislature of a government")
    cards.wiki.add("European Parliament", "The European Parliament is the directly elected legislature of the "
                   "European Union; it adopts the AI Act with the Council.", "Legislature of the European Union")
    found = linked(cards, ("Parliament", "ORG"), ("AI Act", "LAW"))
    assert found.get("Parliament") == "wiki:European Parliament"
    assert "Parliament" not in linked(cards, ("Parliament", "ORG"))  # nothing on the page says which
