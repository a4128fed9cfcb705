"""Wikipedia cards for the long tail: the names the pack has no card for, looked up without ever being in the way.

After linking, `resolve` takes every named entity the pack left unlinked and returns new
links and cards (it changes nothing it is given): cached answers are used at once; the rest go to a small
background pool as one batch, and /v1/annotate waits for them at most the budget
(`wikipedia_budget_ms`, 300 ms). Names still being fetched link to a card with
`status: "pending"` whose id is `wiki:<the name as a title>`; GET /v1/cards/<id> answers
the finished card once it is there (the extension asks again on hover), or 404 when
Wikipedia has no page that fits. Which page fits a name: choice.py.

Card ids are "wiki:" + canonical title, with "%" and "/" percent-encoded inside the id
("wiki:AC%2FDC"): every card route keeps Flask's default converter, and the extension's
encodeURIComponent(id) round-trips. A page that is a pack card's Wikipedia title links to
the pack card instead. Names from requests that may not write (`save: false` from private
windows, the demo, the CLI) are cached in memory only, never in the store.

Offline is normal: CONTEXTCARDS_OFFLINE=1 sends nothing (cached cards still show); after a
failed request every lookup pauses for a minute (client.Breaker). While lookups are off
or paused, names not in the cache get no card and no pending mark. /health says
"wikipedia": on, off or paused, and none of these makes the server "degraded".
"""

import logging
import threading
import time
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor

from ..knowledge import Card, alias_key
from ..linking import LOOKUP_LABELS, Link, LinkOptions, Unlinked
from .client import TIMEOUT, Breaker, Unavailable, WikipediaClient, normalize_title
from .cache import FOUND_TTL, MISS_TTL, LookupCache, card_id_for, query_key, title_for
from .choice import PLACE_LABELS, SEARCH_LABELS, choose_pages, default_kind, mentions_any, regional_titles

log = logging.getLogger("contextcards")

WORKERS = 2
MAX_JOBS = 8
CONFIDENCE = {"exact": 0.8, "redirect": 0.75, "search": 0.6}
PENDING_CONFIDENCE = 0.5
REMEMBERED_LABELS = 2000


def place_key(label: str | None, title: str, regions) -> str:
    """The cache key of a name on a page: a place name's answer depends on the page's other places too."""
    key = query_key(label, title)
    senses = regional_titles(title, regions) if label in PLACE_LABELS else []
    return f"{key}@{'|'.join(senses)}" if senses else key


