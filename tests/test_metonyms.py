"""Places that stand for governments: both readings, from the words around the name (no model needed), then
through the real pipeline with the bundled pack."""

import re

import pytest

from contextcards.annotate import AnnotateRequest, HistoryUse
from contextcards.app import create_app
from contextcards.knowledge import load_pack
from contextcards.metonyms import BODY, CONFLICT, PLACE, Metonyms

from conftest import MODEL, make_config

# The government, institution or bloc acts, speaks or owns a decision.
ACTS = [
    ("Moscow retaliated with bans on Western chip equipment.", "Moscow"),
    ("Ottawa's new curbs on Chinese investment took effect on Monday.", "Ottawa"),
    ("The measures followed months of pressure from Brussels on member states.", "Brussels"),
    ("Talks between Seoul and Taipei on chip supply chains stalled.", "Seoul"),
    ("Talks between Seoul and Taipei on chip supply chains stalled.", "Taipei"),
    ("Seoul and Taipei weighed in on the tariff threat within hours.", "Taipei"),
    ("Beijing said the export controls violated trade rules.", "Beijing"),
    ("Washington weighs a new restriction on lithography tools.", "Washington"),
    ("The Netherlands is lobbying Washington against the bill.", "Washington"),
    ("Dutch ministers are urging Washington to reconsider.", "Washington"),
    ("Brussels isn't calling this a retreat.", "Brussels"),
    ("Why is Brussels hitting pause on the AI Act?", "Brussels"),
    ("Tokyo has tightened its own rules on chipmaking tools.", "Tokyo"),
    ("Beijing's response was swift: a ban on gallium exports.", "Beijing"),
    ("Washington's export controls now cover high-bandwidth memory.", "Washington"),
    ("Analysts expect tensions with Beijing to rise after the vote.", "Beijing"),
    ("The deal with Tokyo includes a $550 billion investment pledge.", "Tokyo"),
    ("New Delhi announced a subsidy scheme for chip packaging plants.", "New Delhi"),
    ("According to Beijing, the probe is routine.", "Beijing"),
    ("Officials in Beijing declined to comment on the report.", "Beijing"),
    ("The approval comes after months of debate in Washington over AI chips.", "Washington"),
    ("Canberra will also review the lease of the port.", "Canberra"),
    ("Taipei has repeatedly warned that its best nodes stay at home.", "Taipei"),
    ("Moscow denied any role in the cyberattack.", "Moscow"),
    ("Berlin quickly approved the subsidy for the Magdeburg fab.", "Berlin"),
    ("Paris pushed for a tougher line on American tech giants.", "Paris"),
    ("Seoul's chip strategy leans on Samsung and SK Hynix.", "Seoul"),
    ("Critics accused Beijing of dumping legacy chips.", "Beijing"),
    ("The ruling drew criticism from Washington and Brussels alike.", "Brussels"),
    ("The ruling drew criticism from Washington and Brussels alike.", "Washington"),
    ("Kyiv asked for more air-defence systems.", "Kyiv"),
    ("A Moscow-backed group claimed the attack.", "Moscow"),
    ("Ties with Ottawa have frayed since the arrest.", "Ottawa"),
    ("Tehran vowed to respond to the sanctions.", "Tehran"),
]

# The place itself: where something is, where someone goes.
PLACES = [
    ("A startup in Moscow raised $20 million for its chatbot.", "Moscow"),
    ("The minister flew to Seoul for the signing.", "Seoul"),
    ("She grew up near Ottawa and studied engineering.", "Ottawa"),
    ("The company opened a research lab in Beijing last year.", "Beijing"),
    ("Traffic in Tokyo was heavy after the typhoon.", "Tokyo"),
    ("Dutch Trade Minister Sjoerd Sjoerdsma traveled to Washington to meet lawmakers.", "Washington"),
    ("A Beijing-based chip designer filed for an IPO.", "Beijing"),
    ("Beijing's streets were quiet during the holiday.", "Beijing"),
    ("Moscow's subway is among the busiest in the world.", "Moscow"),
    ("Beijing hosted the Winter Olympics in 2022.", "Beijing"),
    ("The conference moved from Paris to Berlin this year.", "Berlin"),
    ("The conference moved from Paris to Berlin this year.", "Paris"),
    ("Its headquarters sit outside Taipei, in Hsinchu.", "Taipei"),
    ("He visited Taipei in March to meet suppliers.", "Taipei"),
    ("Data centres around Tokyo are short of power.", "Tokyo"),
    ("Seoul's residents complained about fine dust.", "Seoul"),
    ("The summit was held at a hotel in Brussels.", "Brussels"),
    ("A Kyiv-based drone maker doubled its output.", "Kyiv"),
    ("The train from Berlin to Warsaw takes six hours.", "Berlin"),
    ("Rents in New Delhi rose sharply.", "New Delhi"),
    ("The airline added flights to Canberra.", "Canberra"),
    ("Engineers left Moscow for Dubai after 2022.", "Moscow"),
    ("Tokyo's weather turned cold overnight.", "Tokyo"),
    ("The museum is located near Beijing, in Hebei.", "Beijing"),
    ("A fire broke out across Ottawa's downtown.", "Ottawa"),
    ("Most of the team lives in Seoul.", "Seoul"),
    ("He was born in Tehran and moved to Canada.", "Tehran"),
    ("The company shipped servers to Washington state.", "Washington"),
    ("The startup scene of Paris keeps growing.", "Paris"),
    ("Prices inside Brussels are higher than elsewhere in Belgium.", "Brussels"),
    ("Washington lies on the Potomac River.", "Washington"),
    ("We landed in Taipei after midnight.", "Taipei"),
]

