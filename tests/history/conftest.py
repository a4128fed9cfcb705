"""Fixtures and helpers of the history tests: a hand-set clock, reading pages as the extension would, a small library."""

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from contextcards.annotate import AnnotateRequest, Annotation, spans
from contextcards.history.service import HistoryService, get_history
from contextcards.knowledge import Card
from contextcards.linking import Link

from conftest import annotate_body


START = datetime(2025, 6, 2, 9, 0, tzinfo=timezone.utc)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now=START):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, **delta):
        self.now += timedelta(**delta)


@pytest.fixture
def clock(app):
    clock = Clock()
    get_history(app).clock = clock
    return clock


def read(client, url, text, **extra):
    """Annotate one page as the extension would; the JSON answer."""
    response = client.post("/v1/annotate", json=annotate_body(*text if isinstance(text, tuple) else (text,),
                                                              url=url, **extra))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def store_bytes(app) -> bytes:
    root = Path(app.config["CC"].data_dir) / "store"
    return b"".join(p.read_bytes() for p in sorted(root.rglob("*.json")))


@pytest.fixture
def library(client, clock):
    """Four pages over three weeks on three sites."""
    pages = [("https://news.example/chips", "Chip rules", "Export controls hit Nvidia H20 chips bound for China."),
             ("https://blog.other.example/ai", "AI models", "DeepSeek trained a model. Meta Platforms answered."),
             ("https://news.example/xi", "Xi speech", "Xi Jinping praised DeepSeek in Beijing."),
             ("https://news.example/li", "Premier", "Li Qiang spoke about China and DeepSeek.")]
    ids = []
    for url, title, text in pages:
        ids.append(read(client, url, text, title=title)["page_id"])
        clock.advance(days=6)
    return ids


def titles(answer):
    return [page["title"] for page in answer["pages"]]


def save_page(service: HistoryService, url: str, title: str, cards: list[str]) -> str | None:
    """Save a page as the annotator would after linking: one block naming each card."""
    text = " ".join(f"{card} here." for card in cards) or "nothing here."
    request = AnnotateRequest(url=url, title=title, blocks=[("b0", text)])
    links = [Link(0, text.index(card), text.index(card) + len(card), card, card, 0.9) for card in cards]
    found = {card: Card(id=card, title=card.title(), kind="concept", summary="") for card in cards}
    page_id, _ = service.record(Annotation(request, links, found), links, spans(request.blocks, links), save=True)
    return page_id
