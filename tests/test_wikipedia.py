"""Wikipedia cards: the real wikipedia-api client against a fake MediaWiki on loopback; cache, breaker, app, CLI."""

import json
import subprocess
import sys
import time
from types import SimpleNamespace
from urllib.parse import quote, unquote

import pytest

from contextcards.app import create_app
from contextcards.cli import main
from contextcards.knowledge import MARKUP, load_pack
from contextcards.linking import Link, LinkOptions, Unlinked, first_mentions
from contextcards.store import Store
from contextcards.wikipedia.client import Breaker, WikipediaClient, normalize_title
from contextcards.wikipedia.cache import FOUND_TTL, MISS_TTL, MemoryTable, card_id_for, title_for
from contextcards.wikipedia.cards import WikipediaCards
from contextcards.wikipedia.text import summarize

from conftest import FIXTURES, annotate_body, loopback_client, make_config
from fake_mediawiki import FakeMediaWiki

HOLD_STORE = """
import sys
from contextcards.store import Store
store = Store(sys.argv[1])
print("holding", flush=True)
sys.stdin.read()
store.close()
"""
LONG = " ".join(f"Sentence number {i} of a very long introduction goes on and on about nothing." for i in range(40))


class Clock:
    """A clock the test moves by hand (used for both monotonic and wall time)."""

    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def fill(wiki: FakeMediaWiki) -> FakeMediaWiki:
    wiki.add("Lisa Su", "Lisa Su (born 7 November 1969) is a Taiwanese-American business executive and electrical "
             "engineer. She is the chief executive of AMD. She joined AMD in 2012.",
             "Taiwanese-American business executive")
    wiki.add("Advanced Micro Devices", "Advanced Micro Devices, Inc. (AMD) is an American multinational semiconductor "
             "company based in Santa Clara, California.", "American semiconductor company")
    wiki.redirect("AMD", "Advanced Micro Devices")
    wiki.add("Taipei", "Taipei is the capital and a special municipality of Taiwan.", "Capital of Taiwan")
    wiki.add("Mercury", "Mercury may refer to: Mercury (planet), Mercury (element).", "", disambiguation=True)
    wiki.add("Apple", "An apple is a round, edible fruit produced by an apple tree.", "Fruit that grows on a tree")
    wiki.add("Apple Inc.", "Apple Inc. is an American multinational technology company. It makes the iPhone, "
             "and Tim Cook is its chief executive.", "American multinational technology company")
    wiki.add("Apple Records", "Apple Records is a record label founded by the Beatles in 1968.", "British record label")
    wiki.add("Jensen Huang", "Jensen Huang (born 1963) is a Taiwanese-American businessman who co-founded Nvidia. "
             "He is its president and chief executive.", "American businessman")
    wiki.add("Huang Xiaoming", "Huang Xiaoming (born 1977) is a Chinese actor and singer.", "Chinese actor")
    wiki.add("AC/DC", "AC/DC are an Australian rock band formed in Sydney in 1973.", "Australian rock band")
    wiki.add("Zürich", "Zürich is the largest city in Switzerland and the capital of the canton of Zürich.",
             "City in Switzerland")
    wiki.add("Evil Corp", "<p>Evil Corp is a <b>company</b> that sells <a href=\"x\">widgets</a>.</p>"
             "<script>alert('owned')</script><style>p{}</style> It was founded in &lt;script&gt;2001&lt;/script&gt; "
             "by <i>Eve</i> &amp; friends.", "Widget company<img src=x onerror=alert(1)>")
    wiki.add("Longwinded Group", "Longwinded Group is a company. " + LONG, "Company")
    wiki.add("Runon Institute", "Runon Institute is an organisation " + "that goes on " * 60 + "forever.", "Institute")
    wiki.redirect("Huang family", "Jensen Huang#Family")
    return wiki