class WikipediaCards:
    """Resolving a page's unlinked names, the card source and the health entry, around one client and cache."""

    def __init__(self, config, pack, table, clock=time.monotonic, now=time.time,
                 timeout=TIMEOUT, transport=None):
        self.config = config
        self.pack = pack
        self.cache = LookupCache(table, now)
        self.breaker = Breaker(clock)
        self.timeout, self.transport = timeout, transport
        self.pack_by_title = {card.wikipedia: card.id for card in pack.cards.values() if card.wikipedia}
        self.lock = threading.Lock()
        self.inflight: dict[str, threading.Event] = {}
        self.labels: OrderedDict[str, tuple[str | None, bool]] = OrderedDict()
        self.jobs = 0
        self._client = None
        self._pool = None
        self.closed = False

    # -- lifecycle ------------------------------------------------------------------------------

    @property
    def client(self) -> WikipediaClient:
        """The HTTP client, made on first use (an offline server never opens one)."""
        with self.lock:
            if self._client is None:
                self._client = WikipediaClient(self.config.wikipedia_api, self.breaker, self.timeout, self.transport)
            return self._client

    def close(self) -> None:
        """Stop the background pool (a running lookup ends after its current request) and the connections."""
        with self.lock:
            self.closed = True
            pool, client = self._pool, self._client
        if client:
            client.close()
        if pool:
            pool.shutdown(wait=True, cancel_futures=True)

    def state(self) -> str:
        """on, off (turned off by the setting) or paused (after a failure)."""
        if self.config.offline:
            return "off"
        return "on" if self.breaker.closed() else "paused"

    def report_health(self, report: dict) -> None:
        """The health_sources hook: whether lookups are on, off or paused (never "degraded")."""
        report["wikipedia"] = self.state()
        if report["wikipedia"] == "paused":
            report["wikipedia_resumes_in"] = max(1, round(self.breaker.remaining()))

    # -- cards ----------------------------------------------------------------------------------

    def _card(self, record: dict) -> Card:
        """The card for a found record: the pack's own card when the pack has that article."""
        pack_id = self.pack_by_title.get(record["title"])
        if pack_id and pack_id in self.pack.cards:
            return self.pack.cards[pack_id]
        return Card(id=card_id_for(record["title"]), title=record["title"], kind=record["kind"],
                    summary=record["summary"], wikipedia=record["title"], source="wikipedia", status="ready")

    @staticmethod
    def _pending_card(title: str, label: str | None) -> Card:
        """A card that is being fetched: a valid card with the name as title and no summary yet."""
        return Card(id=card_id_for(title), title=title, kind=default_kind(label), summary="", source="wikipedia",
                    status="pending")

    def _usable(self, record: dict | None, name: str, evidence) -> dict | None:
        """A found record this page may use: one found by search must name another entity of this page."""
        if not record or record.get("status") != "found":
            return None
        if record.get("via") == "search" and evidence is not None and \
                not mentions_any(f"{record['description']} {record['summary']}", evidence, name):
            return None
        return record

    def card(self, card_id: str) -> Card | None:
        """The card_sources hook: a Wikipedia card by id; pending while it is fetched; None when there is none."""
        title = title_for(card_id)
        if title is None:
            return None
        record = self.cache.found(title)
        if record:
            return self._card(record)
        with self.lock:
            remembered = self.labels.get(title)
        labels = [remembered[0]] if remembered else [*sorted(LOOKUP_LABELS), None]
        cached = [self.cache.get(query_key(label, title)) for label in labels]
        if any(cached):
            record = next((c for c in cached if c and c["status"] == "found"), None)
            return self._card(record) if record else None
        # Not asked for yet (or asked before a restart): look it up now, exact title only.
        label, persist = remembered or (None, True)
        key = query_key(label, title)
        self._wait(self._start([(title, label)], frozenset(), persist),
                   time.monotonic() + max(0, self.config.wikipedia_budget_ms) / 1000)
        record = self.cache.get(key)
        if record:
            return self._card(record) if record["status"] == "found" else None
        return self._pending_card(title, label) if self._in_flight(key) else None

    # -- resolving a page's unlinked names ------------------------------------------------------

    def resolve(self, unlinked: list[Unlinked], links: list[Link], options: LinkOptions,
                persist: bool) -> tuple[list[Link], dict[str, Card]]:
        """Links for every mention of the names the pack left unlinked, and their cards, within the budget.

        Cached answers are used at once; the rest are fetched in the background and waited for
        at most `wikipedia_budget_ms`. `persist` says whether answers may be written to the store.
        """
        deadline = time.monotonic() + max(0, self.config.wikipedia_budget_ms) / 1000
        names: OrderedDict[str, tuple[str, list]] = OrderedDict()
        for mention in unlinked:
            title = normalize_title(mention.text) if mention.label in LOOKUP_LABELS else None
            if not title or len(title) < 3 or not any(c.isupper() for c in title):
                continue
            if options.corrections.get(alias_key(mention.text), "") is None:
                continue  # the reader said this term gets no card
            names.setdefault(title, (mention.label, []))[1].append(mention)
        if not names:
            return [], {}
        # What else the page names, for search results to agree with. Not places: a page about
        # China names it, and so does every Tang poet's article.
        linked = [(link.text, self.pack.cards.get(link.card)) for link in links]
        evidence = frozenset([text for text, card in linked if card is None or card.kind != "place"] +
                             [card.title for _, card in linked if card is not None and card.kind != "place"] +
                             [m.text for m in unlinked if m.label in SEARCH_LABELS])
        # The page's places, which tell a place name's senses apart ("Hillsboro" on a page naming Oregon).
        regions = tuple(sorted({card.title for _, card in linked if card is not None and card.kind == "place"} |
                               {m.text for m in unlinked if m.label in ("GPE", "LOC")}))
        unknown = [(title, label) for title, (label, _) in names.items()
                   if self.cache.get(place_key(label, title, regions)) is None]
        if unknown:
            self._wait(self._start(unknown, evidence, persist, regions), deadline)
        found_links, cards = [], {}
        for title, (label, mentions) in names.items():
            key = place_key(label, title, regions)
            record = self._usable(self.cache.get(key), title, evidence)
            if record:
                card = self._card(record)
                confidence = CONFIDENCE.get(record.get("via"), CONFIDENCE["search"])
            elif self._in_flight(key):
                card, confidence = self._pending_card(title, label), PENDING_CONFIDENCE
            else:
                continue
            if card.id in options.muted:
                continue
            cards.setdefault(card.id, card)
            found_links += [Link(m.block, m.start, m.end, m.text, card.id, confidence) for m in mentions]
        return found_links, cards

    # -- background lookups ---------------------------------------------------------------------

    def _in_flight(self, key: str) -> bool:
        """Whether a job is deciding this name now."""
        with self.lock:
            return key in self.inflight

    def _start(self, queries, evidence, persist: bool, regions=()) -> list[threading.Event]:
        """Events to wait on for these (title, label) queries: a new job for those not already in flight."""
        if self.config.offline or not self.breaker.closed():
            return []
        with self.lock:
            if self.closed:
                return []
            waiting, new = [], []
            for title, label in queries:
                # Kept for GET /v1/cards/<id>: the label to look the name up with, and whether it may be stored.
                self.labels[title] = (label, persist and self.labels.get(title, (None, True))[1])
                self.labels.move_to_end(title)
                key = place_key(label, title, regions)
                if key not in self.inflight:
                    if self.jobs >= MAX_JOBS:
                        continue  # a queue this long means Wikipedia is slow: these names get no card this time
                    self.inflight[key] = threading.Event()
                    new.append((title, label))
                waiting.append(self.inflight[key])
            while len(self.labels) > REMEMBERED_LABELS:
                self.labels.popitem(last=False)
            if new:
                self.jobs += 1
                if self._pool is None:
                    self._pool = ThreadPoolExecutor(WORKERS, thread_name_prefix="contextcards-wikipedia")
                self._pool.submit(self._run, new, evidence, persist, regions)
        return waiting

    @staticmethod
    def _wait(events, deadline: float) -> None:
        """Wait until every event is set or the deadline passes."""
        for event in events:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not event.wait(remaining):
                return

    def _run(self, queries, evidence, persist: bool, regions=()) -> None:
        """One background job: choose pages for these names, then write what was found to the store."""
        written: list = []

        def settle(title, label, record):
            """Keep a decision in memory and wake its waiters now; the store write comes at the end."""
            key = place_key(label, title, regions)
            ttl = FOUND_TTL if record["status"] == "found" else MISS_TTL
            written.append((key, self.cache.remember(key, record, ttl)))
            self._release(key)

        try:
            choose_pages(self.client, queries, evidence, settle, regions)
        except Unavailable as exc:
            log.info("Wikipedia lookups stopped: %s", exc)
        except Exception as exc:  # a bug must not kill the pool thread or leave waiters hanging
            log.error("Wikipedia lookup failed: %s", type(exc).__name__)  # the type only: messages hold names
        finally:
            for title, label in queries:
                self._release(place_key(label, title, regions))  # undecided: not cached, asked again next time
            with self.lock:
                self.jobs -= 1
            if persist:
                for key, value in written:
                    self.cache.write(key, value)

    def _release(self, key: str) -> None:
        """Wake whoever waits for this name."""
        with self.lock:
            event = self.inflight.pop(key, None)
        if event:
            event.set()
