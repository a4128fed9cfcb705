"""seen_before.recent: the other saved pages showing a card that were visited within the request's seen_days."""

import pytest

from contextcards.history.service import get_history

from conftest import annotate_body, assert_error
from .conftest import read


def deepseek_seen(client, url, **extra):
    return read(client, url, "DeepSeek released a model.", **extra)["cards"]["deepseek"]["seen_before"]


def test_ten_pages_in_the_window_count_and_older_pages_do_not(client, clock):
    for n in range(4):
        read(client, f"https://old.example/{n}", "DeepSeek trained a model.")
        clock.advance(days=1)
    clock.advance(days=40)
    for n in range(10):
        read(client, f"https://new.example/{n}", "DeepSeek and China.")
        clock.advance(days=2)
    seen = deepseek_seen(client, "https://today.example/now", seen_days=30)
    assert seen["count"] == 14, "the all-time count keeps every other page"
    assert seen["recent"] == {"days": 30, "count": 10}
    # A narrower window counts only the pages visited within it: the last visit 2, 4, ..., 20 days ago.
    assert deepseek_seen(client, "https://today.example/now", seen_days=7)["recent"] == {"days": 7, "count": 3}
    # A year reaches back to the old pages too.
    assert deepseek_seen(client, "https://today.example/now", seen_days=365)["recent"] == {"days": 365, "count": 14}


def test_a_page_visited_exactly_the_window_ago_counts_and_a_moment_older_does_not(client, clock):
    read(client, "https://a.example/edge", "DeepSeek.")
    clock.advance(days=1)
    assert deepseek_seen(client, "https://b.example/now", seen_days=1)["recent"]["count"] == 1
    clock.advance(milliseconds=1)
    assert deepseek_seen(client, "https://b.example/now", seen_days=1)["recent"]["count"] == 0


def test_the_window_is_30_days_by_default(client, clock):
    read(client, "https://a.example/1", "DeepSeek.")
    clock.advance(days=29)
    read(client, "https://a.example/2", "DeepSeek.")
    clock.advance(days=2)
    seen = deepseek_seen(client, "https://b.example/now")
    assert seen["count"] == 2 and seen["recent"] == {"days": 30, "count": 1}


def test_the_page_itself_and_forgotten_pages_are_not_counted(client, clock):
    deleted = read(client, "https://a.example/gone", "DeepSeek.")["page_id"]
    read(client, "https://a.example/kept", "DeepSeek.")
    assert client.delete(f"/v1/history/{deleted}").status_code in (200, 204)
    clock.advance(hours=1)
    assert deepseek_seen(client, "https://b.example/me")["recent"]["count"] == 1
    clock.advance(hours=1)
    assert deepseek_seen(client, "https://b.example/me")["recent"]["count"] == 1, "a page does not count itself"


def test_a_private_window_reads_the_count_and_saves_nothing(app, client, clock):
    read(client, "https://a.example/1", "DeepSeek.")
    before = len(get_history(app))
    seen = deepseek_seen(client, "https://b.example/private", save=False, seen_days=5)
    assert seen["recent"] == {"days": 5, "count": 1} and len(get_history(app)) == before


def test_a_card_never_seen_before_has_an_empty_window(client):
    assert deepseek_seen(client, "https://a.example/first", seen_days=90) == {
        "count": 0, "last": None, "recent": {"days": 90, "count": 0}}


@pytest.mark.parametrize("days", [0, 366, -1, "30", 7.5, 366.0, True, None, [30]])
def test_seen_days_outside_1_to_365_or_not_a_whole_number_is_422(client, days):
    response = client.post("/v1/annotate", json=annotate_body("DeepSeek.", seen_days=days))
    assert_error(response, 422)
    assert "seen_days" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("days, window", [(1, 1), (365, 365), (30.0, 30)])
def test_the_ends_of_the_range_are_accepted_and_a_whole_float_is_a_whole_number(client, days, window):
    seen = deepseek_seen(client, "https://a.example/1", seen_days=days)
    assert seen["recent"] == {"days": window, "count": 0} and type(seen["recent"]["days"]) is int


def test_the_demo_accepts_seen_days_and_still_shows_no_history(client):
    response = client.post("/demo/annotate", json=annotate_body("DeepSeek.", seen_days=7))
    assert response.status_code == 200
    assert "seen_before" not in response.get_json()["cards"]["deepseek"]
