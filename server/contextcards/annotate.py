"""The annotate service: blocks in, mentions recognised and linked, cards and UTF-16 offsets out."""

import threading
from dataclasses import dataclass, field

from .config import Config
from .errors import Conflict, PayloadTooLarge, TooManyRequests, Unprocessable
from .knowledge import Pack
from .linking import LinkOptions, link_mentions
from .offsets import Utf16Offsets, clean_text
from .recognition import Recognizer

MAX_ID_CHARS = 200
MAX_URL_CHARS = 4096
# NLP holds the GIL: more than two pages at once only makes each slower; the rest wait, then get 429.
CONCURRENT_PAGES = 2
WAIT_FOR_SLOT_SECONDS = 10


@dataclass
class AnnotateRequest:
    """A page to annotate: where it is, and its text blocks as (id, text)."""

    url: str
    title: str
    blocks: list[tuple[str, str]]
    lang: str | None = None
    save: bool = True
    all_mentions: bool = False


@dataclass
class Annotation:
    """The plain result before it becomes JSON: links, the cards they use, unlinked entities."""

    request: AnnotateRequest
    links: list = field(default_factory=list)
    unlinked: list = field(default_factory=list)
    cards: dict = field(default_factory=dict)
    page_id: str | None = None
    # The reader's settings the links were made with; enrichers reuse them rather than read them again.
    options: LinkOptions = field(default_factory=LinkOptions)


def _string(body, key, required=True, limit=None):
    if key not in body and not required:
        return None
    value = body.get(key)
    if not isinstance(value, str):
        raise Unprocessable(f"'{key}' must be a string.")
    if limit and len(value) > limit:
        raise PayloadTooLarge(f"'{key}' is longer than {limit} characters.")
    return value


def parse_request(body, config: Config) -> AnnotateRequest:
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
    return AnnotateRequest(url, title, parsed, lang, save, mentions == "all")


class Annotator:
    """Runs recognition and linking; the Wikipedia and history modules plug in as enrichers."""

    def __init__(self, config: Config, pack: Pack, recognizer: Recognizer):
        self.config = config
        self.pack = pack
        self.recognizer = recognizer
        # Callables (annotation, stateless) run in order after linking: Wikipedia, then history.
        self.enrichers = []
        # Returns LinkOptions for a request (muted terms, corrections); the history module replaces it.
        self.options_for = lambda request: LinkOptions()
        self.slots = threading.BoundedSemaphore(CONCURRENT_PAGES)

    def annotate(self, request: AnnotateRequest, stateless: bool = False) -> Annotation:
        """Link the request's blocks, or 429 when the server is already busy for too long."""
        if not self.slots.acquire(timeout=WAIT_FOR_SLOT_SECONDS):
            raise TooManyRequests("The server is busy with other pages; try again shortly.", retry_after=2)
        try:
            return self._annotate(request, stateless)
        finally:
            self.slots.release()

    def _annotate(self, request: AnnotateRequest, stateless: bool) -> Annotation:
        """Stateless requests (the demo, the CLI) never read or write history."""
        result = Annotation(request)
        if request.lang and not request.lang.lower().startswith("en"):
            return result
        texts = [text for _, text in request.blocks]
        options = result.options = LinkOptions() if stateless else self.options_for(request)
        options.all_mentions = request.all_mentions
        options.threshold = self.config.link_threshold
        mentions = self.recognizer.analyse(texts)
        result.links, result.unlinked = link_mentions(texts, mentions, self.pack, options, self.recognizer.has_ner)
        used = [link.card for link in result.links] + [alt for link in result.links for alt in link.alternatives]
        result.cards = {card_id: self.pack.cards[card_id].to_json() for card_id in dict.fromkeys(used)}
        for enrich in self.enrichers:
            enrich(result, stateless)
        return result


def to_json(result: Annotation) -> dict:
    """The API answer: offsets converted to UTF-16 code units of each block."""
    converters = {}
    annotations = []
    for link in result.links:
        block_id, text = result.request.blocks[link.block]
        utf16 = converters.setdefault(link.block, Utf16Offsets(text))
        item = {
            "block": block_id,
            "start": utf16(link.start),
            "end": utf16(link.end),
            "text": link.text,
            "card": link.card,
            "confidence": link.confidence,
        }
        if link.alternatives:
            item["alternatives"] = list(link.alternatives)
        annotations.append(item)
    return {"page_id": result.page_id, "annotations": annotations, "cards": result.cards}
