"""Threat tests from the second hardening round (issue 11): each is named for what an attacker or a sick input tries."""

import re
import time
from collections import OrderedDict
from urllib.parse import quote

import pytest

from contextcards.app import create_app
from contextcards.recognition import get_recognizer

from conftest import annotate_body, assert_error, loopback_client, make_config
from fake_mediawiki import FakeMediaWiki
from wikipedia.conftest import fill  # the fake MediaWiki's pages

NO_TOKEN = {"Authorization": ""}


@pytest.fixture
def wiki():
    with FakeMediaWiki() as server:
        yield fill(server)


@pytest.fixture
def online_app(tmp_path, wiki):
    """The real app with Wikipedia lookups on, pointed at the fake MediaWiki."""
    made = []

    def factory(**settings):
        app = create_app(make_config(tmp_path, offline=False, wikipedia_api=wiki.url, **settings))
        made.append(app)
        return app

    yield factory
    for app in made:
        app.extensions["contextcards_wikipedia"].close()


def settled(client, card_id, seconds=10.0):
    """The card once it is no longer pending."""
    deadline = time.monotonic() + seconds
    while True:
        response = client.get("/v1/cards/" + quote(card_id, safe=""))
        if response.status_code != 200 or response.get_json().get("status") != "pending":
            return response
        assert time.monotonic() < deadline, f"{card_id} still pending"
        time.sleep(0.05)


class LookupLog(OrderedDict):
    """The recognizer's block cache, recording every key asked for or stored."""

    def __init__(self, *args):
        self.touched = []
        super().__init__(*args)
        self.touched.clear()

    def __contains__(self, key):
        self.touched.append(key)
        return super().__contains__(key)

    def __setitem__(self, key, value):
        self.touched.append(key)
        super().__setitem__(key, value)


def kv_files(app) -> dict:
    """Every file of the store's key-value tables, by path, with its bytes."""
    root = app.config["CC"].data_dir
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file() and "kv" in p.parts}


# -- fault 1: the demo and /health are no side channel into what the reader read --------------------


def test_demo_cannot_reveal_names_the_reader_met(online_app, wiki):
    """A name the reader met (even in a private window) answers on the demo exactly like one never seen: 404, no lookup."""
    client = loopback_client(online_app())
    text = "Lisa Su spoke in Taipei."
    client.post("/v1/annotate", json=annotate_body(text, save=False))
    assert settled(client, "wiki:Lisa Su").get_json()["status"] == "ready"  # the reader has its card
    asked = len(wiki.requests)
    for met, unseen in [("wiki:Lisa Su", "wiki:Jensen Huang"), ("wiki:Taipei", "wiki:Apple Inc.")]:
        a = client.get("/demo/cards/" + quote(met, safe=""), headers=NO_TOKEN)
        b = client.get("/demo/cards/" + quote(unseen, safe=""), headers=NO_TOKEN)
        assert_error(a, 404, "not_found")
        assert_error(b, 404, "not_found")
    demo = client.post("/demo/annotate", json=annotate_body(text), headers=NO_TOKEN).get_json()
    assert not any(card.startswith("wiki:") for card in demo["cards"])
    assert len(wiki.requests) == asked  # the demo never asks Wikipedia: nothing to time


def test_demo_cannot_reveal_paragraphs_the_reader_read(app, client):
    """The block cache would answer a paragraph the reader read at once: the demo never looks in it."""
    recognizer = get_recognizer(app.config["CC"].model, app.extensions["contextcards"].pack)
    text = "Xi Jinping met the chief executive of DeepSeek in Hangzhou on a grey Tuesday."
    client.post("/v1/annotate", json=annotate_body(text, save=False))
    original = recognizer.cache
    recognizer.cache = LookupLog(original)
    try:
        demo = client.post("/demo/annotate", json=annotate_body(text), headers=NO_TOKEN)
        assert demo.status_code == 200 and demo.get_json()["annotations"]
        assert recognizer.cache.touched == []
        client.post("/v1/annotate", json=annotate_body(text, save=False))
        assert recognizer.cache.touched  # the reader's own requests do use it
    finally:
        recognizer.cache = original


