"""The annotate request, top to bottom: options, recognise, link, Wikipedia, first mentions, history, JSON."""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from enum import Enum

from .config import Config
from .errors import Conflict, PayloadTooLarge, TooManyRequests, Unprocessable
from .knowledge import Card, Pack
from .linking import Link, LinkOptions, Unlinked, first_mentions, link_mentions
from .offsets import Utf16Offsets, clean_text, utf16_length
from .recognition import Recognizer

MAX_ID_CHARS = 200
MAX_URL_CHARS = 4096
# NLP holds the GIL: more than two pages at once only makes each slower, so the rest queue for a slot.
CONCURRENT_PAGES = 2
# How long a page waits in that queue before 429 (with Retry-After): a browser restoring eight tabs gets cards.
QUEUE_SECONDS = 2
RETRY_AFTER_SECONDS = 2
# At most this many pages wait for a slot (with the two running: eight restored tabs); the next is turned
# away at once, before its body is read, so waiting pages never hold every server thread (/health and
# cards keep answering, serving.THREADS) or much memory.
MAX_WAITING = 6
# seen_before.recent counts the other pages visited in the last `seen_days` days ("New to me" asks for its window).
SEEN_DAYS = 30
MAX_SEEN_DAYS = 365


class HistoryUse(Enum):
    """What one request may do with the reader's history and the stores: decided once, when it is parsed."""

    NONE = "none"    # the CLI: no history read or written, Wikipedia answers kept in memory only
    READ = "read"    # `save: false` (private windows): settings and seen_before read, nothing written
    WRITE = "write"  # the page is saved and Wikipedia answers are stored
    # The demo, open to any page without a token: no history, no Wikipedia, no block cache. Nothing the
    # reader did shows through it (by content or by timing) and nothing it does reaches the reader's data.
    ISOLATED = "isolated"


@dataclass(frozen=True)
class AnnotateRequest:
    """A page to annotate: where it is, and its text blocks as (id, text)."""

    url: str
    title: str
    blocks: list[tuple[str, str]]
    lang: str | None = None
    history: HistoryUse = HistoryUse.WRITE
    all_mentions: bool = False
    seen_days: int = SEEN_DAYS


@dataclass(frozen=True)
class Annotation:
    """The plain result before it becomes JSON: links (code-point offsets) and the cards they use."""

    request: AnnotateRequest
    links: list[Link] = field(default_factory=list)
    cards: dict[str, Card] = field(default_factory=dict)
    page_id: str | None = None
    seen_before: dict[str, dict] = field(default_factory=dict)


def _string(body, key, required=True, limit=None):
    if key not in body and not required:
        return None
    value = body.get(key)
    if not isinstance(value, str):
        raise Unprocessable(f"'{key}' must be a string.")
    if limit and len(value) > limit:
        raise PayloadTooLarge(f"'{key}' is longer than {limit} characters.")
    return value


