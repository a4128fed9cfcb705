"""Golden answers: the exact bytes every API route answered for a fixed set of pages, recorded before the layout moved.

A refactor that keeps the behaviour keeps these bytes. When an answer changes on purpose,
regenerate with `CONTEXTCARDS_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden.py`
and read the diff of tests/fixtures/golden/ before committing it.
"""

import os
from datetime import datetime, timezone
from urllib.parse import quote

import pytest

from contextcards.app import create_app
from contextcards.cli import main

from conftest import FIXTURES, MODEL, annotate_body, loopback_client, make_config
from fake_mediawiki import FakeMediaWiki

GOLDEN = FIXTURES / "golden"
UPDATE = os.environ.get("CONTEXTCARDS_UPDATE_GOLDEN") == "1"

ARTICLE = (
    "Beijing answers Washington's chip rules with a push of its own",
    "The Bureau of Industry and Security widened US export controls on Tuesday, and the new rules reach "
    "the Nvidia H20, the chip Nvidia designed so that it could keep selling to China at all.",
    "In Beijing, President Xi Jinping told a meeting of officials that the People's Republic of China would "
    "not be held back. Premier Li Qiang said the same to business leaders a day later, and Xi repeated it.",
    "DeepSeek, the Hangzhou start-up whose models surprised Silicon Valley, trained on older chips. "
    "Its engineers said export controls changed what they built, not whether they built it.",
    "Meta, which owns Facebook and trains the Llama models, and Google, whose Gemini model competes with "
    "them, both said little. Analysts in Shanghai 🚀 expect the H20 to sell out before the rules apply.",
    "Li Keqiang, the premier before Li Qiang, had argued for opening markets; his successor talks more "
    "about self-reliance. The PRC has answered with rules of its own on 𠀀 rare earth exports.",
)
LATER_PAGE = ("Xi Jinping and DeepSeek again", "Xi Jinping visited DeepSeek in Hangzhou, state media said.")
WIKI_PAGE = "Lisa Su, the chief executive of AMD, met Pat Gelsinger in Taipei. Lisa Su spoke first about Xi Jinping."


class Clock:
    """A wall clock the test sets by hand."""

    def __init__(self):
        self.now = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now


def check(name: str, data: bytes) -> None:
    """Compare bytes with the recorded answer (or record it when asked to)."""
    path = GOLDEN / name
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return
    assert path.exists(), f"no golden answer {name}: run with CONTEXTCARDS_UPDATE_GOLDEN=1"
    expected = path.read_bytes()
    if data != expected:
        assert data.decode("utf-8", "replace") == expected.decode("utf-8", "replace"), name
        assert data == expected, name


def answer(response) -> bytes:
    """The status line's code and the exact body."""
    return f"{response.status_code} {response.mimetype}\n".encode() + response.get_data()


def article_body(**extra):
    title, *paragraphs = ARTICLE
    return annotate_body(*paragraphs, url="https://news.example/2025/06/chips?utm_source=x#top", title=title, **extra)


@pytest.fixture
def golden_app(tmp_path):
    app = create_app(make_config(tmp_path, model=MODEL))
    clock = Clock()
    app.extensions["contextcards_history"].clock = clock
    return app, clock


@pytest.mark.model
def test_history_pages_cards_and_exports_answer_as_recorded(golden_app):
    app, clock = golden_app
    client = loopback_client(app)
    check("annotate-article.txt", answer(client.post("/v1/annotate", json=article_body())))
    check("annotate-article-all.txt", answer(client.post("/v1/annotate", json=article_body(mentions="all"))))
    clock.now = clock.now.replace(hour=11)
    title, text = LATER_PAGE
    later = client.post("/v1/annotate", json=annotate_body(text, url="https://other.example/xi", title=title))
    check("annotate-seen-before.txt", answer(later))
    check("annotate-not-saved.txt", answer(client.post("/v1/annotate", json=annotate_body(
        text, url="https://private.example/", title="Private", save=False))))
    check("demo-annotate.txt", answer(client.post("/demo/annotate", json=article_body())))
    page_id = later.get_json()["page_id"]
    check("history-page.txt", answer(client.get(f"/v1/history/{page_id}")))
    check("history-list.txt", answer(client.get("/v1/history")))
    check("history-search.txt", answer(client.get("/v1/history?q=hangzhou&entity=deepseek")))
    check("entity-pages.txt", answer(client.get("/v1/entities/xi-jinping/pages")))
    for fmt in ("json", "jsonld", "markdown", "csv"):
        check(f"export-{fmt}.txt", answer(client.get(f"/v1/history/export?format={fmt}")))
    check("card-pack.txt", answer(client.get("/v1/cards/li-qiang")))
    check("demo-card.txt", answer(client.get("/demo/cards/xi-jinping")))
    check("health.txt", answer(client.get("/health")))
    check("openapi.txt", answer(client.get("/v1/openapi.json")))
    check("settings-after-mute.txt", answer(client.post("/v1/feedback", json={"card": "china", "action": "mute"})))
    check("annotate-after-mute.txt", answer(client.post("/v1/annotate", json=article_body())))


