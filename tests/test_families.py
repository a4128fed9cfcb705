"""Family members ("Llama 4", "Xeon 6", "Pixel 9 Pro") link to the family's card as that member, on a blank
pipeline; the family format is validated; the bundled pack's families fire on their own pages only."""

import textwrap

import pytest

from contextcards.families import FAMILY
from contextcards.knowledge import Pack, check_pack_file, load_pack, read_pack_file
from contextcards.linking import LinkOptions, first_mentions, link_mentions
from contextcards.recognition import Recognizer

PACK = '''
[[card]]
id = "llama"
title = "Llama"
kind = "product"
aliases = ["Llama 4"]
summary = "Meta's family of open-weight language models."
as_of = "2025-06"
[card.family]
stems = ["Llama"]
versions = '\\d+(?:\\.\\d+)?'
suffixes = ["Scout", "Maverick"]
member = "a model in Meta's Llama family"
context = ["Meta", "model", "AI"]

[[card]]
id = "llama-2"
title = "Llama 2"
kind = "product"
summary = "Meta's second Llama model, released in July 2023."

[[card]]
id = "xeon"
title = "Xeon"
kind = "product"
aliases = ["Intel Xeon"]
summary = "Intel's line of server processors."
as_of = "2026-01"
[card.family]
stems = ["Xeon", "Intel Xeon"]
versions = '\\d+'
suffixes = ["Max", "Platinum", "Gold"]
member = "a processor in Intel's Xeon line"

[[card]]
id = "pixel"
title = "Google Pixel"
kind = "product"
summary = "Google's line of Android phones."
as_of = "2025-08"
[card.family]
stems = ["Pixel"]
versions = '\\d+a?'
suffixes = ["Pro", "XL", "Fold"]
member = "a phone in Google's Pixel line"
context = ["Google", "Android", "phone", "phones", "smartphone"]
'''


@pytest.fixture(scope="module")
def pack(tmp_path_factory):
    path = tmp_path_factory.mktemp("families") / "families.toml"
    path.write_text(PACK)
    cards, problems = read_pack_file(path)
    assert not problems
    return Pack(cards)


@pytest.fixture(scope="module")
def recognizer(pack):
    return Recognizer("", pack)


def links(recognizer, pack, *texts):
    found, _ = link_mentions(list(texts), recognizer.analyse(list(texts)), pack, LinkOptions(), recognizer.has_ner)
    return first_mentions(found)


def test_member_links_to_the_family_card_as_that_member(recognizer, pack):
    found = links(recognizer, pack, "Meta released Llama 5 Maverick this week.")
    assert [(l.text, l.card) for l in found] == [("Llama 5 Maverick", "llama~Llama 5 Maverick")]
    assert found[0].confidence == FAMILY < 0.9
    card = pack.get("llama~Llama 5 Maverick")
    assert card.title == "Llama 5 Maverick" and card.member_of == "llama"
    assert card.facts[0] == "A model in Meta's Llama family; this card describes the family as of 2025-06"
    assert card.to_json()["family"] == "llama" and card.summary == pack.cards["llama"].summary


def test_a_member_the_pack_knows_exactly_keeps_its_own_card(recognizer, pack):
    found = links(recognizer, pack, "Meta compared Llama 2 with Llama 4 and Llama 3.")
    assert [(l.text, l.card) for l in found] == [("Llama 2", "llama-2"), ("Llama 4", "llama"),
                                                 ("Llama 3", "llama~Llama 3")]


def test_product_name_with_model_number_is_taken_whole(recognizer, pack):
    found = links(recognizer, pack, "Xeon 6 processors and the Intel Xeon 6 Max sell well; so does Xeon.")
    assert [(l.text, l.card) for l in found] == [("Xeon 6", "xeon~Xeon 6"), ("Intel Xeon 6 Max", "xeon~Intel Xeon 6 Max"),
                                                 ("Xeon", "xeon")]


def test_guarded_family_needs_its_context_outside_the_members(recognizer, pack):
    assert links(recognizer, pack, "He ran the race in Pixel 9 times out of ten.") == []
    assert links(recognizer, pack, "A Pixel 9 Pro and a Pixel 8a on the table.") == []
    found = links(recognizer, pack, "Google's Pixel 9 Pro is the best Android phone.")
    assert [(l.text, l.card) for l in found] == [("Pixel 9 Pro", "pixel~Pixel 9 Pro")]


