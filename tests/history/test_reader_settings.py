"""history/reader_settings.py: site rules, muted cards and corrections, kept across restarts."""

from contextcards.app import create_app
from contextcards.history.service import get_history

from conftest import loopback_client, make_config
from .conftest import read


def test_a_site_rule_never_stops_saving_on_that_site_and_its_subdomains(client):
    response = client.post("/v1/settings", json={"site_rules": {"www.Bank.example": "never", "news.example": "always"}})
    assert response.get_json()["site_rules"] == {"bank.example": "never", "news.example": "always"}
    assert read(client, "https://online.bank.example/statement", "DeepSeek.")["page_id"] is None
    assert read(client, "https://news.example/a", "DeepSeek.")["page_id"]
    client.post("/v1/settings", json={"site_rules": {"bank.example": None}})
    assert client.get("/v1/settings").get_json()["site_rules"] == {"news.example": "always"}
    assert read(client, "https://online.bank.example/statement", "DeepSeek.")["page_id"]


def test_mute_removes_the_card_from_the_next_annotate_and_unmute_brings_it_back(client):
    assert "deepseek" in read(client, "https://a.example/1", "DeepSeek and China.")["cards"]
    settings_after = client.post("/v1/feedback", json={"card": "deepseek", "action": "mute", "term": "DeepSeek"}).get_json()
    assert settings_after["muted"] == [{"card": "deepseek", "term": "DeepSeek", "site": None}]
    answer = read(client, "https://b.example/2", "DeepSeek and China.")
    assert [a["card"] for a in answer["annotations"]] == ["china"]
    client.post("/v1/feedback", json={"card": "deepseek", "action": "unmute"})
    assert "deepseek" in read(client, "https://b.example/2", "DeepSeek and China.")["cards"]


def test_a_correction_applies_next_time_on_that_site_only(client):
    body = {"card": "china", "action": "correct", "term": "China", "to": None, "site": "news.example"}
    assert client.post("/v1/feedback", json=body).status_code == 200
    assert "china" not in read(client, "https://www.news.example/a", "China and DeepSeek.")["cards"]
    assert "china" in read(client, "https://other.example/a", "China and DeepSeek.")["cards"]
    client.post("/v1/feedback", json={"card": "china", "action": "correct", "term": "PRC", "to": "deepseek",
                                      "site": "news.example"})
    answer = read(client, "https://news.example/b", "The PRC said so.")
    assert [(a["text"], a["card"]) for a in answer["annotations"]] == [("PRC", "deepseek")]
    client.post("/v1/feedback", json={"card": "china", "action": "uncorrect", "term": "china", "site": "news.example"})
    assert "china" in read(client, "https://news.example/c", "China and DeepSeek.")["cards"]


def test_a_correction_without_a_term_covers_every_name_of_the_card(client):
    client.post("/v1/feedback", json={"card": "china", "action": "correct", "to": None})
    answer = read(client, "https://a.example/1", "China, the PRC, the People's Republic of China.")
    assert answer["annotations"] == []
    client.post("/v1/feedback", json={"card": "china", "action": "uncorrect"})
    assert read(client, "https://a.example/1", "The PRC.")["annotations"]


def test_settings_survive_a_restart(tmp_path):
    config = make_config(tmp_path)
    first = create_app(config)
    loopback_client(first).post("/v1/feedback", json={"card": "deepseek", "action": "mute"})
    get_history(first).store.close()
    again = loopback_client(create_app(config))
    assert again.get("/v1/settings").get_json()["muted"][0]["card"] == "deepseek"
    assert read(again, "https://a.example/1", "DeepSeek and China.")["cards"].keys() == {"china"}
