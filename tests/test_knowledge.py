"""The knowledge pack: the loader's checks, and the bundled pack's schema, ids, limits and clashes."""

from collections import Counter

import pytest

from contextcards.errors import PackError
from contextcards.knowledge import (BUNDLED_DIR, KINDS, Pack, alias_key, check_pack_file, is_acronym, load_pack, pack_files,
                                    read_pack_file, unknown_metonyms, wikipedia_url)



@pytest.fixture(scope="module")
def bundled_cards():
    cards = []
    for path in pack_files():
        found, problems = read_pack_file(path)
        assert problems == [], problems
        cards.extend(found)
    return cards


def test_bundled_files_parse_without_problems(bundled_cards):
    assert len(bundled_cards) >= 80


def test_ids_are_unique_across_files(bundled_cards):
    counts = Counter(card.id for card in bundled_cards)
    assert [card_id for card_id, n in counts.items() if n > 1] == []


def test_no_unguarded_alias_clash_and_no_shared_wikipedia_title(bundled_cards):
    assert [message for message, _ in Pack(bundled_cards).clashes()] == []


def test_summaries_are_whole_sentences_of_some_substance(bundled_cards):
    """The loader already refuses markup and summaries over MAX_SUMMARY; this is what it cannot check."""
    for card in bundled_cards:
        assert len(card.summary) >= 20, card.id
        assert card.summary.rstrip()[-1] in ".!?\")'", card.id


def test_each_card_has_two_to_four_facts(bundled_cards):
    for card in bundled_cards:
        assert 2 <= len(card.facts) <= 4, card.id


def test_every_alias_leads_to_one_card_or_has_a_rule(bundled_cards):
    owners = {}
    for entry in Pack(bundled_cards).aliases:
        if entry.guard is None:
            owners.setdefault(alias_key(entry.text), set()).add(entry.card_id)
    assert {k: v for k, v in owners.items() if len(v) > 1} == {}


def test_guards_without_label_or_context_rely_on_a_capital(bundled_cards):
    """Exact case is the only evidence such a guard has: it must carry a capital letter."""
    for card in bundled_cards:
        for guard in card.guarded:
            if not (guard.labels or guard.context):
                assert any(c.isupper() for c in guard.alias), f"{card.id}: guard {guard.alias!r} has no evidence"


def test_no_bare_english_stop_words_as_aliases(bundled_cards):
    from spacy.lang.en.stop_words import STOP_WORDS

    for card in bundled_cards:
        for alias in (card.title, *card.aliases):
            assert is_acronym(alias) or alias.lower() not in STOP_WORDS, f"{card.id}: {alias!r}"


def test_every_kind_has_cards(bundled_cards):
    """The loader refuses unknown kinds; a kind no card uses is one the pack forgot (or KINDS should lose)."""
    assert {card.kind for card in bundled_cards} == set(KINDS)


def test_load_pack_merges_user_pack_over_bundled(tmp_path):
    mine = tmp_path / "mine.toml"
    mine.write_text('[[card]]\nid = "mayo-clinic"\ntitle = "Mayo Clinic"\nkind = "org"\n'
                    'summary = "My own note on the clinic."\nfacts = ["a: b", "c: d"]\n', encoding="utf-8")
    pack = load_pack((mine,))
    assert pack.get("mayo-clinic").summary == "My own note on the clinic."


@pytest.mark.parametrize(
    "snippet, message",
    [
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "' + "a" * 321 + '"', "limit is 320"),
        ('id = "x"\ntitle = "X"\nkind = "thing"\nsummary = "ok."', "kind must be one of"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\nfacts = ["' + "f" * 81 + '"]', "longer than 80"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\nfacts = ["<b>bold</b>"]', "plain text"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "Hi <script>alert(1)</script>"', "plain text"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\nfacts = "one"', "facts must be a list"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\nas_of = "soon"', "as_of"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\ncolour = "red"', "unknown keys"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\n[[card.guarded]]\nlabel = "ORG"', "guarded"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\nmetonyms = "Beijing"', "metonyms must be a list"),
        ('id = "x"\ntitle = "X"\nkind = "org"\nsummary = "ok."\nmetonyms = ["Beijing", " "]', "metonyms must be a list"),
    ],
)
def test_loader_names_each_problem(tmp_path, snippet, message):
    path = tmp_path / "bad.toml"
    path.write_text("[[card]]\n" + snippet + "\n", encoding="utf-8")
    cards, problems = read_pack_file(path)
    assert cards == [] and any(message in p for p in problems), problems
    assert all(str(path) in p for p in problems)


def test_wikipedia_url_escapes_the_title():
    assert wikipedia_url("Xi Jinping") == "https://en.wikipedia.org/wiki/Xi_Jinping"
    assert wikipedia_url("Tōkyō Electron") == "https://en.wikipedia.org/wiki/T%C5%8Dky%C5%8D_Electron"
    assert wikipedia_url(None) is None


def test_bundled_dir_is_inside_the_package():
    assert BUNDLED_DIR.name == "knowledge" and (BUNDLED_DIR / "FORMAT.md").exists()


def test_guards_do_not_vouch_for_each_other(bundled_cards):
    """Two common words guarding each other ("wafer" and "foundry") would link on a bakery page."""
    lowercase_guards = {g.alias.lower() for card in bundled_cards for g in card.guarded if g.alias.islower()}
    for card in bundled_cards:
        for guard in card.guarded:
            if guard.alias.islower():
                assert not [w for w in guard.context if w.islower() and w in lowercase_guards], (card.id, guard.alias)


GOVERNMENT = ('[[card]]\nid = "gov-x"\ntitle = "Government of X"\nkind = "org"\nsummary = "The state of X."\n'
              'facts = ["Seat: Old Palace, Xton", "Head: the king"]\nmetonyms = [{}]\n')


@pytest.mark.parametrize("metonyms", ['"Beijing"', '"Washington"', '"Old Palace"', '"Xton"', '"Government of X"'])
def test_metonym_names_a_card_or_the_cards_own_seat(tmp_path, metonyms):
    """Beijing is a card title, Washington a guarded alias, Old Palace and Xton the card's own seat."""
    path = tmp_path / "gov.toml"
    path.write_text(GOVERNMENT.format(metonyms), encoding="utf-8")
    assert check_pack_file(path) == []
    assert load_pack((path,)).get("gov-x").metonyms == (metonyms.strip('"'),)


@pytest.mark.parametrize("metonyms", ['"Atlantis"', '"Head"', '"Palace"'])
def test_metonym_naming_nothing_known_is_a_problem(tmp_path, metonyms):
    path = tmp_path / "gov.toml"
    path.write_text(GOVERNMENT.format(metonyms), encoding="utf-8")
    problems = check_pack_file(path)
    assert len(problems) == 1 and str(path) in problems[0] and "gov-x" in problems[0], problems
    assert f"metonym {metonyms.strip(chr(34))!r}" in problems[0]
    with pytest.raises(PackError, match="gov-x"):
        load_pack((path,))


def test_bundled_metonyms_all_name_a_card_or_a_seat(bundled_cards):
    assert unknown_metonyms(bundled_cards) == []
    assert sum(len(card.metonyms) for card in bundled_cards) >= 10
