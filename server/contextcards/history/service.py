"""The history service: saves annotated pages, searches them, and marks the cards seen on earlier pages.

The Annotator calls `record` after linking and Wikipedia, and reads the reader's settings
(reader_settings.py) as its link options. Pages live in the store's "pages" table (files
read when used, see store.LazyShardedTable) in their compact form (record.py); search,
seen_before and the entity trail run on a persisted index (index.py) that each save
updates before it returns. When the index has files to read again (missing, stale or
corrupt), a background thread does that, one file at a time; a search meanwhile helps it
finish before answering (slower, never incomplete), and seen_before counts only the pages
indexed so far.

A page's visit count goes up when it is annotated again more than VISIT_GAP after its
last visit: content scripts re-annotate pages that add content later, which is not a
new visit. Pages on a site whose rule is "never" are not saved, whatever the request says.
"""

import logging
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np

from ..errors import ServiceUnavailable
from ..store import BadRecord, Store
from .index import SearchIndex, iso_weeks, words
from .reader_settings import ReaderSettings
from .record import (BadPage, canonical_url, check_page, from_ms, mentions_of, pack_page, page_id_for, site_of,
                     timestamp, to_ms, unpack_page)

log = logging.getLogger("contextcards")

VISIT_GAP = timedelta(minutes=30)
MAX_TITLE = 500
# A save rewrites one file: 100 compact pages are about 150 KB.
PAGES_PER_FILE = 100


@dataclass
class Query:
    """A history search: every field optional; `cursor` continues an earlier answer."""

    q: str | None = None
    entity: str | None = None
    site: str | None = None
    since: str | None = None
    until: str | None = None
    limit: int = 50
    cursor: tuple[str, str] | None = None


def encode_cursor(page: dict) -> str:
    """Where the next answer starts: after this page in newest-first order."""
    return f"{page['last_visit']}|{page['id']}"


def decode_cursor(text: str) -> tuple[str, str]:
    """Any text is a position in that order, so a stale or edited cursor still answers sensibly."""
    last_visit, _, page_id = text.partition("|")
    return last_visit, page_id


