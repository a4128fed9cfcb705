"""Recognition: spaCy NER plus a pack-alias PhraseMatcher component, run over blocks with nlp.pipe."""

import hashlib
import logging
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass, replace

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Span
from spacy.util import filter_spans

from .knowledge import AliasEntry, Pack, alias_key
from .name_spans import name_span, split_joined_names

log = logging.getLogger("contextcards")

# In the small English model the ner component carries its own tok2vec (STACK.md):
# everything else can go, which keeps the same entities at about 3x the speed.
NOT_NEEDED = ["tok2vec", "tagger", "parser", "senter", "attribute_ruler", "lemmatizer"]
ALIAS_SPANS = "contextcards_aliases"
ALIAS_INDEX = "contextcards_alias_index"
BATCH_SIZE = 64
# spaCy's working memory grows with the tokens of a batch, not the number of Docs: at most this many characters.
BATCH_CHARS = 32_000
# spaCy's cost and memory grow faster than a Doc's length: a longer text is cut into pieces
# this long at most (at line breaks, then after sentences), each analysed as its own Doc.
PIECE_CHARS = 2000
LINE = re.compile(r"[^\r\n]+")
SENTENCE_END = re.compile(r"[.!?][\"'\u201d\u2019)\]]*\s+")
SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class Mention:
    """A span of one block (code-point offsets) with its NER label and the alias entries it matched."""

    start: int
    end: int
    text: str
    label: str | None
    candidates: tuple[AliasEntry, ...] = ()


@Language.factory(ALIAS_SPANS)
def make_alias_matcher(nlp: Language, name: str):
    """A component that marks pack aliases in doc.spans, with the alias index each doc carries."""
    return AliasMatcher()


class AliasMatcher:
    """The pipeline step: one loaded pipeline serves every pack, so the pack's index comes with the doc."""

    def __call__(self, doc):
        index = doc.user_data.get(ALIAS_INDEX)
        doc.spans[ALIAS_SPANS] = index.match(doc) if index is not None else []
        return doc


class AliasIndex:
    """A pack's aliases in two PhraseMatchers: case-insensitive, and exact case for acronyms and guarded aliases."""

    def __init__(self, nlp: Language, pack: Pack):
        self.nlp = nlp
        self.by_key: dict[str, list[AliasEntry]] = {}
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        patterns: dict[str, tuple[bool, str]] = {}
        for entry in pack.aliases:
            forms = [entry.text] if entry.case_sensitive else [entry.text, *plural_forms(entry.text)]
            for text in forms:
                key = ("exact:" + text) if entry.case_sensitive else ("lower:" + alias_key(text))
                if entry not in self.by_key.get(key, []):
                    self.by_key.setdefault(key, []).append(entry)
                patterns[key] = (entry.case_sensitive, text)
        for key, (case_sensitive, text) in patterns.items():
            matcher = self.exact if case_sensitive else self.folded
            matcher.add(key, [nlp.make_doc(text)])

    def match(self, doc) -> list[Span]:
        """Every alias occurrence, labelled with its pattern key."""
        strings = self.nlp.vocab.strings
        return [
            Span(doc, start, end, label=strings[match_id])
            for matcher in (self.folded, self.exact)
            for match_id, start, end in matcher(doc)
        ]


def plural_forms(alias: str) -> list[str]:
    """English plurals of an alias that ends in a lowercase word: "tariff" -> "tariffs", "policy" -> "policies"."""
    last = alias.rsplit(" ", 1)[-1]
    if len(last) < 3 or not last.isalpha() or not last.islower() or last.endswith("s"):
        return []
    if last.endswith(("ch", "sh", "x", "z")):
        return [alias + "es"]
    if last.endswith("y") and last[-2] not in "aeiou":
        return [alias[:-1] + "ies"]
    return [alias + "s"]


class Recognizer:
    """A pack's aliases over the model's loaded pipeline; analyses blocks into mentions, cached by content hash.

    The pipeline is loaded once per model and shared: a new pack (the reader's own cards
    changed) costs a new AliasIndex, not a second spaCy model.
    """

    def __init__(self, model: str, pack: Pack, cache_size: int = 20_000):
        self.model_name = model
        self.nlp, self.degraded_reason = load_pipeline(model)
        self.index = AliasIndex(self.nlp, pack)
        self.cache: OrderedDict[str, list[Mention]] = OrderedDict()
        self.cache_size = cache_size
        self.lock = threading.Lock()

    @property
    def has_ner(self) -> bool:
        return self.degraded_reason is None

    def analyse(self, texts: list[str], cached: bool = True) -> list[list[Mention]]:
        """Mentions for each text; unchanged texts come from the cache, the rest go through nlp.pipe.

        `cached=False` neither reads nor writes the cache (the demo: a cache hit would tell a page
        which paragraphs the reader has read).
        """
        if not cached:
            return self._analyse_fresh(texts)
        keys = [hashlib.blake2b(t.encode("utf-8", "surrogatepass"), digest_size=16).digest() for t in texts]
        results: dict[int, list[Mention]] = {}
        todo = []
        with self.lock:
            for i, key in enumerate(keys):
                if key in self.cache:
                    self.cache.move_to_end(key)
                    results[i] = self.cache[key]
                else:
                    todo.append(i)
        fresh = dict(zip(todo, self._analyse_fresh([texts[i] for i in todo])))
        results.update(fresh)
        with self.lock:
            for i, mentions in fresh.items():
                self.cache[keys[i]] = mentions
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        return [results[i] for i in range(len(texts))]

    def _doc(self, text: str):
        """A doc for the pipeline that carries this recognizer's alias index to the matcher component."""
        doc = self.nlp.make_doc(text)
        doc.user_data[ALIAS_INDEX] = self.index
        return doc

    def _analyse_fresh(self, texts: list[str]) -> list[list[Mention]]:
        """Mentions for each text through nlp.pipe, long texts as pieces, offsets in the whole text."""
        cut = [(i, offset, piece) for i, text in enumerate(texts) for offset, piece in pieces(text)]
        found: list[list[Mention]] = [[] for _ in texts]
        for batch in batches(cut):
            docs = self.nlp.pipe([self._doc(piece) for _, _, piece in batch], batch_size=len(batch))
            for (i, offset, _), doc in zip(batch, docs):
                mentions = mentions_of(doc, self.index.by_key)
                found[i] += [replace(m, start=m.start + offset, end=m.end + offset) for m in mentions] if offset \
                    else mentions
        return found