@pytest.fixture
def wiki():
    with FakeMediaWiki() as server:
        yield fill(server)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_cards(tmp_path, wiki, clock):
    """A WikipediaCards service on the fake server (closed after the test); keyword args override settings."""
    made = []

    def factory(table=None, api=None, timeout=2.0, **settings):
        config = make_config(tmp_path, **{"offline": False, "wikipedia_api": api or wiki.url, **settings})
        pack = load_pack((FIXTURES / "mini-pack.toml",), False)
        cards = WikipediaCards(config, pack, table if table is not None else MemoryTable(), clock=clock, now=clock,
                               timeout=timeout)
        made.append(cards)
        return cards

    yield factory
    for cards in made:
        cards.close()


def page(*names, save=True, all_mentions=False, links=()):
    """A page after linking: one block naming each (text, label) once, with the given pack links."""
    unlinked, start = [], 0
    for name, label in names:
        unlinked.append(Unlinked(0, start, start + len(name), name, label))
        start += len(name) + 2
    return SimpleNamespace(unlinked=unlinked, links=list(links), cards={}, save=save, all_mentions=all_mentions)


def enrich(cards, result):
    """What the annotator does with Wikipedia: resolve, merge in page order, first mentions unless all are wanted."""
    found_links, found_cards = cards.resolve(result.unlinked, result.links, LinkOptions(), persist=result.save)
    links = sorted([*result.links, *found_links], key=lambda link: (link.block, link.start))
    result.links = links if result.all_mentions else first_mentions(links)
    result.cards.update({card_id: card.to_json() for card_id, card in found_cards.items()})


def card_json(cards, card_id):
    """The card source's answer as the card route shows it."""
    card = cards.card(card_id)
    return card.to_json() if card else None