def parse_request(body, config: Config, history: HistoryUse | None = None) -> AnnotateRequest:
    """Validate an annotate body; every limit is checked here, before any NLP runs."""
    if not isinstance(body, dict):
        raise Unprocessable("The body must be a JSON object.")
    url = _string(body, "url", limit=MAX_URL_CHARS)
    title = _string(body, "title", limit=MAX_URL_CHARS)
    lang = _string(body, "lang", required=False, limit=MAX_URL_CHARS)
    save = body.get("save", True)
    if not isinstance(save, bool):
        raise Unprocessable("'save' must be true or false.")
    mentions = body.get("mentions", "first")
    if mentions not in ("first", "all"):
        raise Unprocessable("'mentions' must be \"first\" or \"all\".")
    seen_days = body.get("seen_days", SEEN_DAYS)
    if isinstance(seen_days, float) and seen_days.is_integer():
        seen_days = int(seen_days)  # JSON has one number type: 30.0 is the integer 30 (as JSON Schema says)
    if type(seen_days) is not int or not 1 <= seen_days <= MAX_SEEN_DAYS:  # bool is an int; true is not a day count
        raise Unprocessable(f"'seen_days' must be a whole number from 1 to {MAX_SEEN_DAYS}.")
    blocks = body.get("blocks")
    if not isinstance(blocks, list):
        raise Unprocessable("'blocks' must be a list of {id, text} objects.")
    if len(blocks) > config.max_blocks:
        raise PayloadTooLarge(f"{len(blocks)} blocks is more than the limit of {config.max_blocks}.")
    parsed, seen, total = [], set(), 0
    for index, block in enumerate(blocks):
        if not isinstance(block, dict) or not isinstance(block.get("id"), str) or not isinstance(block.get("text"), str):
            raise Unprocessable(f"Block {index} must be an object with string 'id' and 'text'.")
        block_id, text = block["id"], block["text"]
        if not block_id or len(block_id) > MAX_ID_CHARS:
            raise Unprocessable(f"Block {index}: 'id' must be 1 to {MAX_ID_CHARS} characters.")
        if block_id in seen:
            raise Conflict(f"Block id {block_id[:40]!r} is used twice; each block needs its own id.",
                           code="duplicate_block_id")
        if len(text) > config.max_block_chars:
            raise PayloadTooLarge(f"Block {index} is longer than {config.max_block_chars} characters.")
        total += len(text)
        if total > config.max_total_chars:
            raise PayloadTooLarge(f"The blocks hold more than {config.max_total_chars} characters in all.")
        seen.add(block_id)
        parsed.append((block_id, clean_text(text)))
    if history is None:
        history = HistoryUse.WRITE if save else HistoryUse.READ
    return AnnotateRequest(url, title, parsed, lang, history, mentions == "all", seen_days)


class Annotator:
    """Runs one request through every step; Wikipedia, history and the uncarded names are optional (None: off)."""

    def __init__(self, config: Config, pack: Pack, recognizer: Recognizer, wikipedia=None, history=None,
                 uncarded=None):
        self.config = config
        self.current = (pack, recognizer)
        self.wikipedia = wikipedia
        self.history = history
        self.uncarded = uncarded
        self.before_request = None  # a hook: the reader's own cards may have changed on disk since the last request
        self.last_active = time.monotonic()
        self.active = 0
        self.activity = threading.Lock()
        self.slots = threading.BoundedSemaphore(CONCURRENT_PAGES)
        self.waiting = 0
        self.waiting_lock = threading.Lock()

    @property
    def pack(self) -> Pack:
        return self.current[0]

    @property
    def recognizer(self) -> Recognizer:
        return self.current[1]

    def use(self, pack: Pack, recognizer: Recognizer) -> None:
        """Annotate with another pack from the next request on (one assignment: a request sees one or the other)."""
        self.current = (pack, recognizer)

    def idle_for(self) -> float:
        """Seconds since the last request started or ended (0 while one runs): background work waits for quiet."""
        return 0.0 if self.active else time.monotonic() - self.last_active

    def annotate(self, request: AnnotateRequest) -> Annotation:
        """The whole request, in order; 429 only when the queue for a slot is longer than QUEUE_SECONDS."""
        if request.lang and not request.lang.lower().startswith("en"):
            return Annotation(request)
        if self.before_request is not None:
            self.before_request()
        pack, recognizer = self.current
        isolated = request.history is HistoryUse.ISOLATED
        uses_history = self.history is not None and request.history in (HistoryUse.READ, HistoryUse.WRITE)
        options = self.history.reader.link_options(request.url) if uses_history else LinkOptions()
        options = replace(options, threshold=self.config.link_threshold)
        texts = [text for _, text in request.blocks]
        with self._slot():
            mentions = recognizer.analyse(texts, cached=not isolated)
            links, unlinked = link_mentions(texts, mentions, pack, options, recognizer.has_ner)
        found: dict[str, Card] = {}
        if self.wikipedia is not None and not isolated:
            more, found = self.wikipedia.resolve(unlinked, links, options, request.history is HistoryUse.WRITE)
            links = sorted([*links, *more], key=lambda link: (link.block, link.start))
        first = first_mentions(links)
        shown = links if request.all_mentions else first
        annotation = Annotation(request, shown, self._cards(shown, found, pack))
        if not uses_history:
            return annotation
        page_id, seen_before = self.history.record(annotation, first, spans(request.blocks, first),
                                                   save=request.history is HistoryUse.WRITE)
        if page_id is not None and self.uncarded is not None:
            self.uncarded.record(page_id, request.blocks, uncarded(unlinked, links))
        return replace(annotation, page_id=page_id, seen_before=seen_before)

    def refuse_if_busy(self) -> None:
        """429 now when the queue for a slot is full: called before a request's body is read."""
        with self.waiting_lock:
            if self.waiting >= MAX_WAITING:
                raise self._busy()

    @staticmethod
    def _busy() -> TooManyRequests:
        return TooManyRequests("The server is busy with other pages; try again shortly.",
                               retry_after=RETRY_AFTER_SECONDS)

    @contextmanager
    def _slot(self):
        """A turn at the NLP: wait in a queue of at most MAX_WAITING for up to QUEUE_SECONDS, else 429."""
        if not self.slots.acquire(blocking=False):
            with self.waiting_lock:
                if self.waiting >= MAX_WAITING:
                    raise self._busy()
                self.waiting += 1
            try:
                acquired = self.slots.acquire(timeout=QUEUE_SECONDS)
            finally:
                with self.waiting_lock:
                    self.waiting -= 1
            if not acquired:
                raise self._busy()
        with self.activity:
            self.active += 1
            self.last_active = time.monotonic()
        try:
            yield
        finally:
            with self.activity:
                self.active -= 1
                self.last_active = time.monotonic()
            self.slots.release()

    @staticmethod
    def _cards(links: list[Link], found: dict[str, Card], pack: Pack) -> dict[str, Card]:
        """The cards the links use and their runner-ups: the pack's in link order, then Wikipedia's as found."""
        used = dict.fromkeys(card_id for link in links for card_id in (link.card, *link.alternatives))
        cards = {card_id: pack.get(card_id) for card_id in used if card_id not in found}
        return {**cards, **{card_id: card for card_id, card in found.items() if card_id in used}}


