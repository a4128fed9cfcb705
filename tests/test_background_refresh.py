"""Pack summaries refreshed in the background: only when idle, in batches, each card at most once a week."""

import logging

import pytest

from contextcards.app import create_app
from contextcards.wikipedia import start_background_refresh
from contextcards.wikipedia.background import IDLE_SECONDS, REQUEST_INTERVAL, WEEK, BackgroundRefresh

from conftest import annotate_body, loopback_client, make_config
from fake_mediawiki import FakeMediaWiki

CARDS = 25


class Clock:
    def __init__(self):
        self.now = 1_800_000_000.0

    def __call__(self):
        return self.now


@pytest.fixture
def wiki():
    with FakeMediaWiki() as server:
        for n in range(CARDS):
            server.add(f"Quillon {n}", f"Quillon {n} is a company that Wikipedia describes anew, number {n}.",
                       "Company")
        yield server


@pytest.fixture
def pack(tmp_path):
    path = tmp_path / "quillon.toml"
    path.write_text("".join(f'[[card]]\nid = "quillon-{n}"\ntitle = "Quillon {n}"\nkind = "org"\n'
                            f'wikipedia = "Quillon {n}"\nsummary = "The shipped words about Quillon {n}."\n'
                            f'facts = ["Founded: 2001"]\nas_of = "2025-01"\n\n' for n in range(CARDS)))
    return path


def make(tmp_path, wiki, pack, **overrides):
    config = make_config(tmp_path, **{"offline": False, "wikipedia_api": wiki.url, "packs": (pack,), **overrides})
    app = create_app(config)
    return app, loopback_client(app)


def refresher_for(app, idle=IDLE_SECONDS, clock=None):
    cards = app.extensions["contextcards_wikipedia"]
    return BackgroundRefresh(cards, cards.cache.table, app.extensions["contextcards_catalog"], lambda: idle,
                             clock or Clock())


def card(client, n):
    return client.get(f"/v1/cards/quillon-{n}").get_json()


def test_nothing_is_sent_while_the_server_is_busy(tmp_path, wiki, pack):
    app, _ = make(tmp_path, wiki, pack)
    assert refresher_for(app, idle=IDLE_SECONDS - 1).run_once() == 0
    assert wiki.requests == []


def test_idle_batches_refresh_summaries_and_facts_keep_their_date(tmp_path, wiki, pack, caplog):
    app, client = make(tmp_path, wiki, pack)
    refresher = refresher_for(app)
    with caplog.at_level(logging.INFO, logger="contextcards"):
        assert refresher.run_once() == 1  # 20 cards in one request
    assert "background refresh: 20 of 20 pack summaries refreshed, 5 more due" in caplog.text
    assert refresher.run_once() == 1
    assert refresher.run_once() == 0  # every card was refreshed this week
    assert len(wiki.requests) == 2
    shown = client.post("/v1/annotate", json=annotate_body("Quillon 3 said so.")).get_json()["cards"]["quillon-3"]
    assert shown["summary"] == "Quillon 3 is a company that Wikipedia describes anew, number 3."
    assert shown["source"] == "wikipedia" and shown["facts"] == ["Founded: 2001"] and shown["as_of"] == "2025-01"
    assert shown["summary_refreshed"]
    assert shown["age_note"] == "facts as of January 2025 \u2014 may be out of date"


def test_each_card_at_most_once_a_week(tmp_path, wiki, pack):
    app, _ = make(tmp_path, wiki, pack)
    clock = Clock()
    refresher = refresher_for(app, clock=clock)
    refresher.run_once(), refresher.run_once()
    clock.now += WEEK - 60
    assert refresher.due() == []
    clock.now += 120
    assert len(refresher.due()) == CARDS


def test_refreshed_summaries_are_used_after_a_restart(tmp_path, wiki, pack):
    app, _ = make(tmp_path, wiki, pack)
    refresher = refresher_for(app)
    refresher.run_once()
    del app, refresher
    again = make(tmp_path, wiki, pack)[1]
    assert card(again, 0)["summary"].startswith("Quillon 0 is a company that Wikipedia describes anew")
    assert card(again, 0)["summary_refreshed"]
    offline = make(tmp_path, wiki, pack, offline=True)[1]
    assert card(offline, 0)["summary"] == "The shipped words about Quillon 0."  # offline: the pack as shipped


def test_a_personal_card_is_never_overwritten_by_a_refresh(tmp_path, wiki, pack):
    app, client = make(tmp_path, wiki, pack)
    mine = {**card(client, 1), "summary": "My own words."}
    assert client.put("/v1/cards/quillon-1", json=mine).status_code == 201
    refresher = refresher_for(app)
    assert "quillon-1" not in refresher.due()
    refresher.run_once(), refresher.run_once()
    assert card(client, 1)["summary"] == "My own words."


def test_offline_or_paused_sends_nothing(tmp_path, wiki, pack):
    app, _ = make(tmp_path, wiki, pack, offline=True)
    assert refresher_for(app).run_once() == 0
    assert start_background_refresh(app) is None
    app, _ = make(tmp_path / "paused", wiki, pack)
    app.extensions["contextcards_wikipedia"].breaker.trip(60, "test")
    assert refresher_for(app).run_once() == 0
    assert wiki.requests == []


def test_the_loop_waits_a_second_per_request_between_batches(tmp_path, wiki, pack):
    app, _ = make(tmp_path, wiki, pack)
    refresher = refresher_for(app)
    waits = []

    def wait(seconds):
        waits.append(seconds)
        return len(waits) > 3  # stop after the fourth wait

    refresher.stopping.wait = wait
    refresher._loop()
    assert len(wiki.requests) == 2
    assert waits[1] >= REQUEST_INTERVAL and waits[2] >= REQUEST_INTERVAL
    assert waits[3] > REQUEST_INTERVAL  # nothing due: back to checking now and then


def test_serve_starts_the_refresh_only_with_lookups_on_and_the_store_held(tmp_path, wiki, pack):
    app, _ = make(tmp_path, wiki, pack)
    refresher = start_background_refresh(app)
    try:
        assert refresher is not None and refresher.thread.is_alive()
    finally:
        refresher.stop()
    assert not refresher.thread.is_alive()
    app, _ = make(tmp_path / "off", wiki, pack, background_refresh=False)
    assert start_background_refresh(app) is None
