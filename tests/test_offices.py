"""Offices named by their country (offices.py): the possessive and adjective forms derived from an office card's
names, on a blank pipeline; both sides."""

import pytest

from contextcards.knowledge import Pack, alias_key, load_pack, read_pack_file
from contextcards.linking import LinkOptions, link_mentions
from contextcards.offices import derived_office_names
from contextcards.recognition import Recognizer

PACK = '''
[[card]]
id = "freedonia"
title = "Freedonia"
kind = "place"
summary = "A country."

[[card]]
id = "government-of-freedonia"
title = "Government of Freedonia"
kind = "org"
aliases = ["Freedonian government", "Freedonia's government", "Capital City government"]
summary = "Its government."

[[card]]
id = "capital-city"
title = "Capital City"
kind = "place"
summary = "Freedonia's capital."

[[card]]
id = "prime-minister-of-freedonia"
title = "Prime Minister of Freedonia"
kind = "org"
aliases = ["Freedonian Trade Secretary"]
summary = "Head of government."

[[card]]
id = "president-of-freedonia"
title = "President of Freedonia"
kind = "org"
summary = "Head of state."

[[card]]
id = "bank-of-freedonia"
title = "Bank of Freedonia"
kind = "org"
summary = "Central bank."
'''


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("offices") / "offices.toml"
    path.write_text(PACK)
    cards, problems = read_pack_file(path)
    assert not problems
    return cards


def test_country_forms_of_an_office(small):
    derived = {text: card for text, card in derived_office_names(small, set(), alias_key)}
    assert derived["Freedonia's Prime Minister"] == "prime-minister-of-freedonia"
    assert derived["Freedonian Prime Minister"] == "prime-minister-of-freedonia"
    assert derived["Freedonia's Trade Secretary"] == "prime-minister-of-freedonia"
    assert derived["Freedonia's President"] == "president-of-freedonia"
    assert "Freedonian President" not in derived  # one-word office others have too: possessive only
    assert not any("Capital City" in text for text in derived)  # a city is no adjective
    assert not any(card == "bank-of-freedonia" for card in derived.values())  # not an office


def test_a_name_a_card_already_has_is_not_derived(small):
    derived = dict(derived_office_names(small, {alias_key("Freedonia's Prime Minister")}, alias_key))
    assert "Freedonia's Prime Minister" not in derived


@pytest.fixture(scope="module")
def bundled():
    pack = load_pack()
    return pack, Recognizer("", pack)


def links(bundled, text):
    pack, recognizer = bundled
    found, _ = link_mentions([text], recognizer.analyse([text]), pack, LinkOptions(), recognizer.has_ner)
    return {l.text: l.card for l in found}


@pytest.mark.parametrize("text, name, card", [
    ("Japan's premier met investors.", "Japan's premier", "prime-minister-of-japan"),
    ("America's Treasury Secretary spoke.", "America's Treasury Secretary", "united-states-secretary-of-the-treasury"),
    ("The US Treasury Secretary said talks went well.", "US Treasury Secretary",
     "united-states-secretary-of-the-treasury"),
    ("Britain's science secretary announced a plan.", "Britain's science secretary",
     "uk-secretary-of-state-for-science-innovation-and-technology"),
    ("The governor of the People's Bank of China said rates would fall.", "governor of the People's Bank of China",
     "governor-of-the-peoples-bank-of-china"),
    ("Taiwan's president visited the fab.", "Taiwan's president", "president-of-taiwan"),
])
def test_office_without_a_name_links_its_card(bundled, text, name, card):
    assert links(bundled, text).get(name) == card


@pytest.mark.parametrize("text", [
    "The Korean president of the chess club resigned.",
    "The secretary of the tennis club said the courts would reopen.",
])
def test_a_president_of_something_else_stays_plain(bundled, text):
    assert not [c for c in links(bundled, text).values() if c.startswith("president-of")]
