"""Linking: choose at most one card per mention from alias, NER-label and whole-page evidence."""

import re
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache

from spacy.lang.en.stop_words import STOP_WORDS

from .families import FAMILY, families_of
from .knowledge import AliasEntry, Pack, alias_key, context_pattern, whole_words
from .metonyms import BODY, CONFLICT, Metonyms
from .recognition import Mention
from .short_forms import find as find_short_forms, short_forms

# NER labels that agree with each card kind; policy and concept cards accept any label.
AGREEING_LABELS = {
    "person": {"PERSON"},
    "org": {"ORG", "NORP"},
    "place": {"GPE", "LOC", "FAC", "NORP"},
    "product": {"PRODUCT", "ORG", "WORK_OF_ART"},
    "law": {"LAW", "ORG", "WORK_OF_ART"},
    "event": {"EVENT", "DATE"},
}
# Entities worth a Wikipedia lookup when the pack has no card for them. Not NORP: "Chinese" or
# "American" is an adjective in the news, and its Wikipedia page is a disambiguation or a people.
LOOKUP_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "PRODUCT", "EVENT", "LAW", "WORK_OF_ART"}
EXACT, FOLDED, GUARDED, EVIDENCE = 0.9, 0.8, 0.7, 0.05
LABEL_AGREES, LABEL_CLASHES = 0.08, -0.25
NAME_PART, ACRONYM, SHORT_FORM = 0.8, 0.85, 0.75
METONYM = 0.75
ALTERNATIVE_FLOOR = 0.3
MIN_MARGIN = 0.1
ACRONYM_AFTER = re.compile(r"\s*\(\s*([A-Z][A-Z0-9&]{1,9})\s*\)")


@dataclass(frozen=True)
class Link:
    """A mention linked to a card: block index, code-point offsets, confidence, runner-up card ids."""

    block: int
    start: int
    end: int
    text: str
    card: str
    confidence: float
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class Unlinked:
    """A named entity the pack has no card for (the Wikipedia lookup's input)."""

    block: int
    start: int
    end: int
    text: str
    label: str


@dataclass
class LinkOptions:
    """What the reader chose: muted cards and corrections by term; and how sure a link must be."""

    muted: frozenset[str] = frozenset()
    corrections: dict[str, str | None] = field(default_factory=dict)
    threshold: float = 0.5


class PageContext:
    """Whole-page evidence: which words occur anywhere on the page."""

    def __init__(self, texts: list[str]):
        self.text = "\n".join(texts)
        self.found: dict[str, bool] = {}

    def mentions(self, phrase: str) -> bool:
        """Whether the phrase occurs as whole words anywhere on the page (each phrase is searched once)."""
        if phrase not in self.found:
            self.found[phrase] = context_pattern(phrase).search(self.text) is not None
        return self.found[phrase]

    def mentions_any(self, phrases) -> bool:
        return any(self.mentions(p) for p in phrases)


def score(entry: AliasEntry, mention: Mention, kind: str, page: PageContext) -> float | None:
    """Confidence that this alias occurrence means this card, or None when a guard rules it out.

    A guard that asks only for page context is trusted over spaCy's label: such guards exist
    precisely where the small model mislabels ("Claude" as a PERSON, "Gemini" as a GPE).
    """
    if entry.guard:
        guard = entry.guard
        label_ok = bool(guard.labels) and mention.label in guard.labels
        context_ok = bool(guard.context) and page.mentions_any(guard.context)
        if (guard.labels or guard.context) and not (label_ok or context_ok):
            return None
        value = GUARDED + EVIDENCE * (label_ok + context_ok)
        if not guard.labels:
            return round(min(value, 0.99), 2)
    else:
        value = EXACT if mention.text == entry.text else FOLDED
    agreeing = AGREEING_LABELS.get(kind)
    if mention.label and agreeing is not None:
        value += LABEL_AGREES if mention.label in agreeing else LABEL_CLASHES
    return round(min(value, 0.99), 2)


def choose(mention: Mention, pack: Pack, page: PageContext, options: LinkOptions):
    """The best card for a mention and its runner-ups, or (None, runner-ups) when nothing is sure enough."""
    correction = options.corrections.get(alias_key(mention.text), "")
    if correction is None:
        return None, 0.0, ()
    if correction and correction in pack.cards:
        return correction, 0.95, ()
    best: dict[str, float] = {}
    for entry in mention.candidates:
        value = score(entry, mention, pack.cards[entry.card_id].kind, page)
        if value is not None and value > best.get(entry.card_id, -1):
            best[entry.card_id] = value
    ranked = sorted(best.items(), key=lambda item: (-item[1], item[0]))
    if not ranked:
        return None, 0.0, ()
    (card_id, confidence), rest = ranked[0], ranked[1:]
    alternatives = tuple(c for c, v in rest if v >= ALTERNATIVE_FLOOR)
    if confidence < options.threshold or (rest and confidence - rest[0][1] < MIN_MARGIN):
        return None, confidence, tuple(c for c, _ in ranked)
    return card_id, confidence, alternatives


class Taken:
    """The spans of one block that already have a mention, kept sorted and never overlapping, so a check costs
    log n, not n: a 100,000-character block holds thousands."""

    def __init__(self):
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        """Whether [start, end) overlaps a taken span (only the last one starting before `end` can)."""
        i = bisect_left(self.starts, end)
        return i > 0 and self.ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