def _visited(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


def _valid_page(stored: dict) -> None:
    try:
        check_page(stored)
    except BadPage as exc:
        raise BadRecord(str(exc)) from None


def _group(key: str, stored: dict) -> str:
    """Pages are grouped by the month of their first visit."""
    return from_ms(stored["f"])[:7] if "f" in stored else stored["first_visit"][:7]


class HistoryService:
    """Pages read, by URL; an index for search and per card; the reader's muted cards, corrections and site rules."""

    def __init__(self, store: Store, pack=None, clock=None, background: bool = True):
        self.store = store
        self.reader = ReaderSettings(store, pack)
        self.lock = store.lock
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        with self.lock:
            self.pages = store.lazy_table("pages", group_of=_group, capacity=PAGES_PER_FILE, validate=_valid_page,
                                          on_set_aside=self._file_set_aside)
            self.index = SearchIndex(store.root / "pages-index", self.lock)
            on_disk = {name: self.pages.fingerprint(name) for name in self.pages.file_names()}
            stale = self.index.check_files(on_disk)
            self.pages.adopt(self.index.where(), set(on_disk) - stale)
        self.indexed = threading.Event()
        if not stale:
            self.indexed.set()
        elif background:
            log.warning("history: indexing %d file(s) of saved pages in the background", len(stale))
            threading.Thread(target=self.reindex, name="history-index", daemon=True).start()
        else:
            self.reindex()

    def close(self) -> None:
        """At exit: a snapshot of the index, so the next start replays no journal."""
        self.index.close()

    def _file_set_aside(self, name: str, key: str | None) -> None:
        if key is None:
            self.index.drop_file(name)
        else:
            self.index.drop_page(key)

    def reindex(self) -> None:
        """Index every unindexed file, one per turn of the lock (annotates go on meanwhile); then a snapshot."""
        while self._index_next():
            pass
        try:
            self.index.snapshot_in_background()
        finally:
            self.indexed.set()

    def _index_next(self) -> bool:
        """Read one unindexed file and index its pages; False when none is left."""
        with self.lock:
            if not self.index.unindexed:
                return False
            name = min(self.index.unindexed)
            try:
                pages = [unpack_page(key, stored) for key, stored in self.pages.file_items(name)]
                self.index.index_file(name, pages, self.pages.fingerprint(name))
            except OSError as exc:
                log.error("history: could not index a file of saved pages (%s)", exc.strerror or type(exc).__name__)
                self.index.unindexed.discard(name)
            return True

    # -- saving ------------------------------------------------------------------------------

    def _stored(self, page_id: str) -> dict | None:
        stored = self.pages.get(page_id)
        return unpack_page(page_id, stored) if stored is not None else None

    def record_visit(self, request, mentions: list[dict]) -> str | None:
        """Save (or update) a page with its mentions; its id, or None when it is not an http(s) page or the site is denied."""
        url = canonical_url(request.url)
        if url is None:
            return None
        site = site_of(url)
        now = timestamp(self.clock())
        page_id = page_id_for(url)
        with self.lock:
            if self.reader.site_rule(site) == "never":
                return None
            old = self._stored(page_id)
            page = {"id": page_id, "url": url, "site": site, "title": request.title[:MAX_TITLE],
                    "first_visit": now, "last_visit": now, "visits": 1, "mentions": mentions}
            if old:
                new_visit = _visited(now) - _visited(old["last_visit"]) > VISIT_GAP
                shown = {m["card"] for m in mentions}
                page.update(first_visit=old["first_visit"], visits=old["visits"] + int(new_visit),
                            last_visit=max(now, old["last_visit"]),
                            mentions=[m for m in old["mentions"] if m["card"] not in shown] + mentions)
            file = self.pages.put(page_id, pack_page(page))
            self.index.put(page, file, self.pages.fingerprint(file))
        return page_id

    def seen_before(self, card_id: str, exclude: str | None, days: int) -> dict:
        """How many other saved pages showed this card, the most recent of them, and how many were visited lately.

        `recent` counts the pages whose last visit falls within the last `days` days, from the index's
        visit times (no page file is read): the extension's "New to me" leaves familiar names unmarked.
        """
        with self.lock:
            index = self.index
            docs = index.card_docs(card_id)
            excluded = index.doc_of.get(exclude) if exclude else None
            if excluded is not None:
                docs = docs[docs != excluded]
            last = None
            while len(docs):
                newest = docs[np.argmax(index.times[docs])]
                page = self._stored(index.page_ids[newest])
                if page is not None:
                    last = {"id": page["id"], "title": page["title"], "url": page["url"], "visited": page["last_visit"]}
                    break
                docs = docs[docs != newest]  # its file was set aside just now
            since = to_ms(timestamp(self.clock() - timedelta(days=days)))
            recent = int(np.count_nonzero(index.times[docs] >= since))
            return {"count": len(docs), "last": last, "recent": {"days": days, "count": recent}}

    def record(self, annotation, first_links, spans, save: bool) -> tuple[str | None, dict[str, dict]]:
        """Save the page when the request may write; the page's id and, per card, seen_before on other pages."""
        request = annotation.request
        url = canonical_url(request.url)
        this_page = page_id_for(url) if url else None
        page_id = None
        with self.lock:
            if save:
                mentions = mentions_of(request.blocks, first_links, spans, annotation.cards)
                try:
                    page_id = self.record_visit(request, mentions)
                except OSError as exc:
                    # A full or read-only disk costs this page its history entry, not the reader their cards.
                    log.error("history: could not save a page (%s)", exc.strerror or type(exc).__name__)
            return page_id, {card_id: self.seen_before(card_id, this_page, request.seen_days)
                             for card_id in annotation.cards}

    # -- reading and deleting ----------------------------------------------------------------

    def get(self, page_id: str) -> dict | None:
        """One saved page, or None."""
        with self.lock:
            return self._stored(page_id)

    def search(self, query: Query) -> dict:
        """Pages matching every given filter, newest visit first: {pages, total, next_cursor}."""
        terms = words(query.q) if query.q else []
        since = to_ms(query.since) if query.since else None
        until = to_ms(query.until) if query.until else None
        while self._index_next():
            pass  # while the index is rebuilt, a search helps finish it: slower, never incomplete
        with self.lock:
            docs = self.index.matching(terms, query.entity, query.site, since, until)
            total = len(docs)
            found = self.index.newest(docs, query.limit + 1, query.cursor)
            chosen = []
            for _, page_id in sorted(found, reverse=True):
                page = self._stored(page_id)
                if page is not None:
                    chosen.append(page)
                    if len(chosen) > query.limit:
                        break
            more = len(chosen) > query.limit
            chosen = chosen[:query.limit]
        if query.entity is not None:
            for page in chosen:
                page["mentions"] = [m for m in page["mentions"] if m["card"] == query.entity]
        return {"pages": chosen, "total": total, "next_cursor": encode_cursor(chosen[-1]) if more else None}

    def weeks(self, card_id: str) -> list[dict]:
        """Pages that showed a card, counted by ISO week of their last visit, oldest week first."""
        with self.lock:
            times = self.index.times[self.index.card_docs(card_id)]
        return [{"week": week, "pages": n} for week, n in iso_weeks(times)]

    def all_pages(self) -> list[dict]:
        """Every saved page, newest visit first (for export)."""
        with self.lock:
            found = [(to_ms(page["last_visit"]), page["id"]) for page in
                     (unpack_page(key, stored) for key, stored in self.pages.items())]
            pages = (self._stored(page_id) for _, page_id in sorted(found, reverse=True))
            return [page for page in pages if page is not None]

    def delete(self, page_id: str) -> bool:
        """Forget one page; False when there was no such page."""
        with self.lock:
            file = self.pages.locate(page_id)
            if file is None or not self.pages.delete(page_id):
                return False
            self.index.delete(page_id, file, self.pages.fingerprint(file))
            return True

    def clear(self) -> int:
        """Forget every page (settings stay); how many there were."""
        with self.lock:
            count = len(self)
            self.pages.clear()
            self.index.clear()
            return count

    def __len__(self) -> int:
        return len(self.pages)

    def report_health(self, report: dict) -> None:
        """The health_sources hook: page count, the index's state, and any store file set aside."""
        report["history"] = {"pages": len(self), "index": self.index.status(),
                             "quarantined": list(self.store.problems)}
        report["degraded"].extend(self.store.problems)
        if not self.store.writable():
            report["history"]["read_only"] = True
            report["degraded"].append(f"history read-only: {self.store.unwritable}")


def get_history(app) -> HistoryService:
    """The app's history service; 503 when another process holds the store."""
    history = app.extensions.get("contextcards_history")
    if history is None:
        raise ServiceUnavailable("The history is in use by another Context Cards process on this data directory.",
                                 code="history_unavailable")
    return history
