"""Bundled cards for countries, governments, offices and fab towns: the guarded names link on the page they
belong to and stay silent on the page that means something else."""

import pytest

from contextcards.annotate import AnnotateRequest, HistoryUse
from contextcards.app import create_app
from contextcards.page_text import text_blocks

from conftest import make_config


@pytest.fixture(scope="module")
def annotator(tmp_path_factory):
    config = make_config(tmp_path_factory.mktemp("places"), bundled_pack=True, packs=())
    return create_app(config).extensions["contextcards"].annotator


def linked(annotator, text):
    """The ids of the cards the server links in one page."""
    blocks = [(f"b{i}", t) for i, t in enumerate(text_blocks(text))]
    result = annotator.annotate(AnnotateRequest(url="", title="", blocks=blocks, history=HistoryUse.NONE))
    return {link.card for link in result.links}


LINKS = [
    ("GlobalFoundries said its fab in Malta will add capacity. Fab 8 in Saratoga County employs thousands.",
     "malta-new-york"),
    ("Intel is expanding in Hillsboro, where its Oregon research fabs are.", "hillsboro-oregon"),
    ("Samsung will make Tesla's AI6 chips at its Taylor fab in Texas.", "taylor-texas"),
    ("Micron broke ground in Clay, near Syracuse, on its megafab.", "clay-new-york"),
    ("Roast the bird, then fly to Turkey: Ankara and Istanbul await.", "turkey"),
    ("Treasury Secretary Scott Bessent met Chinese officials in Geneva.", "united-states-secretary-of-the-treasury"),
    ("Britain's science secretary announced a new AI plan with DSIT.",
     "uk-secretary-of-state-for-science-innovation-and-technology"),
    ("Commerce Secretary Howard Lutnick said the Commerce Department would act.", "united-states-secretary-of-commerce"),
    ("The Kremlin said talks would continue.", "kremlin"),
    ("The Chinese government objected to the new rules.", "government-of-china"),
]

SILENT = [
    ("Malta is an island nation in the Mediterranean Sea. Valletta is its capital.", "malta-new-york"),
    ("Hillsboro voters approved a new school levy on Tuesday.", "hillsboro-oregon"),
    ("Taylor Swift played three nights in Houston, Texas.", "taylor-texas"),
    ("Clay soil drains slowly. Clay pots keep roots cool.", "clay-new-york"),
    ("Roast the turkey for three hours and serve it with chile peppers.", "turkey"),
    ("Roast the turkey for three hours and serve it with chile peppers.", "chile"),
    ("Georgia's Secretary of State certified the county results.", "united-states-secretary-of-state"),
    ("Commerce Secretary Rajesh Agrawal said India's exports rose in March.", "united-states-secretary-of-commerce"),
    ("India's national security adviser met officials in New Delhi.", "united-states-national-security-advisor"),
    ("He moved to Albany, Western Australia, to fish.", "albany-new-york"),
]


@pytest.mark.model
@pytest.mark.parametrize("text, card", LINKS, ids=[card for _, card in LINKS])
def test_name_links_on_its_own_page(annotator, text, card):
    assert card in linked(annotator, text)


@pytest.mark.model
@pytest.mark.parametrize("text, card", SILENT, ids=[card for _, card in SILENT])
def test_name_stays_silent_on_a_page_about_something_else(annotator, text, card):
    assert card not in linked(annotator, text)
