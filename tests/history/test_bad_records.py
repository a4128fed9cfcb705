"""Stored records that are valid JSON but not what was written (a missing or wrong-typed field): set aside, never fatal."""

import json
from pathlib import Path

import pytest

from contextcards.app import create_app
from contextcards.history.record import pack_page
from contextcards.history.service import get_history

from conftest import annotate_body, loopback_client, make_config


def read(client, url, text, title="Page"):
    response = client.post("/v1/annotate", json=annotate_body(text, url=url, title=title))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def page_files(config) -> list[Path]:
    return sorted((Path(config.data_dir) / "store" / "pages").glob("*.json"))


def edit_record(path: Path, page_id: str, change) -> None:
    data = json.loads(path.read_text())
    for doc in data["records"].values():
        if doc["key"] == page_id:
            change(doc["value"])
    path.write_text(json.dumps(data))


def drop(field):
    return lambda value: value.pop(field)


def set_to(field, new):
    return lambda value: value.update({field: new})


def old_form_without_last_visit(value):
    """The record as written before compact records, missing the field the issue's KeyError named."""
    page = {"id": "x", "url": value["u"], "site": "a.example", "title": value["t"],
            "first_visit": "2025-06-01T10:00:00.000Z", "visits": 1, "mentions": []}
    value.clear()
    value.update(page)