def batches(cut: list[tuple[int, int, str]]):
    """The pieces in runs of at most BATCH_SIZE Docs and BATCH_CHARS characters."""
    batch, size = [], 0
    for item in cut:
        if batch and (len(batch) == BATCH_SIZE or size + len(item[2]) > BATCH_CHARS):
            yield batch
            batch, size = [], 0
        batch.append(item)
        size += len(item[2])
    if batch:
        yield batch


def pieces(text: str, limit: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """A text as (offset, piece) of at most `limit` characters: itself, else its lines, long lines cut after
    sentences (else at a space, else anywhere). Blank pieces are dropped; offsets are into the text."""
    if len(text) <= limit:
        return [(0, text)]
    found = []
    for line in LINE.finditer(text):
        start, end = line.span()
        while end - start > limit:
            cut = _cut_point(text, start, start + limit)
            found.append((start, text[start:cut]))
            start = cut
        found.append((start, text[start:end]))
    return [(offset, piece) for offset, piece in found if piece and not piece.isspace()]


def _cut_point(text: str, start: int, stop: int) -> int:
    """Where to end a piece that starts at `start`: after the last sentence end before `stop`, else after its
    last space, else at `stop` (a single enormous word)."""
    window = text[start:stop]
    for pattern in (SENTENCE_END, SPACES):
        last = None
        for last in pattern.finditer(window):
            pass
        if last is not None and last.end() > 0:
            return start + last.end()
    return stop


def mentions_of(doc, by_key: dict[str, list[AliasEntry]]) -> list[Mention]:
    """Alias matches (longest wins) with any overlapping NER label, then NER entities that matched no alias."""
    ents = doc.ents  # spaCy builds this tuple afresh on every access: once per Doc, never once per span
    entity_at = {i: ent for ent in ents for i in range(ent.start, ent.end)}
    mentions = []
    covered = set()
    for span in filter_spans(doc.spans[ALIAS_SPANS]):
        ent = entity_at.get(span.start)
        label = ent.label_ if ent is not None and span.end <= ent.end else None
        entries = tuple(by_key[span.label_])
        mentions.append(Mention(span.start_char, span.end_char, span.text, label, entries))
        covered.update(range(span.start, span.end))
    for ent in ents:
        name = name_span(doc, ent, covered)
        if name is not None:
            mentions.append(Mention(name.start_char, name.end_char, name.text, ent.label_))
    mentions.sort(key=lambda m: m.start)
    return mentions


_pipelines: dict[str, tuple[Language, str | None]] = {}
_recognizers: dict[tuple[str, str], Recognizer] = {}
_pipelines_lock = threading.Lock()


def load_pipeline(model: str) -> tuple[Language, str | None]:
    """The model's pipeline with the alias matcher, loaded once per process; and why it is degraded, if it is."""
    with _pipelines_lock:
        if model not in _pipelines:
            reason = None
            if not model:
                reason = "no spaCy model configured (CONTEXTCARDS_MODEL is empty)"
                nlp = spacy.blank("en")
            else:
                try:
                    nlp = spacy.load(model, exclude=NOT_NEEDED)
                except (OSError, ImportError, ValueError) as exc:
                    reason = f"spaCy model {model!r} could not be loaded ({type(exc).__name__})"
                    log.warning("%s; recognising pack aliases only", reason)
                    nlp = spacy.blank("en")
            split_joined_names(nlp)
            nlp.add_pipe(ALIAS_SPANS, last=True)
            _pipelines[model] = (nlp, reason)
        return _pipelines[model]


def get_recognizer(model: str, pack: Pack) -> Recognizer:
    """One Recognizer per (model, pack) per process: indexing a pack's aliases is worth keeping."""
    key = (model, pack.fingerprint)
    with _pipelines_lock:
        found = _recognizers.get(key)
    if found is None:
        found = Recognizer(model, pack)
        with _pipelines_lock:
            found = _recognizers.setdefault(key, found)
    return found