def test_demo_cannot_write_into_the_readers_store_or_cache(online_app, wiki):
    """Attacker-chosen names sent to the demo reach neither the store, nor the reader's cache, nor Wikipedia."""
    app = online_app()
    client = loopback_client(app)
    client.post("/v1/annotate", json=annotate_body("Lisa Su spoke in Taipei."))
    settled(client, "wiki:Lisa Su")
    time.sleep(0.3)  # the background job writes the store after waking the waiters
    before_files, before_memory = kv_files(app), dict(app.extensions["contextcards_wikipedia"].cache.entries)
    asked = len(wiki.requests)
    for name in ("wiki:Jensen Huang", "wiki:Planted Name", "wiki:Apple Inc."):
        client.get("/demo/cards/" + quote(name, safe=""), headers=NO_TOKEN)
    client.post("/demo/annotate", json=annotate_body("Jensen Huang and Huang Xiaoming met in Zürich."),
                headers=NO_TOKEN)
    time.sleep(0.5)  # any background lookup the demo started would have written by now
    assert len(wiki.requests) == asked
    assert app.extensions["contextcards_wikipedia"].cache.entries == before_memory
    assert kv_files(app) == before_files


def test_health_without_the_token_shows_no_history_figures(client):
    """Anyone may ask /health: without the token it says whether the server works, not what the reader did."""
    client.post("/v1/annotate", json=annotate_body("DeepSeek and China."))
    public = client.get("/health", headers=NO_TOKEN).get_json()
    assert public["status"] in ("ok", "degraded") and "version" in public  # degraded: the blank test pipeline
    assert "history" not in public and "wikipedia" not in public
    private = client.get("/health").get_json()
    assert private["history"]["pages"] == 1 and private["wikipedia"] == "off"


def test_health_without_the_token_names_no_history_file(tmp_path):
    """A set-aside history file is named by month: without the token /health only says that something is wrong."""
    from contextcards.history.service import get_history

    config = make_config(tmp_path)
    app = create_app(config)
    loopback_client(app).post("/v1/annotate", json=annotate_body("DeepSeek."))
    get_history(app).store.close()
    broken = next((config.data_dir / "store" / "pages").glob("*.json"))
    broken.write_bytes(broken.read_bytes()[:40])
    client = loopback_client(create_app(config))
    public = client.get("/health", headers=NO_TOKEN).get_json()
    assert public["status"] == "degraded" and "history" not in public
    assert not any(broken.name in reason or "moved aside" in reason for reason in public["degraded"])
    assert any("moved aside" in reason for reason in client.get("/health").get_json()["degraded"])


# -- fault 2: cost grows with the text, never faster --------------------------------------------------


def devset_paragraphs() -> list[str]:
    """Every paragraph of the development set's articles, each opening with an emoji (two UTF-16 units)."""
    import tomllib

    from conftest import FIXTURES

    articles = tomllib.loads((FIXTURES / "devset.toml").read_text(encoding="utf-8"))["article"]
    return ["\U0001f4f0 " + " ".join(p.split()) for a in articles for p in a["text"].split("\n\n") if p.strip()]


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


@pytest.fixture
def bundled_client(tmp_path):
    return loopback_client(create_app(make_config(tmp_path, bundled_pack=True, packs=())))