def wait_ready(cards, card_id, seconds=5.0):
    """Poll the card source until the card is no longer pending."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        card = card_json(cards, card_id)
        if card is None or card.get("status") != "pending":
            return card
        time.sleep(0.02)
    raise AssertionError(f"{card_id} still pending")


# -- the client ---------------------------------------------------------------------------------


def test_exact_page_redirect_normalisation_disambiguation_and_missing(wiki):
    client = WikipediaClient(wiki.url)
    try:
        found = client.fetch(["Lisa Su", "AMD", "taipei", "Mercury", "No Such Page", "Huang family"])
    finally:
        client.close()
    assert found["Lisa Su"].status == "found" and found["Lisa Su"].title == "Lisa Su"
    assert found["Lisa Su"].description == "Taiwanese-American business executive"
    assert found["AMD"].status == "found" and found["AMD"].title == "Advanced Micro Devices" and found["AMD"].redirected
    assert found["taipei"].title == "Taipei" and not found["taipei"].redirected
    assert found["Mercury"].status == "disambiguation"
    assert found["No Such Page"].status == "missing"
    assert found["Huang family"].status == "unusable"  # a redirect to a section is about something narrower
    assert len(wiki.requests) == 1


def test_requests_name_the_project_and_use_one_batch(wiki):
    client = WikipediaClient(wiki.url)
    try:
        client.fetch(["Lisa Su", "Taipei"])
    finally:
        client.close()
    (request,) = wiki.requests
    assert request["_user_agent"].startswith("ContextCards/0.1.0 (https://github.com/contextcards/contextcards;")
    assert request["titles"] == "Lisa Su|Taipei"
    assert request["prop"] == "extracts|pageprops|info" and request["exintro"] == "1" and request["explaintext"] == "1"
    assert request["redirects"] == "1" and request["converttitles"] == "1" and request["formatversion"] == "2"


def test_html_and_script_in_an_extract_come_out_as_plain_text(wiki):
    client = WikipediaClient(wiki.url)
    try:
        result = client.fetch(["Evil Corp"])["Evil Corp"]
    finally:
        client.close()
    assert result.summary == "Evil Corp is a company that sells widgets. It was founded in by Eve & friends."
    for text in (result.summary, result.description):
        assert not MARKUP.search(text) and "<" not in text and "alert" not in text and "owned" not in text


def test_a_very_long_extract_becomes_at_most_three_sentences_within_320_characters(wiki):
    client = WikipediaClient(wiki.url)
    try:
        found = client.fetch(["Longwinded Group", "Runon Institute"])
    finally:
        client.close()
    long = found["Longwinded Group"].summary
    assert long.startswith("Longwinded Group is a company. Sentence number 0") and long.endswith(".")
    assert len(long) <= 320 and long.count(". ") <= 2
    runon = found["Runon Institute"].summary
    assert len(runon) <= 320 and runon.endswith("\u2026") and " that goes on " in runon


@pytest.mark.parametrize("extract, summary", [
    ("Xi Jinping (/\u02c8\u0283i\u02d0/; Chinese: \u4e60\u8fd1\u5e73; born 15 June 1953) is a Chinese politician.",
     "Xi Jinping is a Chinese politician."),
    ("Gina Raimondo (born 1971) is an American politician. She was governor. Third. Fourth.",
     "Gina Raimondo (born 1971) is an American politician. She was governor. Third."),
    ("Apple Inc. is based in the U.S. state of California. It was founded by Steve Jobs.",
     "Apple Inc. is based in the U.S. state of California. It was founded by Steve Jobs."),
    ("&lt;b&gt;Bold&lt;/b&gt; claim.", "Bold claim."),
    ("", ""),
])
def test_summaries_are_whole_plain_sentences(extract, summary):
    assert summarize(extract) == summary


@pytest.mark.parametrize("name, title", [
    ("Lisa  Su", "Lisa Su"), ("the Commerce Department", "Commerce Department"), ("Nvidia's", "Nvidia"),
    ("lisa_su", "Lisa su"), ("A|B", None), ("1999", None), ("x" * 300, None),
])
def test_names_become_titles(name, title):
    assert normalize_title(name) == title


@pytest.mark.parametrize("title", ["AC/DC", "100% Pure", "Zürich", "Lisa Su", "C++"])
def test_card_ids_round_trip_through_encode_uri_component(title):
    card_id = card_id_for(title)
    assert "/" not in card_id
    assert title_for(card_id) == title
    assert title_for(unquote(quote(card_id, safe=""))) == title  # encodeURIComponent, then the server's decoding


# -- failures and the breaker -------------------------------------------------------------------


@pytest.mark.parametrize("how, details, pause", [
    ("status", {"status": 429, "headers": (("Retry-After", "30"),)}, 30),
    ("status", {"status": 429}, 60),
    ("status", {"status": 500}, 60),
    ("status", {"status": 503, "headers": (("Retry-After", "5"),)}, 60),
    ("malformed", {}, 60),
])
def test_a_failed_request_pauses_lookups_and_is_not_retried(make_cards, wiki, clock, how, details, pause):
    wiki.fail("Lisa Su", how, **details)
    cards = make_cards()
    enrich(cards, page(("Lisa Su", "PERSON")))
    wait_for(lambda: not cards.inflight)
    assert len(wiki.requests) == 1  # no retries
    report = {}
    cards.report_health(report)
    assert report["wikipedia"] == "paused" and report["wikipedia_resumes_in"] == pause
    # Paused: no request, no pending mark, nothing cached.
    result = page(("Lisa Su", "PERSON"))
    enrich(cards, result)
    assert result.links == [] and len(wiki.requests) == 1
    clock.advance(pause + 1)
    wiki.failures.clear()
    enrich(cards, page(("Lisa Su", "PERSON")))
    assert wait_ready(cards, "wiki:Lisa Su")["summary"].startswith("Lisa Su (born 7 November 1969) is")
    assert len(wiki.requests) == 2


def wait_for(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def test_a_timeout_fails_fast_and_pauses(make_cards, wiki):
    wiki.fail("Lisa Su", "slow", delay=3.0)
    cards = make_cards(timeout=0.3)
    started = time.monotonic()
    enrich(cards, page(("Lisa Su", "PERSON")))
    wait_for(lambda: not cards.inflight)
    assert time.monotonic() - started < 1.5
    assert cards.state() == "paused"


def test_no_network_answers_at_full_speed_and_says_paused(make_cards, clock):
    cards = make_cards(api="http://127.0.0.1:9/w/api.php")  # nothing listens on the discard port
    enrich(cards, page(("Lisa Su", "PERSON")))
    wait_for(lambda: not cards.inflight)
    assert cards.state() == "paused"
    started = time.monotonic()
    for _ in range(20):
        result = page(("Lisa Su", "PERSON"), ("Taipei", "GPE"))
        enrich(cards, result)
        assert result.links == [] and result.cards == {}
    assert time.monotonic() - started < 0.2  # no 10-second timeout per name: nothing is even tried
    assert cards.client.requests == 1
    clock.advance(61)
    assert cards.state() == "on"  # the next request is the probe


def test_offline_setting_sends_nothing(make_cards, wiki):
    cards = make_cards(offline=True)
    result = page(("Lisa Su", "PERSON"))
    enrich(cards, result)
    assert result.links == [] and wiki.requests == [] and cards._client is None
    assert card_json(cards, "wiki:Lisa Su") is None
    report = {}
    cards.report_health(report)
    assert report["wikipedia"] == "off"


# -- choosing pages -----------------------------------------------------------------------------


def test_exact_pages_and_redirects_become_cards(make_cards, wiki):
    cards = make_cards()
    result = page(("Lisa Su", "PERSON"), ("AMD", "ORG"), ("Taipei", "GPE"), ("Zürich", "GPE"))
    enrich(cards, result)
    assert [(link.text, link.card) for link in result.links] == [
        ("Lisa Su", "wiki:Lisa Su"), ("AMD", "wiki:Advanced Micro Devices"), ("Taipei", "wiki:Taipei"),
        ("Zürich", "wiki:Zürich")]
    card = result.cards["wiki:Advanced Micro Devices"]
    assert card == {"id": "wiki:Advanced Micro Devices", "title": "Advanced Micro Devices", "kind": "org",
                    "summary": "Advanced Micro Devices, Inc. (AMD) is an American multinational semiconductor company "
                               "based in Santa Clara, California.",
                    "source": "wikipedia", "wikipedia": "Advanced Micro Devices",
                    "url": "https://en.wikipedia.org/wiki/Advanced_Micro_Devices", "facts": [], "status": "ready"}
    assert result.cards["wiki:Lisa Su"]["kind"] == "person"
    assert result.cards["wiki:Zürich"]["url"] == "https://en.wikipedia.org/wiki/Z%C3%BCrich"
    assert len(wiki.requests) == 1


def test_disambiguation_and_missing_pages_get_no_card_and_are_remembered(make_cards, wiki, clock):
    cards = make_cards()
    result = page(("Mercury", "GPE"), ("Nowhere Town", "GPE"))
    enrich(cards, result)
    assert result.links == [] and result.cards == {}
    assert len(wiki.requests) == 1  # places are never searched for
    enrich(cards, page(("Mercury", "GPE"), ("Nowhere Town", "GPE")))
    assert len(wiki.requests) == 1  # the misses are cached...
    clock.advance(MISS_TTL + 1)
    enrich(cards, page(("Mercury", "GPE"), ("Nowhere Town", "GPE")))
    assert len(wiki.requests) == 2  # ...for a day


def test_found_pages_are_cached_for_two_weeks(make_cards, wiki, clock):
    cards = make_cards()
    enrich(cards, page(("Taipei", "GPE")))
    clock.advance(FOUND_TTL - 60)
    result = page(("Taipei", "GPE"))
    enrich(cards, result)
    assert [link.card for link in result.links] == ["wiki:Taipei"] and len(wiki.requests) == 1
    clock.advance(120)
    enrich(cards, page(("Taipei", "GPE")))
    assert len(wiki.requests) == 2


def test_an_exact_page_that_disagrees_with_the_label_falls_back_to_search_with_page_evidence(make_cards, wiki):
    cards = make_cards()
    result = page(("Apple", "ORG"), ("Tim Cook", "PERSON"))
    enrich(cards, result)
    assert [(link.text, link.card) for link in result.links] == [("Apple", "wiki:Apple Inc.")]
    assert result.cards["wiki:Apple Inc."]["kind"] == "org"
    assert any(r.get("list") == "search" for r in wiki.requests)


def test_search_results_without_evidence_on_the_page_are_refused(make_cards, wiki):
    cards = make_cards()
    result = page(("Apple", "ORG"))  # nothing else on the page says which Apple
    enrich(cards, result)
    assert result.links == []
    result = page(("Huang", "PERSON"), ("Nvidia", "ORG"))  # the page's other entity is named by one result only
    enrich(cards, result)
    assert [(link.text, link.card) for link in result.links] == [("Huang", "wiki:Jensen Huang")]


def test_places_on_the_page_are_no_evidence_for_a_search_result(make_cards, wiki):
    wiki.add("Wang Wei", "Wang Wei may refer to:", disambiguation=True)
    wiki.add("Wang Wei (poet)", "Wang Wei (699–759) was a Chinese poet of the Tang dynasty in China.", "Chinese poet")
    cards = make_cards()
    result = page(("Wang Wei", "PERSON"), links=[Link(0, 100, 105, "China", "china", 0.9)])  # a place in the pack
    enrich(cards, result)
    assert [link.card for link in result.links] == ["china"]


def test_a_search_result_cached_for_one_page_needs_evidence_on_the_next(make_cards, wiki):
    cards = make_cards()
    enrich(cards, page(("Huang", "PERSON"), ("Nvidia", "ORG")))
    other = page(("Huang", "PERSON"), ("Shanghai Film Festival", "EVENT"))
    enrich(cards, other)
    assert [link.text for link in other.links] == []


def test_a_page_in_the_pack_links_to_the_pack_card(make_cards, wiki):
    wiki.redirect("President Xi", "Xi Jinping")
    wiki.add("Xi Jinping", "Xi Jinping is a Chinese politician.", "General Secretary of the Chinese Communist Party")
    cards = make_cards()
    result = page(("President Xi", "PERSON"))
    enrich(cards, result)
    assert [link.card for link in result.links] == ["xi-jinping"]
    assert result.cards["xi-jinping"]["source"] == "pack"


def test_first_mention_only_unless_all_are_wanted(make_cards, wiki):
    cards = make_cards()
    first = page(("Lisa Su", "PERSON"), ("Taipei", "GPE"), ("Lisa Su", "PERSON"))
    enrich(cards, first)
    assert [link.text for link in first.links] == ["Lisa Su", "Taipei"]
    every = page(("Lisa Su", "PERSON"), ("Taipei", "GPE"), ("Lisa Su", "PERSON"), all_mentions=True)
    enrich(cards, every)
    assert [link.text for link in every.links] == ["Lisa Su", "Taipei", "Lisa Su"]
    later = page(("AMD", "ORG"), links=[Link(0, 100, 103, "AMD", "wiki:Advanced Micro Devices", 0.9)])
    enrich(cards, later)
    assert [link.start for link in later.links] == [0]  # one first-mention rule for every source: the first wins


def test_an_article_with_30_unknown_names_costs_at_most_two_requests(make_cards, wiki):
    names = [f"Person Number{i}" for i in range(30)]
    for name in names:
        wiki.add(name, f"{name} (born 1970) is an American engineer. She designs chips.", "American engineer")
    cards = make_cards()
    result = page(*[(name, "PERSON") for name in names])
    enrich(cards, result)
    for name in names:
        assert wait_ready(cards, card_id_for(name))["title"] == name
    assert len(wiki.requests) <= 2
    assert sum(len(titles) for titles in wiki.titles_asked()) == 60  # the continuation repeats the titles


def test_pending_within_the_budget_then_ready(make_cards, wiki):
    wiki.latency = 0.5
    cards = make_cards(wikipedia_budget_ms=100)
    result = page(("Lisa Su", "PERSON"), ("Taipei", "GPE"))
    started = time.monotonic()
    enrich(cards, result)
    assert time.monotonic() - started < 0.4
    assert [(link.card, link.confidence) for link in result.links] == [("wiki:Lisa Su", 0.5), ("wiki:Taipei", 0.5)]
    assert result.cards["wiki:Lisa Su"] == {"id": "wiki:Lisa Su", "title": "Lisa Su", "kind": "person", "summary": "",
                                            "source": "wikipedia", "wikipedia": None, "url": None, "facts": [],
                                            "status": "pending"}
    assert card_json(cards, "wiki:Lisa Su")["status"] == "pending"
    assert wait_ready(cards, "wiki:Lisa Su")["status"] == "ready"
    assert len(wiki.requests) == 1  # asking again while it was fetched sent nothing more


def test_a_card_asked_for_by_id_is_looked_up_on_hover(make_cards, wiki):
    cards = make_cards()
    assert card_json(cards, "wiki:Taipei")["summary"].startswith("Taipei is the capital")
    assert card_json(cards, "wiki:No Such Page") is None
    assert card_json(cards, "wiki:Apple") is None  # no label to check it against, and the page does not say what it is
    assert card_json(cards, "xi-jinping") is None  # not a Wikipedia id: the pack answers those


def test_names_from_private_pages_stay_in_memory(tmp_path, make_cards, wiki):
    store = Store(tmp_path / "store-data")
    try:
        table = store.kv("wikipedia")
        cards = make_cards(table=table)
        enrich(cards, page(("Lisa Su", "PERSON"), save=False))
        wait_for(lambda: not cards.inflight)
        enrich(cards, page(("Taipei", "GPE")))
        wait_for(lambda: not cards.inflight and len(table.items()) == 1)
        assert [key for key, _ in table.items()] == ["q:GPE:Taipei"]
        assert card_json(cards, "wiki:Lisa Su")["status"] == "ready"  # still served from memory
    finally:
        store.close()


# -- through the app ----------------------------------------------------------------------------


@pytest.fixture
def online_app(tmp_path, wiki):
    """The real app (real model, small pack) with lookups on and pointed at the fake server."""
    made = []

    def factory(**settings):
        app = create_app(make_config(tmp_path, offline=False, wikipedia_api=wiki.url, **settings))
        made.append(app)
        return app

    yield factory
    for app in made:
        app.extensions["contextcards_wikipedia"].close()


def settled(client, card_id, seconds=5.0):
    """GET /v1/cards/<id> (encoded as the extension does) until the card is no longer pending."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/v1/cards/" + quote(card_id, safe=""))
        if response.status_code != 200 or response.get_json().get("status") != "pending":
            return response
        assert time.monotonic() < deadline, f"{card_id} still pending"
        time.sleep(0.05)