def uncarded(unlinked: list[Unlinked], links: list[Link]) -> list[Unlinked]:
    """The names nothing linked in the end: neither the pack nor Wikipedia (the gaps the reader may fill)."""
    taken = {(link.block, link.start, link.end) for link in links}
    return [mention for mention in unlinked if (mention.block, mention.start, mention.end) not in taken]


@dataclass(frozen=True)
class Span:
    """Where a link is in UTF-16 code units: in its block, and in the page's text (blocks joined by newlines)."""

    start: int
    end: int
    page_start: int
    page_end: int


def spans(blocks: list[tuple[str, str]], links: list[Link]) -> list[Span]:
    """The UTF-16 position of each link: the one place offsets become what JavaScript counts."""
    block_starts, position = [], 0
    for _, text in blocks:
        block_starts.append(position)
        position += utf16_length(text) + 1  # the page's text: blocks joined by one newline
    converters: dict[int, Utf16Offsets] = {}
    found = []
    for link in links:
        utf16 = converters.setdefault(link.block, Utf16Offsets(blocks[link.block][1]))
        start, end = utf16(link.start), utf16(link.end)
        found.append(Span(start, end, block_starts[link.block] + start, block_starts[link.block] + end))
    return found


def to_json(annotation: Annotation) -> dict:
    """The API answer: block ids, UTF-16 offsets, and every card as Card.to_json shows it."""
    items = []
    for link, span in zip(annotation.links, spans(annotation.request.blocks, annotation.links)):
        item = {"block": annotation.request.blocks[link.block][0], "start": span.start, "end": span.end,
                "text": link.text, "card": link.card, "confidence": link.confidence}
        if link.alternatives:
            item["alternatives"] = list(link.alternatives)
        items.append(item)
    cards = {card_id: card.to_json(annotation.seen_before.get(card_id)) for card_id, card in annotation.cards.items()}
    return {"page_id": annotation.page_id, "annotations": items, "cards": cards}