def test_a_huge_block_never_reaches_spacy_as_one_doc(bundled_client, monkeypatch):
    """One 100k-character block is cut into paragraph- or sentence-sized Docs before spaCy sees it."""
    app = bundled_client.application
    recognizer = get_recognizer(app.config["CC"].model, app.extensions["contextcards"].pack)
    seen = []
    real_pipe = recognizer.nlp.pipe

    def pipe(texts, **kwargs):
        for text in texts:
            seen.append(len(text))
            yield from real_pipe([text], **kwargs)

    monkeypatch.setattr(recognizer.nlp, "pipe", pipe)
    one_line = " ".join(devset_paragraphs())
    block = (one_line + " ") * (100_000 // (len(one_line) + 1))
    response = bundled_client.post("/v1/annotate", json=annotate_body(block, save=False, mentions="all"))
    assert response.status_code == 200
    assert len(block) > 90_000 and seen and max(seen) <= 5000  # a long paragraph
    units = block.encode("utf-16-le")
    for item in response.get_json()["annotations"]:
        assert units[2 * item["start"]:2 * item["end"]].decode("utf-16-le") == item["text"]


def test_cutting_a_huge_block_keeps_offsets_and_annotations(bundled_client):
    """A page sent as one huge block gets the same cards at the same places as the same page in paragraphs."""
    paragraphs = devset_paragraphs()
    block = "\n".join(paragraphs)
    as_block = bundled_client.post("/v1/annotate", json=annotate_body(block, save=False, mentions="all")).get_json()
    as_paragraphs = bundled_client.post("/v1/annotate", json=annotate_body(*paragraphs, save=False,
                                                                            mentions="all")).get_json()
    starts = [utf16_len("\n".join(paragraphs[:i])) + (1 if i else 0) for i in range(len(paragraphs))]
    expected = [(a["card"], a["text"], starts[int(a["block"][1:])] + a["start"],
                 starts[int(a["block"][1:])] + a["end"]) for a in as_paragraphs["annotations"]]
    assert len(block) > 5000 and len(expected) > 100
    assert [(a["card"], a["text"], a["start"], a["end"]) for a in as_block["annotations"]] == expected


# -- fault 6: bad input is a 4xx, never a 500 ------------------------------------------------------

JSON_ROUTES = [("POST", "/v1/annotate"), ("POST", "/v1/pair"), ("POST", "/demo/annotate"), ("POST", "/v1/feedback"),
               ("POST", "/v1/settings")]


@pytest.mark.parametrize("method,path", JSON_ROUTES)
@pytest.mark.parametrize("depth", [2000, 100])
def test_deeply_nested_json_cannot_crash_a_route(client, method, path, depth):
    """2,000 `[` overflowed the parser's recursion (500, also without a token); any depth no real body has is a 400."""
    body = "[" * depth + "]" * depth
    response = client.open(path, method=method, data=body, content_type="application/json", headers=NO_TOKEN
                           if path in ("/v1/pair", "/demo/annotate") else {})
    assert_error(response, 400, "too_deeply_nested")
    nested_field = client.open(path, method=method, content_type="application/json",
                               data='{"blocks": ' + body + ', "code": ' + body + "}")
    assert_error(nested_field, 400, "too_deeply_nested")


def test_lone_surrogates_cannot_break_a_page_or_its_history(client):
    """A lone UTF-16 surrogate in a title, block id or URL becomes U+FFFD: the page gets its cards and is saved."""
    body = {"url": "https://news.example/\ud800x", "title": "Chips \udfff and China", "lang": "en\ud800",
            "blocks": [{"id": "b\ud800", "text": "DeepSeek \ud83d met China."}]}
    response = client.post("/v1/annotate", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    answer = response.get_json()
    assert {a["block"] for a in answer["annotations"]} == {"b\ufffd"}
    assert [a["text"] for a in answer["annotations"]] == ["DeepSeek", "China"]
    page = client.get(f"/v1/history/{answer['page_id']}").get_json()
    assert page["title"] == "Chips \ufffd and China" and page["url"] == "https://news.example/\ufffdx"
    exported = client.get("/v1/history/export?format=markdown")
    assert exported.status_code == 200 and "Chips \ufffd and China" in exported.get_data(as_text=True)


def test_lone_surrogates_cannot_break_settings_or_feedback(client):
    """The same for the other JSON bodies that reach the store."""
    feedback = client.post("/v1/feedback", json={"card": "deepseek", "action": "mute", "site": "news\ud800.example"})
    assert feedback.status_code < 500
    settings = client.post("/v1/settings", json={"site_rules": {"news\udc00.example": "never"}})
    assert settings.status_code < 500
    pair = client.post("/v1/pair", json={"code": "ABCD-\ud800EF"}, headers=NO_TOKEN)
    assert_error(pair, 401)


# -- fault 7: exports are inert in whatever opens them -------------------------------------------

HOSTILE_URL = "https://<svg onload=alert(1)>/x?<b>"


def test_history_exports_cannot_carry_markup_from_a_hostile_page(client):
    """A page's host, title and sentences are the page's to choose: no export writes an HTML tag raw."""
    body = annotate_body("<script>alert(1)</script> DeepSeek & China <img src=x onerror=alert(2)>", url=HOSTILE_URL,
                         title="<iframe src=javascript:alert(3)>")
    assert client.post("/v1/annotate", json=body).status_code == 200
    for fmt in ("markdown", "json", "jsonld"):
        text = client.get(f"/v1/history/export?format={fmt}").get_data(as_text=True)
        assert not re.search(r"(?<!\\)<", text), fmt  # Markdown may show "\<" (a literal "<"), JSON "\u003c"
    markdown = client.get("/v1/history/export?format=markdown").get_data(as_text=True)
    assert "alert\\(1\\)" in markdown and "javascript:" not in markdown.split("](")[-1].split(")")[0]


def test_csv_export_cannot_smuggle_a_formula_behind_whitespace():
    """Spreadsheets skip leading spaces and line breaks before `=`: such cells get the quote prefix too."""
    import csv
    import io

    from contextcards.history.export import as_csv

    page = {"id": "p1", "url": " =HYPERLINK(\"http://evil.example\")", "title": "\n+SUM(A1)", "site": "\t@evil",
            "first_visit": "2026-12-01T10:00:00Z", "last_visit": "2026-12-01T10:00:00Z", "visits": 1,
            "mentions": [{"card": "china", "card_title": "\r\n-2+3", "text": " =1+1", "sentence": "safe = fine",
                          "start": 0, "end": 5}]}
    row = list(csv.reader(io.StringIO(as_csv([page], "2026-12-01T10:00:00Z"))))[1]
    for cell in row:
        assert not cell.lstrip().startswith(("=", "+", "-", "@")), cell
    assert row[10] == "safe = fine"  # an ordinary cell is left alone


def test_markdown_export_writes_no_field_raw():
    """Every field (site, title, URL, day, card title, sentence) is escaped or encoded in Markdown."""
    from contextcards.history.export import as_markdown

    page = {"id": "p1", "url": "javascript:alert(1)//<x>", "title": "", "site": "<svg onload=alert(1)>",
            "first_visit": "<b>x", "last_visit": "<b>2026-12-01", "visits": 2,
            "mentions": [{"card": "c", "card_title": "**[x](javascript:y)**", "sentence": "<i>hi</i>",
                          "text": "hi", "start": 0, "end": 2}]}
    text = as_markdown([page], "2026-12-01T10:00:00Z")
    assert "<" not in text.replace("\\<", "")
    assert "](javascript:" not in text and "(<javascript:" not in text


# -- fault 2 (load): a flood of large pages is turned away at once ----------------------------------


def test_a_flood_of_pages_is_turned_away_before_its_body_is_read(app, client):
    """With both NLP slots busy and the queue full, the next page gets 429 at once (a malformed body proves
    it was never parsed), so waiting pages cannot take every server thread; /health still answers."""
    from contextcards.annotate import CONCURRENT_PAGES, MAX_WAITING

    annotator = app.extensions["contextcards"].annotator
    for _ in range(CONCURRENT_PAGES):
        annotator.slots.acquire()
    annotator.waiting = MAX_WAITING
    try:
        response = client.post("/v1/annotate", data="{not json", content_type="application/json")
        assert_error(response, 429, "too_many_requests")
        assert response.headers["Retry-After"]
        assert client.get("/health").status_code == 200
    finally:
        annotator.waiting = 0
        for _ in range(CONCURRENT_PAGES):
            annotator.slots.release()
    assert client.post("/v1/annotate", json=annotate_body("DeepSeek.")).status_code == 200


def test_the_demo_cannot_be_fed_a_maximum_size_page(client):
    """Any page may call the demo: it takes the demo article's size, not the 2,000,000 characters a reader's page may have."""
    big = annotate_body(*["DeepSeek and China. " * 4000] * 2)  # 160,000 characters, 168 kB
    assert_error(client.post("/demo/annotate", json=big, headers=NO_TOKEN), 413)
    huge = annotate_body(*["DeepSeek and China. " * 4000] * 20)
    assert_error(client.post("/demo/annotate", json=huge, headers=NO_TOKEN), 413)
    assert client.post("/demo/annotate", json=annotate_body("DeepSeek and China."), headers=NO_TOKEN).status_code == 200


# -- lower: a corrupt pairing-code file is no code, not a 500 -----------------------------------------


@pytest.mark.parametrize("content", ['[]', '"code"', '{"sha256": 5, "expires": "soon", "failures": "x"}',
                                     '{"expires": 99999999999}', b"\xff\xfe\x00garbage", "{torn"])
def test_a_corrupt_pairing_code_file_cannot_break_pairing(client, config, content):
    """Whatever the file holds, a pairing attempt is refused like a wrong code; a fresh code then works."""
    from contextcards.pairing import CODE_FILE, new_pairing_code

    path = config.data_dir / CODE_FILE
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    assert_error(client.post("/v1/pair", json={"code": "ABCD-EFGH"}, headers=NO_TOKEN), 401, "bad_pairing_code")
    code = new_pairing_code(config.data_dir)
    answer = client.post("/v1/pair", json={"code": code}, headers=NO_TOKEN)
    assert answer.status_code == 200 and answer.get_json()["token"]
