"""wikipedia/cards.py: resolving a page's names within the budget, pending cards, failures; through the app."""

import json
import time
from urllib.parse import quote

import pytest

from contextcards.app import create_app
from contextcards.linking import Link
from contextcards.wikipedia.cache import card_id_for

from conftest import MODEL, annotate_body, loopback_client, make_config
from .conftest import page, enrich, card_json, wait_ready, wait_for


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


def test_a_timeout_fails_fast_and_pauses(make_cards, wiki):
    wiki.fail("Lisa Su", "slow", delay=3.0)
    cards = make_cards(timeout=0.3)
    started = time.monotonic()
    enrich(cards, page(("Lisa Su", "PERSON")))
    wait_for(lambda: not cards.inflight)
    assert time.monotonic() - started < 3.0  # given up before the server would have answered
    assert cards.state() == "paused"


def test_no_network_answers_at_full_speed_and_says_paused(make_cards, clock):
    cards = make_cards(api="http://127.0.0.1:9/w/api.php")  # nothing listens on the discard port
    enrich(cards, page(("Lisa Su", "PERSON")))
    wait_for(lambda: not cards.inflight)
    assert cards.state() == "paused"
    for _ in range(20):
        result = page(("Lisa Su", "PERSON"), ("Taipei", "GPE"))
        enrich(cards, result)
        assert result.links == [] and result.cards == {}
    assert cards.client.requests == 1  # no 10-second timeout per name: nothing is even tried
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
    wiki.latency = 2.0  # far longer than the budget (and well within the client's timeout): still fetched at the answer
    cards = make_cards(wikipedia_budget_ms=100, timeout=10.0)
    result = page(("Lisa Su", "PERSON"), ("Taipei", "GPE"))
    enrich(cards, result)
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


@pytest.fixture
def online_app(tmp_path, wiki):
    """The real app (real model: NER finds the names; small pack) with lookups on and pointed at the fake server."""
    made = []

    def factory(**settings):
        settings = {"wikipedia_budget_ms": 30_000, **settings}  # unless a test wants pending cards: all ready
        app = create_app(make_config(tmp_path, model=MODEL, offline=False, wikipedia_api=wiki.url, **settings))
        made.append(app)
        return app

    yield factory
    for app in made:
        app.extensions["contextcards_wikipedia"].close()


def settled(client, card_id, seconds=20.0):
    """GET /v1/cards/<id> (encoded as the extension does) until the card is no longer pending."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/v1/cards/" + quote(card_id, safe=""))
        if response.status_code != 200 or response.get_json().get("status") != "pending":
            return response
        assert time.monotonic() < deadline, f"{card_id} still pending"
        time.sleep(0.05)


@pytest.mark.model
def test_annotate_marks_slow_cards_pending_and_get_card_returns_them_once_fetched(online_app, wiki):
    wiki.latency = 1.0  # ten times the budget, half the client's 2 s timeout: still fetched at the answer
    app = online_app(wikipedia_budget_ms=100)
    client = loopback_client(app)
    text = "Lisa Su, the chief executive of AMD, met Pat Gelsinger in Taipei. Lisa Su spoke first."
    response = client.post("/v1/annotate", json=annotate_body(text))
    assert response.status_code == 200
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


@pytest.mark.model
def test_titles_with_a_slash_and_non_ascii_work_through_the_card_route(online_app, wiki):
    client = loopback_client(online_app())
    body = client.post("/v1/annotate", json=annotate_body("The band AC/DC played in Sydney and Zürich.")).get_json()
    cards = {a["text"]: a["card"] for a in body["annotations"]}
    assert cards["AC/DC"] == "wiki:AC%2FDC"
    for card_id, title in [("wiki:AC%2FDC", "AC/DC"), ("wiki:Zürich", "Zürich")]:
        response = client.get("/v1/cards/" + quote(card_id, safe=""))  # encodeURIComponent(id)
        assert response.status_code == 200 and response.get_json()["wikipedia"] == title
    assert client.get("/demo/cards/" + quote("wiki:AC%2FDC", safe="")).status_code == 404  # the demo: pack cards only


@pytest.mark.model
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


def test_a_card_built_from_html_holds_no_markup(make_cards, wiki):
    cards = make_cards()
    result = page(("Evil Corp", "ORG"))
    enrich(cards, result)
    card = json.dumps(result.cards)
    assert "<" not in card and "script" not in card.lower()
