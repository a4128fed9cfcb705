"""Threats and the defences against them: rebinding, missing tokens, CSRF by simple requests, CORS, huge bodies."""

import json
import os
import stat

import pytest

from contextcards.config import BUNDLED_EXTENSION_ID
from contextcards.pairing import MAX_FAILED_ATTEMPTS, Pairing, new_pairing_code, start_line

from conftest import annotate_body, assert_error

REAL_ORIGIN = f"chrome-extension://{BUNDLED_EXTENSION_ID}"


def token_of(app):
    return app.extensions["contextcards_pairing"].token


@pytest.mark.parametrize("header", [None, "", "Bearer", "Bearer ", "Bearer wrong", "Basic abc", "bearer {token}",
                                    "Bearer {prefix}", "Bearer {token}x", "{token}"])
def test_token_missing_wrong_or_a_prefix_is_401(app, client, header):
    token = token_of(app)
    headers = {} if header is None else {"Authorization": header.format(token=token, prefix=token[:32])}
    if header is None:
        headers["Authorization"] = ""
    response = client.post("/v1/annotate", json=annotate_body("DeepSeek"), headers=headers)
    error = assert_error(response, 401, "unauthorized")
    assert "pair" in error["message"]
    assert response.headers["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize("path", ["/v1/cards/deepseek", "/v1/openapi.json"])
def test_private_reads_need_the_token(client, path):
    assert_error(client.get(path, headers={"Authorization": ""}), 401)


def test_public_routes_need_no_token(client):
    assert client.get("/health", headers={"Authorization": ""}).status_code == 200


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_simple_request_bodies_cannot_annotate_csrf(client, content_type):
    body = json.dumps(annotate_body("DeepSeek"))
    assert_error(client.post("/v1/annotate", data=body, content_type=content_type), 415)


@pytest.mark.parametrize(
    "origin, allowed",
    [
        ("https://evil.com", False),
        ("null", False),
        ("chrome-extension://abcdefghijklmnopabcdefghijklmnop", False),
        (REAL_ORIGIN + "x", False),
        (REAL_ORIGIN + ".evil.com", False),
        ("x" + REAL_ORIGIN, False),
        (REAL_ORIGIN, True),
    ],
)
def test_cors_allows_only_the_real_extension_origin(client, origin, allowed):
    preflight = client.options("/v1/annotate", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type, authorization",
        "Access-Control-Request-Private-Network": "true"})
    actual = client.post("/v1/annotate", json=annotate_body("China"), headers={"Origin": origin})
    for response in (preflight, actual):
        assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
        assert response.headers.get("Access-Control-Allow-Credentials") is None
        assert response.headers.get("Access-Control-Allow-Private-Network") != "true"
        assert response.headers.get("Access-Control-Allow-Origin") != "*"


def test_body_over_the_limit_with_content_length_is_413(app, client):
    size = app.config["CC"].max_body_bytes + 1
    response = client.post("/v1/annotate", data=b"{" + b" " * size + b"}", content_type="application/json")
    assert_error(response, 413)


def test_pairing_code_exchanges_once_for_the_token(app, client, config):
    code = new_pairing_code(config.data_dir)
    response = client.post("/v1/pair", json={"code": code.lower()}, headers={"Authorization": ""})
    assert response.status_code == 200 and response.get_json() == {"token": token_of(app)}
    assert_error(client.post("/v1/pair", json={"code": code}, headers={"Authorization": ""}), 401, "bad_pairing_code")


def test_start_prints_a_pairing_code_only_while_no_extension_is_paired(app, config):
    line = start_line(config.data_dir)
    assert line.startswith("pairing code: ")
    code = line.split()[2]
    assert Pairing(config.data_dir).exchange(code) is not None
    line = start_line(config.data_dir)
    assert "pairing code" not in line and "contextcards pair" in line
    assert not (config.data_dir / "pairing-code.json").exists()  # no code lies around once paired
    assert stat.S_IMODE(os.stat(config.data_dir / "paired").st_mode) == 0o600


def test_pairing_code_expires_after_ten_minutes(app, config):
    pairing = Pairing(config.data_dir)
    code = new_pairing_code(config.data_dir, now=1000)
    assert pairing.exchange(code, now=1000 + 601) is None
    assert pairing.exchange(code, now=1001) is None, "an expired code is gone for good"


def test_wrong_guesses_burn_the_pairing_code(app, config):
    pairing = Pairing(config.data_dir)
    code = new_pairing_code(config.data_dir)
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert pairing.exchange("AAAA-AAAA") is None
    assert pairing.exchange(code) is None


@pytest.mark.parametrize("body", [{}, {"code": 5}, {"code": ""}, {"code": "x" * 100}])
def test_malformed_pairing_requests_are_422(client, body):
    assert_error(client.post("/v1/pair", json=body, headers={"Authorization": ""}), 422)


def test_token_is_32_random_bytes_and_stable(app, config):
    token = token_of(app)
    assert len(bytes.fromhex(token)) == 32
    assert Pairing(config.data_dir).token == token


def test_data_files_are_readable_by_the_user_alone(app, client, config):
    new_pairing_code(config.data_dir)
    client.post("/v1/annotate", json=annotate_body("DeepSeek and China"))
    assert stat.S_IMODE(os.stat(config.data_dir).st_mode) == 0o700
    files = [p for p in config.data_dir.rglob("*") if p.is_file()]
    assert files
    for path in files:
        assert stat.S_IMODE(os.stat(path).st_mode) == 0o600, path


def test_demo_annotate_is_rate_limited(client):
    """The unauthenticated demo route cannot keep the server busy: about 60 a minute, then 429 with Retry-After."""
    responses = [client.post("/demo/annotate", json=annotate_body("China"), headers={"Authorization": ""})
                 for _ in range(70)]
    statuses = [r.status_code for r in responses]
    assert statuses[:60] == [200] * 60
    refused = [r for r in responses if r.status_code == 429]
    assert refused, "the bucket refills one request a second, so 70 quick requests must meet a 429"
    assert_error(refused[0], 429, "too_many_requests")
    assert int(refused[0].headers["Retry-After"]) >= 1


def test_demo_annotate_needs_no_token_and_saves_nothing(client, config):
    before = sorted(p.name for p in config.data_dir.rglob("*"))
    response = client.post("/demo/annotate", json=annotate_body("DeepSeek"), headers={"Authorization": ""})
    assert response.status_code == 200 and response.get_json()["page_id"] is None
    assert sorted(p.name for p in config.data_dir.rglob("*")) == before
