"""Names met without a card: what the recogniser found on saved pages that neither the pack nor Wikipedia linked.

Only pages that are saved count (never `save: false`, the demo or the CLI): the annotator
calls `record` after the page is in the history. Each saved page keeps one record in the
store's "uncarded" table, keyed by the page's id: when, and per name its NER label and the
one sentence it was seen in (at most MAX_SENTENCE characters, as history mentions are) —
no other page text. Annotating the page again replaces its record, so a page counts once.
In memory, per name: how many pages, the newest of them, its sentence.

`GET /v1/names/uncarded` lists the names newest day first and, within a day, most pages
first; it leaves out names the reader muted or said get no card, names that have a card now
(a card the reader made, say), and names whose newest page was deleted from the history.
"""

import threading

from flask import Blueprint, current_app, jsonify, request

from ..errors import Unprocessable
from ..knowledge import alias_key
from ..openapi import error_responses
from .record import sentence_around, timestamp
from .service import get_history

NAMES_PER_PAGE = 30
DEFAULT_LIMIT, MAX_LIMIT = 50, 500


class UncardedNames:
    """Names without a card per saved page (in the store) and per name (in memory)."""

    def __init__(self, store, clock, page_exists):
        self.table = store.table("uncarded", group_of=lambda key, record: record["seen"][:7])
        self.lock = threading.Lock()
        self.clock = clock
        self.page_exists = page_exists
        self.names: dict[str, dict] = {}
        for page_id, record in sorted(self.table.items(), key=lambda item: item[1]["seen"]):
            self._add(page_id, record)

    def _add(self, page_id: str, record: dict) -> None:
        for item in record["names"]:
            entry = self.names.setdefault(alias_key(item["name"]), {"pages": 0})
            entry["pages"] += 1
            entry.update(name=item["name"], label=item["label"], sentence=item["sentence"], last=record["seen"],
                         page=page_id)

    def _remove(self, record: dict) -> None:
        for item in record["names"]:
            key = alias_key(item["name"])
            entry = self.names.get(key)
            if entry is not None:
                entry["pages"] -= 1
                if entry["pages"] <= 0:
                    del self.names[key]

    def record(self, page_id: str, blocks: list[tuple[str, str]], mentions) -> None:
        """Keep the names of one saved page that nothing linked (replacing what this page said before)."""
        names: dict[str, dict] = {}
        for mention in mentions:
            key = alias_key(mention.text)
            if key not in names and len(names) < NAMES_PER_PAGE:
                sentence, _ = sentence_around(blocks[mention.block][1], mention.start, mention.end)
                names[key] = {"name": mention.text, "label": mention.label, "sentence": sentence}
        with self.lock:
            old = self.table.get(page_id)
            if not names and old is None:
                return
            record = {"seen": timestamp(self.clock()), "names": list(names.values())}
            if old is not None:
                self._remove(old)
            if names:
                self.table.put(page_id, record)
                self._add(page_id, record)
            else:
                self.table.delete(page_id)

    def listing(self, limit: int, hidden) -> list[dict]:
        """Names newest day first, then most pages first; `hidden(key)` leaves out muted and carded names."""
        with self.lock:
            entries = [(key, dict(entry)) for key, entry in self.names.items()]
        entries.sort(key=lambda item: (item[1]["last"][:10], item[1]["pages"], item[1]["last"]), reverse=True)
        found = []
        for key, entry in entries:
            if len(found) >= limit:
                break
            if hidden(key) or not self.page_exists(entry["page"]):
                continue
            found.append({"name": entry["name"], "label": entry["label"], "pages": entry["pages"],
                          "last_seen": entry["last"], "sentence": entry["sentence"]})
        return found


bp = Blueprint("uncarded", __name__)


@bp.get("/v1/names/uncarded")
def uncarded_names():
    """Names met on saved pages that no card explains yet: {names: [{name, label, pages, last_seen, sentence}]}."""
    text = request.args.get("limit", str(DEFAULT_LIMIT))
    if not text.isdigit() or not 1 <= int(text) <= MAX_LIMIT:
        raise Unprocessable(f"'limit' must be a whole number from 1 to {MAX_LIMIT}.")
    history = get_history(current_app)
    services = current_app.extensions["contextcards"]
    carded = {alias_key(entry.text) for entry in services.pack.aliases}
    settings = history.reader.settings()
    muted = {alias_key(m["term"]) for m in settings["muted"] if m.get("term")}
    muted_cards = {m["card"] for m in settings["muted"]}
    no_card = {alias_key(c["term"]) for c in settings["corrections"] if c.get("term") and c.get("to") is None}

    def hidden(key: str) -> bool:
        wiki_id = "wiki:" + key  # a muted Wikipedia card hides its name (ids hold the title; compared folded)
        return key in carded or key in muted or key in no_card or \
            any(card.casefold() == wiki_id for card in muted_cards if card.startswith("wiki:"))

    names = current_app.extensions["contextcards_uncarded"].listing(int(text), hidden)
    return jsonify({"names": names})


OPENAPI_PATHS = {"/v1/names/uncarded": {"get": {
    "summary": "Names met on saved pages without a card, newest and most frequent first (muted names left out)",
    "parameters": [{"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1,
                                                              "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT}}],
    "responses": {"200": {"description": "OK", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"names": {"type": "array", "items": {"type": "object", "properties": {
            "name": {"type": "string"}, "label": {"type": "string"}, "pages": {"type": "integer"},
            "last_seen": {"type": "string", "format": "date-time"},
            "sentence": {"type": "string", "maxLength": 240}}}}}}}}},
        **error_responses(401, 403, 422, 503)}}}}