def test_ordinary_text_does_not_fire(recognizer, pack):
    for text in ["Turbo 2 engines roared.", "A llama 4 years old.", "Llamas 4 sale.", "Llama4ever is a band name.",
                 "Meta's Llama model, not Llama-ish.", "Xeon6x was a typo."]:
        assert all("~" not in l.card for l in links(recognizer, pack, text)), text


def test_member_ids_resolve_only_for_names_that_fit(pack):
    assert pack.get("llama~Llama 7") is not None
    assert pack.get("llama~Bogus") is None
    assert pack.get("llama-2~Llama 2 Pro") is None  # no family declared
    assert pack.get("nothing~Llama 7") is None


def problems_of(tmp_path, family: str) -> list[str]:
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent('''
        [[card]]
        id = "zz-test-family"
        title = "Zzfamily"
        kind = "product"
        summary = "A test family."
        [card.family]
        ''') + textwrap.dedent(family))
    return check_pack_file(path)


@pytest.mark.parametrize("family, message", [
    ('member = "a thing"\nversions = "\\\\d+"', "stems"),
    ('stems = ["Zz"]\nversions = "\\\\d+"', "member"),
    ('stems = ["Zz"]\nmember = "a thing"', "versions, suffixes or both"),
    ('stems = ["Zz"]\nmember = "a thing"\nversions = "(\\\\d+"', "not a valid regular expression"),
    ('stems = ["Zz"]\nmember = "a thing"\nversions = "\\\\d*"', "empty"),
    ('stems = ["Zz"]\nmember = "a thing"\nversions = "(\\\\d+)"', "must not capture"),
    ('stems = ["Zz"]\nmember = "a thing"\nsuffixes = ["two words"]', "single words"),
    ('stems = ["Zz"]\nmember = "a thing"\nversions = "\\\\d+"\npattern = "x"', "may only have"),
])
def test_pack_check_reports_a_bad_family(tmp_path, family, message):
    problems = problems_of(tmp_path, family)
    assert any(message in p for p in problems), problems


def test_pack_check_accepts_a_good_family(tmp_path):
    assert problems_of(tmp_path, 'stems = ["Zz"]\nmember = "a thing"\nversions = "\\\\d+"\nsuffixes = ["Pro"]') == []


@pytest.fixture(scope="module")
def bundled():
    pack = load_pack()
    return pack, Recognizer("", pack)


@pytest.mark.parametrize("text, name, family", [
    ("DeepSeek-V3.2 is out, DeepSeek said.", "DeepSeek-V3.2", "deepseek-v3"),
    ("Qualcomm's Snapdragon 8 Elite chip powers the phone.", "Snapdragon 8 Elite", "qualcomm-snapdragon"),
    ("Google launched Gemini 2.5 Flash for AI developers.", "Gemini 2.5 Flash", "gemini"),
    ("Huawei plans the Ascend 960 AI chip for 2027.", "Ascend 960", "huawei-ascend"),
    ("Alibaba released Qwen3-Max.", "Qwen3-Max", "qwen"),
    ("Nvidia's B100 GPU was cancelled.", "B100", "nvidia-blackwell"),
])
def test_bundled_families_name_their_members(bundled, text, name, family):
    pack, recognizer = bundled
    found = {l.text: l.card for l in links(recognizer, pack, text)}
    assert found.get(name) == f"{family}~{name}"


@pytest.mark.parametrize("text", [
    "Bert and Ernie 2 sang on the show.",
    "The B200 bus route and the B100 road.",
    "The M5 motorway was closed near the A38 junction.",
    "Gemini 3 astronauts trained in Houston.",
])
def test_bundled_families_stay_silent_on_ordinary_pages(bundled, text):
    pack, recognizer = bundled
    assert all("~" not in l.card for l in links(recognizer, pack, text))


def test_the_readers_correction_of_a_member_comes_first(recognizer, pack):
    texts = ["Meta released Llama 5 and Llama 6."]
    options = LinkOptions(corrections={"llama 5": None, "llama 6": "llama-2"})
    found, unlinked = link_mentions(texts, recognizer.analyse(texts), pack, options, recognizer.has_ner)
    assert [(l.text, l.card) for l in found] == [("Llama 6", "llama-2")]
