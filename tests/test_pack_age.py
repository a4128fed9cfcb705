"""Dates where facts go stale: as_of warnings in pack check, currency in pack stats, the card's age note."""

from datetime import date

import pytest

from contextcards.cli import main
from contextcards.knowledge import Card, age_note, parse_pack_text, read_pack_file
from contextcards.pack_writer import dump_pack

from conftest import FIXTURES


@pytest.mark.parametrize("as_of, today, note", [
    ("2025-06", date(2026, 12, 1), "as of June 2025 \u2014 may be out of date"),
    ("2025-06-14", date(2026, 12, 1), "as of June 2025 \u2014 may be out of date"),
    ("2024", date(2026, 12, 1), "as of 2024 \u2014 may be out of date"),
    ("2025-12", date(2026, 12, 1), None),  # twelve months: not yet
    ("2025-11", date(2026, 12, 1), "as of November 2025 \u2014 may be out of date"),
    ("2026-11", date(2026, 12, 1), None),
    (None, date(2026, 12, 1), None),
])
def test_a_card_over_a_year_old_says_so_calmly(as_of, today, note):
    assert age_note(as_of, today) == note
    card = Card(id="x", title="X", kind="org", summary="An org.", as_of=as_of)
    shown = card.to_json(today=today)
    assert shown.get("age_note") == note
    assert ("age_note" in shown) == (note is not None)


def test_a_refreshed_summary_does_not_hide_the_age_of_the_facts():
    card = Card(id="x", title="X", kind="org", summary="Fresh words.", as_of="2025-01", source="wikipedia",
                summary_refreshed="2026-11-30")
    shown = card.to_json(today=date(2026, 12, 1))
    assert shown["age_note"] == "facts as of January 2025 \u2014 may be out of date"
    assert shown["summary_refreshed"] == "2026-11-30" and shown["as_of"] == "2025-01"


def test_pack_check_warns_on_undated_cards_of_kinds_that_go_stale(runner, tmp_path):
    pack = tmp_path / "mine.toml"
    pack.write_text('[[card]]\nid = "quillon-labs"\ntitle = "Quillon Labs"\nkind = "org"\nsummary = "A lab."\n\n'
                    '[[card]]\nid = "quillon-idea"\ntitle = "Quillon idea"\nkind = "concept"\nsummary = "An idea."\n\n'
                    '[[card]]\nid = "quillon-act"\ntitle = "Quillon Act"\nkind = "law"\nsummary = "A law."\n'
                    'as_of = "2026-10"\n')
    result = runner.invoke(main, ["pack", "check", str(pack)])
    assert result.exit_code == 0
    assert result.output.splitlines() == [
        f"{pack}: card quillon-labs: warning: no as_of; a org card's facts go stale, say when they were checked",
        f"{pack}: ok (1 warning)"]


def test_pack_stats_prints_the_share_dated_the_oldest_date_and_the_share_with_wikipedia(runner, monkeypatch):
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    cards, _ = read_pack_file(FIXTURES / "mini-pack.toml")
    dated_kind = [c for c in cards if c.kind in ("person", "org", "product", "law", "policy", "event")]
    dated = sorted(c.as_of for c in dated_kind if c.as_of)
    with_title = sum(1 for c in cards if c.wikipedia)
    result = runner.invoke(main, ["pack", "stats"])
    assert result.exit_code == 0
    assert (f"as_of: {len(dated)} of {len(dated_kind)} person/org/product/law/policy/event cards "
            f"({100 * len(dated) / len(dated_kind):.1f}%); oldest {dated[0]}, newest {dated[-1]}") in result.output
    assert f"wikipedia: {with_title} of {len(cards)} cards ({100 * with_title / len(cards):.1f}%)" in result.output


def test_a_pack_file_written_from_cards_reads_back_as_the_same_cards():
    cards, problems = read_pack_file(FIXTURES / "mini-pack.toml")
    assert not problems
    tricky = Card(id="tricky", title='Quote " and back\\slash', kind="concept", summary="Summary: é, 𠀀, \x7f.",
                  aliases=("a \"b\"",), facts=("Tab\tin a fact",), as_of="2026-01")
    again, problems = parse_pack_text(dump_pack([*cards, tricky], "a header\nof two lines"), "x.toml")
    assert not problems
    assert again == [*cards, tricky]
    assert parse_pack_text(dump_pack([]), "empty.toml") == ([], [])