def test_annotate_marks_slow_cards_pending_and_get_card_returns_them_once_fetched(online_app, wiki):
    wiki.latency = 0.6
    app = online_app(wikipedia_budget_ms=100)
    client = loopback_client(app)
    text = "Lisa Su, the chief executive of AMD, met Pat Gelsinger in Taipei. Lisa Su spoke first."
    started = time.monotonic()
    response = client.post("/v1/annotate", json=annotate_body(text))
    assert response.status_code == 200 and time.monotonic() - started < 1.0
    body = response.get_json()
    linked = [(a["text"], a["card"]) for a in body["annotations"]]
    assert linked == [("Lisa Su", "wiki:Lisa Su"), ("AMD", "wiki:AMD"), ("Pat Gelsinger", "wiki:Pat Gelsinger"),
                      ("Taipei", "wiki:Taipei")]
    assert all(body["cards"][card]["status"] == "pending" for _, card in linked)
    card = settled(client, "wiki:Lisa Su").get_json()
    assert card["status"] == "ready" and card["source"] == "wikipedia" and card["wikipedia"] == "Lisa Su"
    assert client.get("/v1/cards/" + quote("wiki:AMD", safe="")).get_json()["id"] == "wiki:Advanced Micro Devices"
    assert settled(client, "wiki:Pat Gelsinger").status_code == 404  # not on this wiki: no card, never a wrong one
    again = client.post("/v1/annotate", json=annotate_body(text)).get_json()
    assert [(a["text"], a["card"]) for a in again["annotations"]] == [
        ("Lisa Su", "wiki:Lisa Su"), ("AMD", "wiki:Advanced Micro Devices"), ("Taipei", "wiki:Taipei")]
    assert all(card["status"] == "ready" for card in again["cards"].values())
    health = client.get("/health").get_json()
    assert health["wikipedia"] == "on" and health["status"] == "ok"


