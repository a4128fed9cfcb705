"""Fresh pack summaries without a command: with lookups on, pack cards that name an article refresh in the background.

Quietly, and never in the reader's way: a batch of REFRESH_BATCH cards (one request, two
at most) goes only when no page has been annotated for IDLE_SECONDS, at most one request a
second, and each card at most once a WEEK (its "refresh:<id>" record says when). Progress
goes to the log; the reader sees only the fresher summary, and the card says so: its facts
keep their as_of, and `summary_refreshed` dates the summary. Offline (CONTEXTCARDS_OFFLINE=1)
or with CONTEXTCARDS_BACKGROUND_REFRESH=0 nothing is sent, and the pack shows as shipped.
A failed request pauses every lookup (client.Breaker); the refresh waits for that too.
`contextcards pack refresh` (cli.py) does the same for every card at once, with a progress bar.
"""

import logging
import threading
import time
from datetime import datetime, timezone

from .cache import REFRESH, REFRESH_BATCH, _digest
from .client import Unavailable

log = logging.getLogger("contextcards")

WEEK = 7 * 86400.0
IDLE_SECONDS = 10.0
CHECK_EVERY = 5.0
REQUEST_INTERVAL = 1.0  # at most one request a second
STAMP = "%Y-%m-%dT%H:%M:%SZ"


class BackgroundRefresh:
    """Picks the pack cards due a refresh and refreshes one batch at a time when the server is idle."""

    def __init__(self, wikipedia, table, catalog, idle_for, now=time.time):
        self.wikipedia = wikipedia  # WikipediaCards: its client, breaker and on/off state
        self.table = table
        self.catalog = catalog
        self.idle_for = idle_for
        self.now = now
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def due(self) -> list[str]:
        """Ids of pack cards with an article whose summary was never refreshed or not for a week; oldest first."""
        with self.catalog.lock:
            candidates = [card for card in self.catalog.base.values()
                          if card.wikipedia and card.id not in self.catalog.personal]
        ages = []
        for card in candidates:
            record = self.table.get(REFRESH + card.id)
            stamp = _seconds(record.get("refreshed")) if record else None
            if stamp is None or self.now() - stamp >= WEEK:
                ages.append((stamp or 0.0, card.id))
        return [card_id for _, card_id in sorted(ages)]

    def run_once(self) -> int:
        """Refresh one batch if lookups are on and the server is idle; how many requests it sent."""
        if self.wikipedia.state() != "on" or self.idle_for() < IDLE_SECONDS:
            return 0
        due = self.due()
        if not due:
            return 0
        batch = due[:REFRESH_BATCH]
        with self.catalog.lock:
            cards = {card_id: self.catalog.base[card_id] for card_id in batch if card_id in self.catalog.base}
        client = self.wikipedia.client
        before = client.requests
        try:
            results = client.fetch([card.wikipedia for card in cards.values()])
        except Unavailable as exc:
            log.info("background refresh paused: %s", exc)
            return client.requests - before
        stamp = datetime.fromtimestamp(self.now(), timezone.utc).strftime(STAMP)
        refreshed = 0
        for card in cards.values():
            found = results.get(card.wikipedia)
            old = self.table.get(REFRESH + card.id) or {}
            # The digest of the bundled summary the refresh replaces (the one shown now, unless already refreshed).
            bundled = old.get("pack_digest") if card.summary_refreshed else None
            record = {"title": card.wikipedia, "refreshed": stamp, "pack_digest": bundled or _digest(card.summary)}
            if found is not None and found.status == "found" and found.summary:
                record.update(title=found.title, summary=found.summary)
                self.catalog.refresh_summary(card.id, found.summary, stamp[:10])
                refreshed += 1
            elif old.get("summary"):
                record["summary"] = old["summary"]  # not there this time: keep the last good one, try next week
            self.table.set(REFRESH + card.id, record)
        log.info("background refresh: %d of %d pack summaries refreshed, %d more due",
                 refreshed, len(cards), len(due) - len(batch))
        return client.requests - before

    def start(self) -> None:
        """Run in a daemon thread until stop()."""
        self.thread = threading.Thread(target=self._loop, name="contextcards-refresh", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None:
            self.thread.join(timeout=5)

    def _loop(self) -> None:
        wait = CHECK_EVERY
        while not self.stopping.wait(wait):
            try:
                sent = self.run_once()
            except Exception as exc:  # a bug must not end the thread; the type only (messages may hold titles)
                log.error("background refresh failed: %s", type(exc).__name__)
                sent = 0
            wait = max(REQUEST_INTERVAL * sent, REQUEST_INTERVAL) if sent else CHECK_EVERY


def _seconds(stamp: str | None) -> float | None:
    try:
        return datetime.strptime(stamp, STAMP).replace(tzinfo=timezone.utc).timestamp()
    except (TypeError, ValueError):
        return None