DAMAGE = {
    "last visit missing (old form)": old_form_without_last_visit,
    "first visit missing": drop("f"),
    "last visit a string": set_to("l", "2025-06-02"),
    "visits a string": set_to("n", "3"),
    "mentions not a list": set_to("m", "DeepSeek"),
    "a mention missing a field": lambda value: value["m"][0].pop(),
    "a mention offset a string": lambda value: value["m"][0].__setitem__(4, "7"),
    "title null": set_to("t", None),
    "first visit out of range": set_to("f", 10 ** 18),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_a_page_record_with_a_missing_or_wrong_typed_field_is_set_aside_and_the_server_runs(tmp_path, damage):
    config = make_config(tmp_path)
    client = loopback_client(create_app(config))
    bad = read(client, "https://a.example/bad", "DeepSeek trained a model.", "Bad")["page_id"]
    good = read(client, "https://a.example/good", "Xi Jinping praised DeepSeek.", "Good")["page_id"]
    get_history(client.application).close()
    [path] = page_files(config)
    edit_record(path, bad, damage)

    restarted = loopback_client(create_app(config))
    assert get_history(restarted.application).indexed.wait(30)
    health = restarted.get("/health").get_json()
    assert health["status"] == "degraded" and any("could not be used" in reason for reason in health["degraded"])
    answer = restarted.get("/v1/history").get_json()
    assert [page["id"] for page in answer["pages"]] == [good] and answer["total"] == 1
    assert restarted.get(f"/v1/history/{bad}").status_code == 404
    assert restarted.get("/v1/history?q=deepseek").get_json()["total"] == 1
    assert read(restarted, "https://a.example/new", "DeepSeek again.")["cards"]["deepseek"]["seen_before"]["count"] == 1
    assert read(restarted, "https://a.example/bad", "DeepSeek once more.")["page_id"] == bad
    assert restarted.get(f"/v1/history/{bad}").status_code == 200
    aside = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and json.loads(aside[0].read_text())["key"] == bad


def test_a_bad_record_found_after_start_is_set_aside_when_read(tmp_path):
    """The index vouches for the file, the record is damaged in a way its fingerprint cannot show: read, not served."""
    config = make_config(tmp_path)
    client = loopback_client(create_app(config))
    bad = read(client, "https://a.example/bad", "DeepSeek trained a model.", "Bad")["page_id"]
    history = get_history(client.application)
    [path] = page_files(config)
    with history.lock:
        name = path.name
        history.pages.texts.pop(name, None)
        history.pages.loaded.pop(name, None)
        history.pages.shards.pop(name, None)
        edit_record(path, bad, drop("u"))
        history.index.fingerprints[name] = history.pages.fingerprint(name)
    assert client.get(f"/v1/history/{bad}").status_code == 404
    assert client.get("/v1/history").get_json()["pages"] == []
    health = client.get("/health").get_json()
    assert health["status"] == "degraded" and any("could not be used" in reason for reason in health["degraded"])


SETTINGS_DAMAGE = {
    "corrections missing": {"muted": [], "site_rules": {}},
    "muted not a list": {"muted": "deepseek", "corrections": [], "site_rules": {}},
    "a muted card without its card": {"muted": [{"term": "x"}], "corrections": [], "site_rules": {}},
    "a correction's target a number": {"muted": [], "corrections": [{"term": "x", "card": "a", "to": 3}],
                                       "site_rules": {}},
    "a site rule unknown": {"muted": [], "corrections": [], "site_rules": {"a.example": "sometimes"}},
    "site rules a list": {"muted": [], "corrections": [], "site_rules": ["a.example"]},
}


@pytest.mark.parametrize("stored", SETTINGS_DAMAGE.values(), ids=SETTINGS_DAMAGE.keys())
def test_a_settings_record_with_missing_keys_is_set_aside_and_annotate_still_answers(tmp_path, stored):
    config = make_config(tmp_path)
    client = loopback_client(create_app(config))
    assert client.post("/v1/feedback", json={"card": "deepseek", "action": "mute"}).status_code == 200
    path = Path(config.data_dir) / "store" / "kv" / "settings" / "all-001.json"
    data = json.loads(path.read_text())
    data["records"]["1"]["value"] = stored
    path.write_text(json.dumps(data))

    restarted = loopback_client(create_app(config))
    answer = read(restarted, "https://b.example/x", "Xi Jinping praised DeepSeek.")
    assert "deepseek" in answer["cards"], "the damaged settings muted nothing"
    health = restarted.get("/health").get_json()
    assert health["status"] == "degraded" and any("settings" in reason for reason in health["degraded"])
    assert restarted.get("/v1/settings").get_json() == {"muted": [], "corrections": [], "site_rules": {}}
    assert restarted.post("/v1/feedback", json={"card": "deepseek", "action": "mute"}).status_code == 200
    assert "deepseek" not in read(restarted, "https://b.example/y", "DeepSeek again.")["cards"]
    assert any(".corrupt-" in p.name for p in path.parent.iterdir())


def test_pack_page_round_trip_is_exact_for_long_and_astral_mentions():
    """The compact form derives ends and mention text; where it cannot, it stores them."""
    from contextcards.history.record import unpack_page

    long_mention = "A" * 300
    page = {"id": "p1", "url": "https://a.example/x", "site": "a.example", "title": "T",
            "first_visit": "2025-06-01T10:00:00.000Z", "last_visit": "2025-06-02T10:00:00.123Z", "visits": 2,
            "mentions": [
                {"card": "c", "card_title": "C", "card_url": "https://en.wikipedia.org/wiki/C", "text": "😀 Xi",
                 "sentence": "Hi 😀 Xi there.", "at": 3, "block": "b0", "start": 4, "end": 9, "page_start": 4,
                 "page_end": 9},
                {"card": "d", "card_title": "D", "card_url": None, "text": long_mention,
                 "sentence": long_mention[:240], "at": 0, "block": "b1", "start": 0, "end": 300,
                 "page_start": 20, "page_end": 320},
                {"card": "e", "card_title": "E", "card_url": "w:not-a-wiki-url", "text": "E",
                 "sentence": "E.", "at": 0, "block": "b2", "start": 0, "end": 7, "page_start": 30, "page_end": 37}]}
    assert unpack_page("p1", json.loads(json.dumps(pack_page(page)))) == page


@pytest.mark.parametrize("url, visits, last", [("http://b.example/x?a=1", 1, "2025-06-01T10:00:00.000Z"),
                                               ("https://c.example/", 3, "2025-07-01T00:00:00.001Z"),
                                               ("https://[::1]:8080/p", 1, "2025-06-01T10:00:00.001Z")])
def test_pack_page_round_trip_is_exact_for_the_fields_it_leaves_out(url, visits, last):
    from contextcards.history.record import unpack_page

    page = {"id": "p2", "url": url, "site": url.split("/")[2].split(":")[0] if "[" not in url else "[::1]",
            "title": "", "first_visit": "2025-06-01T10:00:00.000Z", "last_visit": last, "visits": visits,
            "mentions": []}
    unpacked = unpack_page("p2", json.loads(json.dumps(pack_page(page))))
    assert {k: v for k, v in unpacked.items() if k != "site"} == {k: v for k, v in page.items() if k != "site"}