def test_titles_with_a_slash_and_non_ascii_work_through_the_card_route(online_app, wiki):
    client = loopback_client(online_app())
    body = client.post("/v1/annotate", json=annotate_body("The band AC/DC played in Sydney and Zürich.")).get_json()
    cards = {a["text"]: a["card"] for a in body["annotations"]}
    assert cards["AC/DC"] == "wiki:AC%2FDC"
    for card_id, title in [("wiki:AC%2FDC", "AC/DC"), ("wiki:Zürich", "Zürich")]:
        response = client.get("/v1/cards/" + quote(card_id, safe=""))  # encodeURIComponent(id)
        assert response.status_code == 200 and response.get_json()["wikipedia"] == title
    assert client.get("/demo/cards/" + quote("wiki:AC%2FDC", safe="")).status_code == 404  # the demo: pack cards only


def test_history_saves_wikipedia_cards(online_app, wiki):
    client = loopback_client(online_app())
    body = client.post("/v1/annotate", json=annotate_body("Lisa Su spoke in Taipei.")).get_json()
    page = client.get(f"/v1/history/{body['page_id']}").get_json()
    assert {(m["card"], m["card_title"]) for m in page["mentions"]} == {("wiki:Lisa Su", "Lisa Su"),
                                                                          ("wiki:Taipei", "Taipei")}


