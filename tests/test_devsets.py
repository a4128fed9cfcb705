"""The development sets' data files (benchmarks/devsets): their gold is well formed and the fake-Wikipedia
fixture loads into the fake MediaWiki and answers the real API's way (redirects, disambiguation, missing)."""

import json
import tomllib
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from conftest import FIXTURES
from fake_mediawiki import FakeMediaWiki

DEVSETS = Path(__file__).resolve().parents[1] / "benchmarks" / "devsets"
NEWS = tomllib.loads((DEVSETS / "news-2026.toml").read_text(encoding="utf-8"))["article"]
SET1 = tomllib.loads((DEVSETS / "devset-1.toml").read_text(encoding="utf-8"))["article"]
WIKI = tomllib.loads((DEVSETS / "wikipedia-2026.toml").read_text(encoding="utf-8"))


def test_news_set_has_enough_articles_outlets_and_four_held_out():
    assert len(NEWS) >= 12
    assert len({a["outlet"] for a in NEWS}) >= 6
    assert sum(a.get("heldout", False) for a in NEWS) == 4
    assert all(a["published"].startswith("2026") and len(a["sha256"]) == 64 for a in NEWS)
    assert len({a["slug"] for a in NEWS}) == len(NEWS)


def test_every_gold_name_has_surfaces_an_identity_and_known_keys():
    for article in NEWS:
        for name in article["names"]:
            assert set(name) <= {"surface", "id", "core", "ambiguous", "accept", "occurrence"}, name
            assert name["surface"] and all(isinstance(s, str) and s for s in name["surface"]), name
            assert name["id"] and name["id"] == name["id"].strip(), name
        assert any(n.get("core") for n in article["names"]), article["slug"]


def test_set1_gold_covers_exactly_the_fixture_expectations():
    fixture = {a["topic"]: set(a["expect"]) for a in tomllib.loads((FIXTURES / "devset.toml").read_text())["article"]}
    assert {a["topic"]: {n["card"] for n in a["names"]} for a in SET1} == fixture


def test_every_wikipedia_identity_of_the_news_gold_is_a_page_of_the_fixture():
    titles = {p["title"] for p in WIKI["page"]}
    wanted = {n["id"] for a in NEWS for n in a["names"] if not n["id"].startswith("pack:")}
    assert wanted <= titles, sorted(wanted - titles)


def ask(wiki, title):
    query = urllib.parse.urlencode({"action": "query", "titles": title, "redirects": 1, "prop": "pageprops",
                                    "format": "json", "formatversion": 2})
    with urllib.request.urlopen(f"{wiki.url}?{query}", timeout=10) as response:
        return json.loads(response.read())["query"]


@pytest.fixture(scope="module")
def wiki():
    with FakeMediaWiki() as server:
        server.load(WIKI)
        yield server


def test_fixture_answers_redirects_disambiguation_and_missing_pages(wiki):
    answer = ask(wiki, "Nvidia Corporation")
    assert answer["redirects"] == [{"from": "Nvidia Corporation", "to": "Nvidia"}]
    assert answer["pages"][0]["title"] == "Nvidia"
    assert "disambiguation" in ask(wiki, "Washington")["pages"][0]["pageprops"]
    assert "pageprops" not in ask(wiki, "Washington, D.C.")["pages"][0] or \
        "disambiguation" not in ask(wiki, "Washington, D.C.")["pages"][0]["pageprops"]
    assert ask(wiki, "MATCH Act")["pages"][0].get("missing") is True