def _name_parts(pack: Pack, present: set[str]) -> dict[str, str]:
    """Surnames and given names of the people already named in full on the page, unambiguous ones only."""
    owners: dict[str, set[str]] = {}
    for card_id in present:
        card = pack.get(card_id)
        if card.kind != "person":
            continue
        for part in card.title.replace("-", " ").split():
            if len(part) > 1 and part.isalpha() and part[0].isupper() and part.lower() not in STOP_WORDS:
                owners.setdefault(part, set()).add(card_id)
    return {part: next(iter(ids)) for part, ids in owners.items() if len(ids) == 1}


def link_mentions(texts: list[str], mentions: list[list[Mention]], pack: Pack, options: LinkOptions,
                  has_ner: bool = True):
    """Every link in page order (muted cards left out) and the named entities left unlinked."""
    page = PageContext(texts)
    links: list[Link] = []
    unlinked: list[Unlinked] = []
    taken = [Taken() for _ in texts]
    readings = _metonym_readings(texts, mentions, pack)
    for member in families_of(pack).find(texts):
        correction = options.corrections.get(alias_key(member.text), "")  # the reader's word comes first
        card, confidence = (member.card, FAMILY) if correction == "" else (correction, 0.95)
        if card and pack.get(card):
            links.append(Link(member.block, member.start, member.end, member.text, card, confidence))
        taken[member.block].add(member.start, member.end)
    for block, block_mentions in enumerate(mentions):
        for mention in block_mentions:
            if taken[block].overlaps(mention.start, mention.end):
                continue  # inside a family member's name ("Xeon" in "Xeon 6")
            reading = readings.get((block, mention.start))
            if reading and reading.reading in (BODY, CONFLICT) and alias_key(mention.text) not in options.corrections:
                city, _, _ = choose(mention, pack, page, options) if mention.candidates else (None, 0, ())
                if reading.card:
                    links.append(Link(block, mention.start, mention.end, mention.text, reading.card, METONYM,
                                      (city,) if city else ()))
                taken[block].add(mention.start, mention.end)
                continue
            if not mention.candidates:
                continue
            card_id, confidence, alternatives = choose(mention, pack, page, options)
            if card_id:
                links.append(Link(block, mention.start, mention.end, mention.text, card_id, confidence, alternatives))
            taken[block].add(mention.start, mention.end)
    present = {link.card for link in links}
    derived = _derived_links(texts, mentions if has_ner else None, links, taken, pack, present)
    links.extend(derived)
    for block, block_mentions in enumerate(mentions):
        for mention in block_mentions:
            if mention.candidates or mention.label not in LOOKUP_LABELS:
                continue
            if not taken[block].overlaps(mention.start, mention.end):
                unlinked.append(Unlinked(block, mention.start, mention.end, mention.text, mention.label))
    links = [link for link in links if link.card not in options.muted]
    links.sort(key=lambda link: (link.block, link.start))
    return links, unlinked


@lru_cache(maxsize=8)
def _metonyms(pack: Pack) -> Metonyms:
    return Metonyms(pack)


def _metonym_readings(texts, mentions, pack: Pack) -> dict:
    """(block, start) -> Reading for every mention of a place that may stand for a government."""
    metonyms = _metonyms(pack)
    found = {}
    if not metonyms:
        return found
    for block, block_mentions in enumerate(mentions):
        spans = [(m.start, m.end) for m in block_mentions if m.label != "PERSON" and metonyms.card_for(m.text)]
        for reading in metonyms.read(texts[block], spans):
            found[(block, reading.start)] = reading
    return found


def first_mentions(links: list[Link]) -> list[Link]:
    """The first link of each card (links in page order): what is underlined unless the reader wants every mention."""
    seen: set[str] = set()
    return [link for link in links if not (link.card in seen or seen.add(link.card))]


def _derived_links(texts, mentions, links, taken, pack, present) -> list[Link]:
    """Links that only the page makes sure: bare names after a full name, acronyms after their expansion.

    With a model, a bare name must also be what spaCy calls a PERSON ("Al" or "Young" stays plain);
    without one (mentions is None), exact case on a word that is not a stop word has to do.
    """
    derived = []
    names = _name_parts(pack, present)
    words: dict[str, tuple[str, float]] = {}
    if mentions is None:
        words.update({part: (card, NAME_PART) for part, card in names.items()})
    else:
        for block, block_mentions in enumerate(mentions):
            for mention in block_mentions:
                card_id = names.get(mention.text) if mention.label == "PERSON" and not mention.candidates else None
                if card_id and not taken[block].overlaps(mention.start, mention.end):
                    derived.append(Link(block, mention.start, mention.end, mention.text, card_id, NAME_PART))
                    taken[block].add(mention.start, mention.end)
    for link in links:
        match = ACRONYM_AFTER.match(texts[link.block], link.end)
        if match and match.group(1) not in words:
            words[match.group(1)] = (link.card, ACRONYM)
    for block, start, end, noun, card_id in find_short_forms(texts, short_forms(pack.get(c) for c in present)):
        if not taken[block].overlaps(start, end):
            derived.append(Link(block, start, end, noun, card_id, SHORT_FORM))
            taken[block].add(start, end)
    for word, (card_id, confidence) in words.items():
        pattern = whole_words(word)
        for block, text in enumerate(texts):
            for match in pattern.finditer(text):
                if not taken[block].overlaps(match.start(), match.end()):
                    derived.append(Link(block, match.start(), match.end(), word, card_id, confidence))
                    taken[block].add(match.start(), match.end())
    return derived
