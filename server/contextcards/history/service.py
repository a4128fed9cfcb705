"""The history service: saves annotated pages, searches them, and marks the cards seen on earlier pages.

The Annotator calls `record` after linking and Wikipedia, and reads the reader's settings
(reader_settings.py) as its link options. Search runs on an
in-memory index rebuilt from the store at start-up; the store keeps every page on disk
before a save returns (see store.py for the layout and what survives a crash).

A page's visit count goes up when it is annotated again more than VISIT_GAP after its
last visit: content scripts re-annotate pages that add content later, which is not a
new visit. Pages on a site whose rule is "never" are not saved, whatever the request says.
"""

import logging
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from ..errors import ServiceUnavailable
from .record import canonical_url, mentions_of, page_id_for, site_matches, site_of, timestamp
from .reader_settings import ReaderSettings
from ..store import Store

log = logging.getLogger("contextcards")

VISIT_GAP = timedelta(minutes=30)
MAX_TITLE = 500


@dataclass(slots=True)
class Indexed:
    """What search needs of one page, kept in memory."""

    text: str
    site: str
    last_visit: str


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


def _search_text(page: dict) -> str:
    parts = [page["title"], page["url"]]
    for mention in page["mentions"]:
        parts += [mention["card"], mention["card_title"], mention["text"], mention["sentence"]]
    return "\n".join(parts).casefold()


def _visited(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)