def test_offline_app_answers_from_the_pack_and_says_off(tmp_path, wiki):
    app = create_app(make_config(tmp_path, wikipedia_api=wiki.url))  # the test default: offline
    client = loopback_client(app)
    body = client.post("/v1/annotate", json=annotate_body("Lisa Su met Xi Jinping in Taipei.")).get_json()
    assert [a["card"] for a in body["annotations"]] == ["xi-jinping"]
    assert client.get("/health").get_json()["wikipedia"] == "off"
    assert wiki.requests == []


# -- the command line ---------------------------------------------------------------------------


@pytest.fixture
def cli(runner, monkeypatch, wiki):
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    monkeypatch.setenv("CONTEXTCARDS_WIKIPEDIA_API", wiki.url)
    monkeypatch.delenv("CONTEXTCARDS_OFFLINE")
    return runner


def test_pack_refresh_fetches_summaries_that_the_app_then_prefers_online(cli, wiki, tmp_path):
    wiki.add("Li Qiang", "Li Qiang (born 1959) is a Chinese politician who has been premier since 2023.",
             "Premier of China")
    wiki.add("China", "China is a country in East Asia.", "Country in East Asia")
    result = cli.invoke(main, ["pack", "refresh", "--only", "li-qiang,china", "--only", "deepseek"])
    assert result.exit_code == 0, result.output
    assert "deepseek: 'DeepSeek' is missing on Wikipedia" in result.output
    assert "refreshed 2 of 3" in result.output
    assert len(wiki.requests) == 1
    data = tmp_path / "cli-data"
    config = make_config(tmp_path, data_dir=data, offline=False, wikipedia_api=wiki.url)
    app = create_app(config)
    try:
        card = app.extensions["contextcards"].find_card("li-qiang").to_json()
        assert card["summary"] == "Li Qiang (born 1959) is a Chinese politician who has been premier since 2023."
        assert card["source"] == "wikipedia" and card["facts"] == ["Born: 1959", "Premier since: 2023"]
    finally:
        app.extensions["contextcards_wikipedia"].close()
    offline = create_app(config.with_overrides(offline=True))
    assert offline.extensions["contextcards"].find_card("li-qiang").summary == "Premier of China since 2023."
    assert (FIXTURES / "mini-pack.toml").read_text().count("Premier of China since 2023.") == 1


