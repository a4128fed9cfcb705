"""history/routes.py: parameters and bodies refused with the right status, the token, private files."""

import stat
from pathlib import Path

import pytest

from conftest import assert_error
from .conftest import read


@pytest.mark.parametrize("body", [{}, {"site_rules": []}, {"site_rules": {"a b": "never"}},
                                  {"site_rules": {"x.example": "sometimes"}}, [1]])
def test_bad_site_rules_are_422(client, body):
    assert_error(client.post("/v1/settings", json=body), 422)


@pytest.mark.parametrize("body, status", [
    ({"action": "mute"}, 422),
    ({"card": "", "action": "mute"}, 422),
    ({"card": "deepseek", "action": "hide"}, 422),
    ({"card": "deepseek", "action": "correct", "to": 3}, 422),
    ({"card": "deepseek", "action": "correct", "to": "no-such-card", "term": "x"}, 404),
    ({"card": "wikipedia-only", "action": "correct"}, 404),
    ({"card": "deepseek", "action": "mute", "term": ""}, 422),
    ({"card": "deepseek", "action": "mute", "site": "not a site"}, 422),
    ([], 422),
])
def test_bad_feedback_is_refused(client, body, status):
    assert_error(client.post("/v1/feedback", json=body), status)


@pytest.mark.parametrize("query", ["?limit=0", "?limit=201", "?limit=ten", "?since=yesterday", "?until=2025-13-01",
                                   "?site=a%20b", "?site=", f"?q={'x' * 501}"])
def test_bad_search_parameters_are_400(client, query):
    assert_error(client.get(f"/v1/history{query}"), 400, "bad_parameter")


def test_delete_all_needs_confirmation(app, client, library):
    assert_error(client.delete("/v1/history"), 400, "confirmation_required")
    assert_error(client.delete("/v1/history?confirm=no"), 400, "confirmation_required")
    assert client.get("/v1/history").get_json()["total"] == 4
    assert client.delete("/v1/history?confirm=yes").get_json() == {"deleted": 4}
    assert client.get("/v1/history").get_json()["total"] == 0
    assert not list((Path(app.config["CC"].data_dir) / "store" / "pages").glob("*.json"))
    assert client.get("/v1/settings").status_code == 200


def test_history_routes_need_the_token(client):
    for method, path in [("get", "/v1/history"), ("delete", "/v1/history?confirm=yes"), ("get", "/v1/history/x"),
                         ("get", "/v1/history/export"), ("get", "/v1/entities/china/pages"),
                         ("get", "/v1/settings")]:
        assert_error(getattr(client, method)(path, headers={"Authorization": "Bearer wrong"}), 401)
    assert_error(client.post("/v1/feedback", json={"card": "x", "action": "mute"},
                             headers={"Authorization": "Bearer wrong"}), 401)


def test_history_files_are_private(app, client):
    read(client, "https://a.example/1", "DeepSeek.")
    client.post("/v1/feedback", json={"card": "deepseek", "action": "mute"})
    files = [p for p in (Path(app.config["CC"].data_dir) / "store").rglob("*") if p.is_file()]
    assert len(files) >= 3
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in files)


def test_unknown_export_format_is_400(client):
    assert_error(client.get("/v1/history/export?format=xml"), 400, "bad_parameter")