class HistoryService:
    """Pages read, by URL; an index for search and per card; the reader's muted cards, corrections and site rules."""

    def __init__(self, store: Store, pack=None, clock=None):
        self.store = store
        self.reader = ReaderSettings(store, pack)
        self.lock = store.lock
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.pages = store.table("pages", group_of=lambda key, page: page["first_visit"][:7])
        self.index: dict[str, Indexed] = {}
        # card id -> {page id: last visit}, oldest visit first, so the newest is at the end.
        self.by_card: dict[str, OrderedDict[str, str]] = {}
        with self.lock:
            pages = sorted((page for _, page in self.pages.items()), key=lambda p: (p["last_visit"], p["id"]))
            for page in pages:
                self._index(page)

    # -- the index ---------------------------------------------------------------------------

    def _index(self, page: dict) -> None:
        page_id, last_visit = page["id"], page["last_visit"]
        self.index[page_id] = Indexed(_search_text(page), page["site"], last_visit)
        for mention in page["mentions"]:
            visits = self.by_card.setdefault(mention["card"], OrderedDict())
            out_of_order = bool(visits) and next(reversed(visits.values())) > last_visit
            visits[page_id] = last_visit
            if out_of_order:
                self.by_card[mention["card"]] = OrderedDict(sorted(visits.items(), key=lambda kv: (kv[1], kv[0])))

    def _unindex(self, page: dict) -> None:
        self.index.pop(page["id"], None)
        for mention in page["mentions"]:
            visits = self.by_card.get(mention["card"])
            if visits is not None and visits.pop(page["id"], None) is not None and not visits:
                del self.by_card[mention["card"]]

    # -- saving ------------------------------------------------------------------------------

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
            old = self.pages.get(page_id)
            page = {"id": page_id, "url": url, "site": site, "title": request.title[:MAX_TITLE],
                    "first_visit": now, "last_visit": now, "visits": 1, "mentions": mentions}
            if old:
                new_visit = _visited(now) - _visited(old["last_visit"]) > VISIT_GAP
                shown = {m["card"] for m in mentions}
                page.update(first_visit=old["first_visit"], visits=old["visits"] + int(new_visit),
                            last_visit=max(now, old["last_visit"]),
                            mentions=[m for m in old["mentions"] if m["card"] not in shown] + mentions)
            self.pages.put(page_id, page)
            if old:
                self._unindex(old)
            self._index(page)
        return page_id

    def seen_before(self, card_id: str, exclude: str | None) -> dict:
        """How many other saved pages showed this card, and the most recent of them."""
        with self.lock:
            visits = self.by_card.get(card_id, {})
            count = len(visits) - (exclude in visits)
            last = next((pid for pid in reversed(visits) if pid != exclude), None)
            if last is None:
                return {"count": 0, "last": None}
            page = self.pages.get(last)
            return {"count": count, "last": {"id": last, "title": page["title"], "url": page["url"],
                                             "visited": page["last_visit"]}}

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
            return page_id, {card_id: self.seen_before(card_id, this_page) for card_id in annotation.cards}

    # -- reading and deleting ----------------------------------------------------------------

    def get(self, page_id: str) -> dict | None:
        """One saved page, or None."""
        with self.lock:
            page = self.pages.get(page_id)
            return _copy_page(page) if page else None

    def search(self, query: Query) -> dict:
        """Pages matching every given filter, newest visit first: {pages, total, next_cursor}."""
        terms = query.q.casefold().split() if query.q else []
        site = query.site
        with self.lock:
            ids = self.by_card.get(query.entity, {}) if query.entity is not None else self.index
            matches = []
            for page_id in ids:
                entry = self.index[page_id]
                if site and not site_matches(entry.site, site):
                    continue
                if (query.since and entry.last_visit < query.since) or (query.until and entry.last_visit > query.until):
                    continue
                if terms and not all(term in entry.text for term in terms):
                    continue
                matches.append((entry.last_visit, page_id))
            matches.sort(reverse=True)
            total = len(matches)
            if query.cursor:
                matches = [m for m in matches if m < query.cursor]
            chosen = [_copy_page(self.pages.get(page_id)) for _, page_id in matches[:query.limit]]
            more = len(matches) > query.limit
        if query.entity is not None:
            for page in chosen:
                page["mentions"] = [m for m in page["mentions"] if m["card"] == query.entity]
        return {"pages": chosen, "total": total, "next_cursor": encode_cursor(chosen[-1]) if more else None}

    def weeks(self, card_id: str) -> list[dict]:
        """Pages that showed a card, counted by ISO week of their last visit, oldest week first."""
        counts: dict[str, int] = {}
        with self.lock:
            for last_visit in self.by_card.get(card_id, {}).values():
                year, week, _ = _visited(last_visit).isocalendar()
                key = f"{year}-W{week:02d}"
                counts[key] = counts.get(key, 0) + 1
        return [{"week": week, "pages": n} for week, n in sorted(counts.items())]

    def all_pages(self) -> list[dict]:
        """Every saved page, newest visit first (for export)."""
        with self.lock:
            order = sorted(self.index, key=lambda pid: (self.index[pid].last_visit, pid), reverse=True)
            return [_copy_page(self.pages.get(pid)) for pid in order]

    def delete(self, page_id: str) -> bool:
        """Forget one page; False when there was no such page."""
        with self.lock:
            page = self.pages.get(page_id)
            if page is None:
                return False
            self.pages.delete(page_id)
            self._unindex(page)
            return True

    def clear(self) -> int:
        """Forget every page (settings stay); how many there were."""
        with self.lock:
            count = len(self.pages)
            self.pages.clear()
            self.index.clear()
            self.by_card.clear()
            return count

    def __len__(self) -> int:
        return len(self.index)

    def report_health(self, report: dict) -> None:
        """The health_sources hook: page count, and any store file set aside at start-up."""
        report["history"] = {"pages": len(self), "quarantined": list(self.store.problems)}
        report["degraded"].extend(self.store.problems)


def _copy_page(page: dict) -> dict:
    return {**page, "mentions": [dict(m) for m in page["mentions"]]}


def get_history(app) -> HistoryService:
    """The app's history service; 503 when another process holds the store."""
    history = app.extensions.get("contextcards_history")
    if history is None:
        raise ServiceUnavailable("The history is in use by another Context Cards process on this data directory.",
                                 code="history_unavailable")
    return history
