"""Short forms after the full name ("the Commission" after "European Commission"), on a blank pipeline with the
bundled pack: both sides."""

import pytest

from contextcards.knowledge import load_pack
from contextcards.linking import LinkOptions, link_mentions
from contextcards.recognition import Recognizer
from contextcards.short_forms import head_noun


@pytest.fixture(scope="module")
def setup():
    pack = load_pack()
    return pack, Recognizer("", pack)


def links(setup, *texts):
    pack, recognizer = setup
    found, _ = link_mentions(list(texts), recognizer.analyse(list(texts)), pack, LinkOptions(), recognizer.has_ner)
    return [(l.text, l.card) for l in found]


@pytest.mark.parametrize("title, noun", [
    ("European Commission", "Commission"), ("Council of the European Union", "Council"),
    ("Bureau of Industry and Security", "Bureau"), ("United States Department of State", "Department"),
    ("Nvidia", None), ("Taiwan Semiconductor Manufacturing Company", None),
])
def test_head_noun_of_an_institution(title, noun):
    assert head_noun(title) == noun


def test_short_forms_link_after_the_full_name(setup):
    found = links(setup, "The European Commission proposed the rules.",
                  "The Commission said Parliament and the Council must agree.",
                  "The European Parliament and the Council of the EU will vote.")
    assert ("Commission", "european-commission") in found
    assert ("Parliament", "european-parliament") in found
    assert ("Council", "council-of-the-european-union") in found


def test_short_form_without_its_full_name_stays_plain(setup):
    assert not [card for text, card in links(setup, "The Commission said Parliament would vote.")
                if text in ("Commission", "Parliament")]


def test_short_form_inside_another_name_stays_plain(setup):
    found = links(setup, "The European Commission met the Federal Trade Commission and the Securities Commission.")
    assert [t for t, _ in found].count("Commission") == 0


def test_two_bodies_with_the_same_head_noun_give_no_card(setup):
    found = links(setup, "The Federal Communications Commission and the European Commission met; "
                         "the Commission said nothing.")
    assert "Commission" not in [t for t, _ in found]


def test_lowercase_word_is_not_a_short_form(setup):
    found = links(setup, "The European Commission said the commission of experts would report.")
    assert "commission" not in [t for t, _ in found]

