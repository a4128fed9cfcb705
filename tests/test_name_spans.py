"""Clean name spans: the name part of an entity (native forms and office titles dropped), "U.S.–Taiwan" as two
names, and offices before a name linking beside the person. Entities are set by hand on a blank pipeline;
the last tests run the real model on the bundled pack."""

import pytest
import spacy
from spacy.tokens import Span

from contextcards.annotate import AnnotateRequest, HistoryUse
from contextcards.app import create_app
from contextcards.knowledge import Pack, read_pack_file
from contextcards.linking import LinkOptions, link_mentions
from contextcards.name_spans import split_joined_names
from contextcards.recognition import Recognizer, mentions_of

from conftest import FIXTURES, MODEL, make_config


@pytest.fixture(scope="module")
def nlp():
    nlp = spacy.blank("en")
    split_joined_names(nlp)
    return nlp


def entity_names(nlp, text, ents, by_key=None):
    """The mentions' texts for a text whose entities are given as (first word, word count, label)."""
    doc = nlp(text)
    words = [t.text for t in doc]
    spans = []
    for first, count, label in ents:
        start = words.index(first)
        spans.append(Span(doc, start, start + count, label=label))
    doc.ents = spans
    doc.spans["contextcards_aliases"] = []
    return [(m.text, m.label) for m in mentions_of(doc, by_key or {})]


@pytest.mark.parametrize("text, ents, expected", [
    ("Wang Huning 王沪宁 spoke.", [("Wang", 3, "PERSON")], [("Wang Huning", "PERSON")]),
    ("Huawei founder Ren Zhengfei (任正非) spoke.", [("Ren", 5, "PERSON")], [("Ren Zhengfei", "PERSON")]),
    ("Samsung Electronics 삼성전자 rose.", [("Samsung", 3, "ORG")], [("Samsung Electronics", "ORG")]),
    ("Premier Li Qiang spoke.", [("Premier", 3, "PERSON")], [("Li Qiang", "PERSON")]),
    ("Vice Foreign Minister Sun Weidong spoke.", [("Vice", 5, "PERSON")], [("Sun Weidong", "PERSON")]),
    ("Treasury Secretary Scott Bessent spoke.", [("Treasury", 4, "PERSON")], [("Scott Bessent", "PERSON")]),
])
def test_entity_keeps_only_the_name(nlp, text, ents, expected):
    assert entity_names(nlp, text, ents) == expected


@pytest.mark.parametrize("text, ents, expected", [
    ("王沪宁 spoke.", [("王沪宁", 1, "PERSON")], []),                          # nothing Latin left
    ("General Motors sold cars.", [("General", 2, "ORG")], [("General Motors", "ORG")]),  # titles: persons only
    ("Secretary spoke.", [("Secretary", 1, "PERSON")], [("Secretary", "PERSON")]),  # a title alone stays
    ("Moscow 2025 plans.", [("Moscow", 2, "GPE")], [("Moscow 2025", "GPE")]),
])
def test_entity_that_is_all_name_is_left_alone(nlp, text, ents, expected):
    assert entity_names(nlp, text, ents) == expected


def test_hyphenated_pair_after_an_abbreviation_is_two_names(nlp):
    assert [t.text for t in nlp("a U.S.–Taiwan deal and a U.K.-Japan pact")] == \
        ["a", "U.S.", "–", "Taiwan", "deal", "and", "a", "U.K.", "-", "Japan", "pact"]
    assert [t.text for t in nlp("a well-known e.g.-style co-founder")] == \
        ["a", "well", "-", "known", "e.g.-style", "co", "-", "founder"]


def test_hyphenated_pair_links_both_names():
    cards, _ = read_pack_file(FIXTURES / "mini-pack.toml")
    pack = Pack(cards)
    recognizer = Recognizer("", pack)
    texts = ["Chip talks: a U.S.–China deal."]
    links, _ = link_mentions(texts, recognizer.analyse(texts), pack, LinkOptions(), recognizer.has_ner)
    assert "china" in {link.card for link in links}


@pytest.fixture(scope="module")
def annotator(tmp_path_factory):
    config = make_config(tmp_path_factory.mktemp("names"), model=MODEL, bundled_pack=True, packs=())
    return create_app(config).extensions["contextcards"].annotator


def linked(annotator, text):
    result = annotator.annotate(AnnotateRequest(url="", title="", blocks=[("b0", text)], history=HistoryUse.NONE))
    return {link.text: link.card for link in result.links}


@pytest.mark.model
def test_office_before_a_name_links_both(annotator):
    found = linked(annotator, "Treasury Secretary Scott Bessent met Chinese officials in Geneva on Monday.")
    assert found.get("Treasury Secretary") == "united-states-secretary-of-the-treasury"
    assert found.get("Scott Bessent") == "scott-bessent"


@pytest.mark.model
def test_native_form_after_a_pack_name_does_not_break_its_link(annotator):
    found = linked(annotator, "Huawei founder Ren Zhengfei (任正非) said the company would survive.")
    assert found.get("Ren Zhengfei") == "ren-zhengfei"
