"""Names met without a card: recorded from saved pages only, listed newest and most frequent first."""

from datetime import datetime, timedelta, timezone

import pytest

from contextcards.app import create_app

from conftest import annotate_body, assert_error, loopback_client

pytestmark = pytest.mark.model  # names nothing linked come from spaCy's NER

PAGE = "Zorblax Industries said on Monday that Quentin Marlowe would lead its new plant. Xi Jinping was not there."


def names(client, **params) -> list[dict]:
    response = client.get("/v1/names/uncarded", query_string=params)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["names"]


def visit(client, url, *texts, **extra):
    return client.post("/v1/annotate", json=annotate_body(*texts, url=url, **extra)).get_json()


def test_names_nothing_linked_are_listed_from_saved_pages_with_their_sentence(client):
    visit(client, "https://news.example/a", PAGE)
    found = {n["name"]: n for n in names(client)}
    assert set(found) == {"Zorblax Industries", "Quentin Marlowe"}  # Xi Jinping has a card
    assert found["Quentin Marlowe"]["pages"] == 1
    assert found["Quentin Marlowe"]["label"] == "PERSON"
    assert found["Quentin Marlowe"]["sentence"] == ("Zorblax Industries said on Monday that Quentin Marlowe "
                                                    "would lead its new plant.")
    assert found["Quentin Marlowe"]["last_seen"].endswith("Z")


def test_pages_sent_with_save_false_leave_no_names(client):
    visit(client, "https://news.example/private", PAGE, save=False)
    assert names(client) == []


def test_the_demo_leaves_no_names(client):
    client.post("/demo/annotate", json=annotate_body(PAGE))
    assert names(client) == []


def test_a_page_counts_once_however_often_it_is_annotated(client):
    for _ in range(3):
        visit(client, "https://news.example/a", PAGE)
    visit(client, "https://news.example/b", "Quentin Marlowe spoke again.")
    found = {n["name"]: n["pages"] for n in names(client)}
    assert found == {"Quentin Marlowe": 2, "Zorblax Industries": 1}


def test_newest_day_first_then_most_pages(config):
    class Clock:
        now = datetime(2026, 11, 1, 9, 0, tzinfo=timezone.utc)

        def __call__(self):
            return self.now

    app = create_app(config)
    clock = Clock()
    app.extensions["contextcards_uncarded"].clock = clock
    client = loopback_client(app)
    visit(client, "https://news.example/1", "Quentin Marlowe met Ada Brightwater in Ohio.")
    visit(client, "https://news.example/2", "Quentin Marlowe spoke on Tuesday.")
    clock.now += timedelta(days=2)
    visit(client, "https://news.example/3", "Ada Brightwater answered him on Thursday.")
    visit(client, "https://news.example/4", "Zorblax Industries built a plant.")
    visit(client, "https://news.example/5", "Zorblax Industries hired more people.")
    visit(client, "https://news.example/6", "Zorblax Industries opened a second plant.")
    order = [n["name"] for n in names(client)]
    assert order[:3] == ["Zorblax Industries", "Ada Brightwater", "Quentin Marlowe"]
    assert [n["name"] for n in names(client, limit=1)] == ["Zorblax Industries"]


def test_muted_names_and_names_that_now_have_a_card_are_left_out(client):
    visit(client, "https://news.example/a", PAGE)
    client.post("/v1/feedback", json={"card": "wiki:Quentin Marlowe", "action": "correct", "to": None,
                                      "term": "Quentin Marlowe"})
    assert [n["name"] for n in names(client)] == ["Zorblax Industries"]
    made = client.post("/v1/cards", json={"title": "Zorblax Industries", "kind": "org", "summary": "A maker."})
    assert made.status_code == 201
    assert names(client) == []


def test_names_of_deleted_pages_go_with_them(client):
    page_id = visit(client, "https://news.example/a", PAGE)["page_id"]
    assert names(client)
    client.delete(f"/v1/history/{page_id}")
    assert names(client) == []


def test_names_survive_a_restart(config):
    visit(loopback_client(create_app(config)), "https://news.example/a", PAGE)
    again = loopback_client(create_app(config))
    assert {n["name"] for n in names(again)} == {"Zorblax Industries", "Quentin Marlowe"}


def test_limit_must_be_a_small_whole_number(client):
    for bad in ("0", "-1", "x", "501"):
        assert_error(client.get(f"/v1/names/uncarded?limit={bad}"), 422)
    assert_error(client.get("/v1/names/uncarded", headers={"Authorization": "Bearer nope"}), 401)