@pytest.mark.model
def test_errors_answer_as_recorded(golden_app):
    app, _ = golden_app
    client = loopback_client(app)
    too_long = annotate_body("a" * (app.config["CC"].max_block_chars + 1))
    duplicate = {"url": "u", "title": "t", "blocks": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}
    cases = {
        "error-422.txt": client.post("/v1/annotate", json={"url": "u", "title": "t", "blocks": "text"}),
        "error-409.txt": client.post("/v1/annotate", json=duplicate),
        "error-413.txt": client.post("/v1/annotate", json=too_long),
        "error-400.txt": client.post("/v1/annotate", data="{", content_type="application/json"),
        "error-404-card.txt": client.get("/v1/cards/no-such-card"),
        "error-404-page.txt": client.get("/v1/history/p0000"),
        "error-non-english.txt": client.post("/v1/annotate", json=annotate_body("China and DeepSeek.", lang="de")),
    }
    for name, response in cases.items():
        check(name, answer(response))


@pytest.fixture
def wiki():
    with FakeMediaWiki() as server:
        server.add("Lisa Su", "Lisa Su (born 7 November 1969) is a Taiwanese-American business executive and "
                   "electrical engineer. She is the chief executive of AMD.", "Taiwanese-American business executive")
        server.add("Advanced Micro Devices", "Advanced Micro Devices, Inc. (AMD) is an American multinational "
                   "semiconductor company based in Santa Clara, California.", "American semiconductor company")
        server.redirect("AMD", "Advanced Micro Devices")
        server.add("Taipei", "Taipei is the capital and a special municipality of Taiwan.", "Capital of Taiwan")
        server.add("Xi Jinping", "Xi Jinping is a Chinese politician.", "General Secretary of the CCP")
        yield server


@pytest.mark.model
def test_wikipedia_cards_ready_and_pending_answer_as_recorded(tmp_path, wiki):
    ready_app = create_app(make_config(tmp_path / "ready", model=MODEL, offline=False, wikipedia_api=wiki.url,
                                       wikipedia_budget_ms=30_000))
    pending_app = create_app(make_config(tmp_path / "pending", model=MODEL, offline=False, wikipedia_api=wiki.url,
                                         wikipedia_budget_ms=0))
    try:
        for app in (ready_app, pending_app):
            app.extensions["contextcards_history"].clock = Clock()
        client = loopback_client(ready_app)
        body = annotate_body(WIKI_PAGE, url="https://news.example/amd", title="AMD")
        check("wikipedia-ready.txt", answer(client.post("/v1/annotate", json=body)))
        check("wikipedia-card.txt", answer(client.get("/v1/cards/" + quote("wiki:Advanced Micro Devices", safe=""))))
        check("wikipedia-missing-card.txt", answer(client.get("/v1/cards/" + quote("wiki:Pat Gelsinger", safe=""))))
        check("wikipedia-history.txt", answer(client.get("/v1/history/" + client.post(
            "/v1/annotate", json=body).get_json()["page_id"])))
        wiki.latency = 3.0  # longer than this test takes to get its answer: every name is still being fetched
        pending = loopback_client(pending_app).post("/v1/annotate", json=body)
        wiki.latency = 0.0
        check("wikipedia-pending.txt", answer(pending))
    finally:
        for app in (ready_app, pending_app):
            app.extensions["contextcards_wikipedia"].close()


@pytest.mark.model
def test_cli_annotate_prints_as_recorded(runner, monkeypatch, tmp_path):
    monkeypatch.setenv("CONTEXTCARDS_PACKS", str(FIXTURES / "mini-pack.toml"))
    monkeypatch.setenv("CONTEXTCARDS_BUNDLED_PACK", "0")
    article = tmp_path / "article.txt"
    article.write_text("\n\n".join(ARTICLE[1:]), encoding="utf-8")
    for name, args in (("cli-annotate-json.txt", ["--json"]), ("cli-annotate-table.txt", [])):
        result = runner.invoke(main, ["annotate", str(article), *args])
        assert result.exit_code == 0, result.output
        check(name, result.output.encode("utf-8"))