def test_cache_clear_forgets_everything(cli, wiki, tmp_path):
    assert cli.invoke(main, ["pack", "refresh", "--only", "china"]).exit_code == 0
    result = cli.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and "cleared 0 cached Wikipedia entries" in result.output
    wiki.add("China", "China is a country in East Asia.", "Country in East Asia")
    assert cli.invoke(main, ["pack", "refresh", "--only", "china"]).exit_code == 0
    result = cli.invoke(main, ["cache", "clear"])
    assert result.exit_code == 0 and "cleared 1 cached Wikipedia entry" in result.output


@pytest.mark.parametrize("args, env, message", [
    (["pack", "refresh", "--only", "nope"], {}, "there is no pack card with id 'nope'"),
    (["pack", "refresh", "--only", "export-controls"], {}, "has no Wikipedia title"),
    (["pack", "refresh"], {"CONTEXTCARDS_OFFLINE": "1"}, "CONTEXTCARDS_OFFLINE is set"),
    (["pack", "refresh"], {"CONTEXTCARDS_WIKIPEDIA_API": "http://127.0.0.1:9/w/api.php"}, "cannot reach"),
])
def test_cli_errors_are_one_readable_line(cli, monkeypatch, args, env, message):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    result = cli.invoke(main, args)
    assert result.exit_code != 0
    lines = [line for line in result.output.splitlines() if line.startswith("Error")]
    assert len(lines) == 1 and message in lines[0], result.output
    assert "Traceback" not in result.output


def test_cache_commands_refuse_while_another_process_holds_the_store(cli, tmp_path):
    holder = subprocess.Popen([sys.executable, "-c", HOLD_STORE, str(tmp_path / "cli-data")],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "holding"
        result = cli.invoke(main, ["cache", "clear"])
    finally:
        holder.communicate("")
    assert result.exit_code != 0 and "the server is running" in result.output


def test_budget_setting_is_read_from_the_environment():
    from contextcards.config import config_from_env

    assert config_from_env({}).wikipedia_budget_ms == 300
    assert config_from_env({"CONTEXTCARDS_WIKIPEDIA_BUDGET_MS": "50"}).wikipedia_budget_ms == 50


def test_breaker_keeps_the_longer_pause():
    clock = Clock()
    breaker = Breaker(clock)
    breaker.trip(60, "down")
    breaker.trip(5, "rate limited")
    assert breaker.remaining() == 60 and not breaker.closed()
    clock.advance(60)
    assert breaker.closed()


def test_a_card_built_from_html_holds_no_markup(make_cards, wiki):
    cards = make_cards()
    result = page(("Evil Corp", "ORG"))
    enrich(cards, result)
    card = json.dumps(result.cards)
    assert "<" not in card and "script" not in card.lower()