# The words around the name pull both ways: no government card.
DISAGREE = [
    ("Officials in Beijing's suburbs said the roads would reopen.", "Beijing"),
]


@pytest.fixture(scope="module")
def metonyms():
    return Metonyms(load_pack())


def reading(metonyms, text, name):
    spans = [(m.start(), m.end()) for name_ in metonyms.body for m in re.finditer(r"\b" + re.escape(name_) + r"\b", text)]
    spans = sorted(s for s in spans if not any(o != s and o[0] <= s[0] and s[1] <= o[1] for o in spans))
    found = {text[r.start:r.end]: r for r in metonyms.read(text, spans)}
    return found[name]


def test_sixty_sentences_half_each_way():
    assert len(ACTS) >= 30 and len(PLACES) >= 30 and len(ACTS) + len(PLACES) >= 60


@pytest.mark.parametrize("text, name", ACTS)
def test_acting_place_stands_for_its_government(metonyms, text, name):
    found = reading(metonyms, text, name)
    assert found.reading == BODY
    assert found.card == metonyms.card_for(name)


@pytest.mark.parametrize("text, name", PLACES)
def test_place_stays_a_place(metonyms, text, name):
    found = reading(metonyms, text, name)
    assert found.reading in (PLACE, None)
    assert found.card is None


@pytest.mark.parametrize("text, name", DISAGREE)
def test_disagreeing_cues_give_nothing(metonyms, text, name):
    found = reading(metonyms, text, name)
    assert found.reading == CONFLICT and found.card is None


def test_the_pack_declares_the_seats(metonyms):
    assert metonyms.card_for("Beijing") == "government-of-china"
    assert metonyms.card_for("Brussels") == "european-union"
    assert metonyms.card_for("Foggy Bottom") == "united-states-department-of-state"
    assert metonyms.card_for("Kremlin") is None  # the Kremlin card's own name: an ordinary alias


@pytest.fixture(scope="module")
def annotator(tmp_path_factory):
    config = make_config(tmp_path_factory.mktemp("metonyms"), model=MODEL, bundled_pack=True, packs=())
    return create_app(config).extensions["contextcards"].annotator


def links(annotator, text):
    result = annotator.annotate(AnnotateRequest(url="", title="", blocks=[("b0", text)], history=HistoryUse.NONE))
    return {link.text: link.card for link in result.links}


@pytest.mark.model
def test_pipeline_links_the_government_when_the_place_acts(annotator):
    found = links(annotator, "Beijing retaliated within hours, and Brussels said it would wait.")
    assert found.get("Beijing") == "government-of-china"
    assert found.get("Brussels") == "european-union"


@pytest.mark.model
def test_pipeline_keeps_the_city_when_it_is_a_place(annotator):
    found = links(annotator, "The start-up opened an office in Beijing, and its founder flew to Brussels.")
    assert found.get("Beijing") == "beijing"
    assert "government-of-china" not in found.values() and "european-union" not in found.values()


def test_a_verb_after_a_place_preposition_is_the_subjects(metonyms):
    found = reading(metonyms, "Some companies in Brussels lobbying circles asked for a pause.", "Brussels")
    assert found.reading == PLACE and found.card is None
    found = reading(metonyms, "A firm in Moscow said sales fell.", "Moscow")
    assert found.reading == PLACE and found.card is None
