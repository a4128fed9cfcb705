"""The development set: our own short articles, each with the cards a reader should get, and no others."""

import tomllib

import pytest

from contextcards.annotate import AnnotateRequest, HistoryUse
from contextcards.app import create_app
from contextcards.page_text import text_blocks

from conftest import FIXTURES, MODEL, make_config

ARTICLES = tomllib.loads((FIXTURES / "devset.toml").read_text(encoding="utf-8"))["article"]


@pytest.fixture(scope="module")
def annotator(tmp_path_factory):
    config = make_config(tmp_path_factory.mktemp("devset"), model=MODEL, bundled_pack=True, packs=())
    return create_app(config).extensions["contextcards"].annotator


def found_cards(annotator, text):
    blocks = [(f"b{i}", t) for i, t in enumerate(text_blocks(text))]
    result = annotator.annotate(AnnotateRequest(url="", title="", blocks=blocks, history=HistoryUse.NONE))
    return {link.card for link in result.links}


@pytest.mark.model
@pytest.mark.parametrize("article", ARTICLES, ids=[a["topic"] for a in ARTICLES])
def test_article_gets_exactly_the_expected_cards(annotator, article):
    found = found_cards(annotator, article["text"])
    expected = set(article["expect"])
    assert not expected - found, f"missing: {sorted(expected - found)}"
    assert not found - expected, f"unexpected: {sorted(found - expected)}"
