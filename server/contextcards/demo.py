"""The demo page: the real content script over a same-origin transport, stateless, no install needed.

Its routes need no token, so any web page can call them: they answer from the knowledge pack
alone and never touch the reader's history, Wikipedia cache or block cache, so that nothing
the reader read shows through them, by content or by timing.
"""

import threading
import time

from flask import Blueprint, current_app, jsonify, request, send_from_directory

from .annotate import HistoryUse, parse_request, to_json
from .api import json_body, services
from .errors import NotFound, PayloadTooLarge, TooManyRequests

bp = Blueprint("demo", __name__)
DEMO_REQUESTS_PER_MINUTE = 60
# The demo article is a few thousand characters: any page may call these routes, so they take no more.
DEMO_MAX_BODY_BYTES = 256 * 1024
DEMO_MAX_CHARS = 50_000


class RateLimit:
    """A token bucket: the demo's unauthenticated routes cannot be used to keep the server busy."""

    def __init__(self, per_minute: int):
        self.capacity = per_minute
        self.tokens = float(per_minute)
        self.updated = time.monotonic()
        self.lock = threading.Lock()

    def take(self) -> float:
        """0 if allowed, else the seconds to wait."""
        with self.lock:
            now = time.monotonic()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.capacity / 60)
            self.updated = now
            if self.tokens >= 1:
                self.tokens -= 1
                return 0
            return (1 - self.tokens) * 60 / self.capacity


def _limit():
    limiter = current_app.extensions.setdefault("contextcards_demo_limit", RateLimit(DEMO_REQUESTS_PER_MINUTE))
    wait = limiter.take()
    if wait:
        raise TooManyRequests(f"The demo allows {DEMO_REQUESTS_PER_MINUTE} requests a minute; try again shortly.",
                              retry_after=max(1, round(wait)))


def _extension_dir():
    folder = current_app.config["CC"].extension_dir
    if not (folder / "demo" / "demo.html").is_file():
        raise NotFound("The demo page ships with the source checkout; extension/ was not found.")
    return folder


@bp.get("/demo")
def page():
    """The demo article."""
    return send_from_directory(_extension_dir() / "demo", "demo.html")


@bp.get("/demo/static/<path:name>")
def static_file(name):
    """The extension's own scripts and styles, so the demo runs exactly the same code."""
    return send_from_directory(_extension_dir(), name)


@bp.get("/demo/cards/<card_id>")
def card(card_id):
    """A knowledge-pack card for the demo page; never a Wikipedia card (those are what the reader looked up)."""
    _limit()
    found = services().pack.get(card_id)
    if found is None:
        raise NotFound(f"The demo has no card {card_id[:80]!r}.")
    return jsonify(found.to_json())


@bp.post("/demo/annotate")
def annotate():
    """Annotate with the pack alone: no history, no Wikipedia, no block cache (HistoryUse.ISOLATED)."""
    _limit()
    svc = services()
    if (request.content_length or 0) > DEMO_MAX_BODY_BYTES:
        raise PayloadTooLarge(f"The demo takes bodies of at most {DEMO_MAX_BODY_BYTES // 1024} kB.")
    svc.annotator.refuse_if_busy()
    limits = svc.config.with_overrides(max_total_chars=DEMO_MAX_CHARS, max_block_chars=DEMO_MAX_CHARS)
    annotate_request = parse_request(json_body(), limits, history=HistoryUse.ISOLATED)
    return jsonify(to_json(svc.annotator.annotate(annotate_request)))
