"""The Wikipedia cache: answers by name in memory, written through to the store; card ids; refreshed pack summaries.

Records live in the store's "wikipedia" key-value table (store.py), one per (NER label,
name) under "q:<label>:<title>": a found page (canonical title, summary, description, kind,
how it was found) for 14 days, a miss (missing, disambiguation, no page that fits) for
1 day; each record holds its own expiry. Every record is read into memory at start-up
(expired ones are dropped, a bounded number per start), so annotate never reads the disk,
and a card is ready the moment its record is in memory; writing it to the store follows.
`contextcards pack refresh` keeps summaries of pack cards under "refresh:<card id>"
(no expiry), with a digest of the bundled summary they replace.
"""

import hashlib
import threading
import time
from dataclasses import replace
from datetime import datetime, timezone
from urllib.parse import unquote

DAY = 86400.0
FOUND_TTL, MISS_TTL = 14 * DAY, DAY
PRUNE_AT_START = 100
REFRESH = "refresh:"
REFRESH_BATCH = 20  # one request each: MediaWiki gives 20 intro extracts per answer


def card_id_for(title: str) -> str:
    """The card id of a Wikipedia title: "wiki:" + title, with "%" and "/" percent-encoded."""
    return "wiki:" + title.replace("%", "%25").replace("/", "%2F")


def title_for(card_id: str) -> str | None:
    """The title inside a Wikipedia card id (MediaWiki titles never hold %XX, so this is exact)."""
    return unquote(card_id[5:]) if card_id.startswith("wiki:") and len(card_id) > 5 else None


def _digest(text: str) -> str:
    """A short fingerprint of a bundled summary (a refresh applies only to the summary it replaced)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class MemoryTable:
    """The store's key-value interface in memory: used when another process holds the store."""

    def __init__(self):
        self.data: dict[str, dict] = {}

    def get(self, key: str) -> dict | None:
        """The record under key, or None."""
        return self.data.get(key)

    def set(self, key: str, value: dict) -> None:
        """Store a record."""
        self.data[key] = value

    def delete(self, key: str) -> bool:
        """Remove a record; False when there was none."""
        return self.data.pop(key, None) is not None

    def clear(self) -> None:
        """Remove every record."""
        self.data.clear()

    def items(self) -> list[tuple[str, dict]]:
        """Every (key, record)."""
        return list(self.data.items())


class LookupCache:
    """Answers by "q:<label>:<title>" in memory (read on every annotate), written through to the store table."""

    def __init__(self, table, now=time.time):
        self.table = table
        self.now = now
        self.lock = threading.Lock()
        self.entries: dict[str, dict] = {}
        self.by_title: dict[str, str] = {}
        expired = []
        for key, value in table.items():
            if "expires" in value and value["expires"] <= now():
                expired.append(key)
            else:
                self._index(key, value)
        for key in expired[:PRUNE_AT_START]:  # bounded: each delete rewrites one store file
            table.delete(key)

    def _index(self, key: str, value: dict) -> None:
        """Hold a record, and find found pages by canonical title too."""
        self.entries[key] = value
        if value.get("status") == "found":
            self.by_title[value["title"]] = key

    def get(self, key: str) -> dict | None:
        """An unexpired record, or None."""
        with self.lock:
            value = self.entries.get(key)
        if value is not None and value.get("expires", float("inf")) <= self.now():
            return None
        return value

    def found(self, title: str) -> dict | None:
        """The unexpired record of a found page by its canonical title."""
        with self.lock:
            key = self.by_title.get(title)
        record = self.get(key) if key else None
        return record if record and record.get("status") == "found" else None

    def remember(self, key: str, value: dict, ttl: float | None) -> dict:
        """Keep a record in memory now (a card is ready the moment it is here); write() persists it."""
        if ttl is not None:
            value = {**value, "expires": self.now() + ttl}
        with self.lock:
            self._index(key, value)
        return value

    def write(self, key: str, value: dict) -> None:
        """Persist a record to the store (slow: a file write and fsync)."""
        self.table.set(key, value)

    def clear(self) -> int:
        """Forget everything; how many records there were."""
        with self.lock:
            count = len(self.table.items())
            self.entries.clear()
            self.by_title.clear()
            self.table.clear()
        return count


def query_key(label: str | None, title: str) -> str:
    """The cache key of a name looked up under an NER label (None: asked by card id)."""
    return f"q:{label or '-'}:{title}"


def apply_refreshed_summaries(pack, table) -> int:
    """Use summaries from `pack refresh` in place of the bundled ones they were refreshed against."""
    applied = 0
    for key, value in table.items():
        card = pack.cards.get(key[len(REFRESH):]) if key.startswith(REFRESH) else None
        if card and value.get("pack_digest") == _digest(card.summary) and value.get("summary"):
            # The summary's text is Wikipedia's: the card says so (attribution), its facts stay the pack's.
            pack.cards[card.id] = replace(card, summary=value["summary"], source="wikipedia",
                                          summary_refreshed=str(value.get("refreshed", ""))[:10] or None)
            applied += 1
    return applied


def refresh_pack(client, pack, table, card_ids, progress=None) -> tuple[int, list[str]]:
    """Fetch the summaries of these pack cards into the cache: how many, and one line per problem."""
    refreshed, problems = 0, []
    cards = [pack.cards[card_id] for card_id in card_ids]
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for start in range(0, len(cards), REFRESH_BATCH):
        batch = cards[start:start + REFRESH_BATCH]
        results = client.fetch([card.wikipedia for card in batch])
        for card in batch:
            found = results.get(card.wikipedia)
            if found is None or found.status != "found":
                problems.append(f"{card.id}: {card.wikipedia!r} is {found.status if found else 'missing'} on Wikipedia")
                continue
            if found.title != card.wikipedia:
                problems.append(f"{card.id}: {card.wikipedia!r} now redirects to {found.title!r} (refreshed anyway)")
            table.set(f"{REFRESH}{card.id}", {"title": found.title, "summary": found.summary,
                                              "pack_digest": _digest(card.summary), "refreshed": stamp})
            refreshed += 1
        if progress:
            progress(len(batch))
    return refreshed, problems
