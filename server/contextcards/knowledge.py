"""The knowledge pack: load and validate TOML card files, and index every alias."""

import hashlib
import re
import tomllib
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from pathlib import Path
from urllib.parse import quote

from .errors import PackError
from .offices import derived_office_names

BUNDLED_DIR = Path(__file__).with_name("knowledge")
KINDS = ("person", "org", "place", "product", "policy", "law", "event", "concept")
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MARKUP = re.compile(r"<[a-zA-Z/!]|&[a-zA-Z#][a-zA-Z0-9]*;")
MAX_SUMMARY = 320  # characters: a card shows about three lines, Wikipedia summaries are cut to fit
CARD_STATUSES = ("ready", "pending")
MAX_FACT = 80
CARD_KEYS = {"id", "title", "kind", "aliases", "wikipedia", "summary", "facts", "as_of", "guarded", "metonyms",
             "family"}
GUARD_KEYS = {"alias", "labels", "context"}
FAMILY_KEYS = {"stems", "versions", "suffixes", "member", "context"}
MEMBER_MARK = "~"  # a member card's id: "<family card id>~<member name>", e.g. "llama~Llama 4"
# Kinds whose facts go stale (offices change hands, products are withdrawn, rules are deferred): they carry as_of.
DATED_KINDS = ("person", "org", "product", "law", "policy", "event")
STALE_AFTER_MONTHS = 12
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def wikipedia_url(title: str | None) -> str | None:
    """The English Wikipedia address of an exact article title."""
    if not title:
        return None
    return "https://en.wikipedia.org/wiki/" + quote(title.replace(" ", "_"), safe="_(),'-.:")


def as_of_label(as_of: str) -> str:
    """"June 2025" for 2025-06 (or 2025-06-14), "2025" for a bare year."""
    parts = as_of.split("-")
    return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}" if len(parts) > 1 and 1 <= int(parts[1]) <= 12 else parts[0]


def months_old(as_of: str, today: date) -> int:
    """Whole months from an as_of date (its month; January for a bare year) to today."""
    parts = as_of.split("-")
    year, month = int(parts[0]), int(parts[1]) if len(parts) > 1 else 1
    return (today.year - year) * 12 + today.month - month


def age_note(as_of: str | None, today: date, summary_refreshed: bool = False) -> str | None:
    """A calm line for a card whose facts were checked more than a year ago; None for a recent or undated card."""
    if not as_of or months_old(as_of, today) <= STALE_AFTER_MONTHS:
        return None
    what = "facts as of" if summary_refreshed else "as of"
    return f"{what} {as_of_label(as_of)} — may be out of date"


@lru_cache(maxsize=4096)
def whole_words(phrase: str, ignore_case: bool = False) -> re.Pattern:
    """The phrase as whole words: not inside a longer word ("AMD" is not in "AMDA")."""
    return re.compile(r"(?<!\w)" + re.escape(phrase) + r"(?!\w)", re.IGNORECASE if ignore_case else 0)


def context_pattern(phrase: str) -> re.Pattern:
    """Whole words; a phrase with a capital matches its case exactly ("Intel" is not "the intel")."""
    return whole_words(phrase, ignore_case=not any(c.isupper() for c in phrase))


@dataclass(frozen=True)
class Guard:
    """An alias that links only with exact case and, when given, NER-label or page-context evidence."""

    alias: str
    labels: tuple[str, ...] = ()
    context: tuple[str, ...] = ()


@dataclass(frozen=True)
class Family:
    """How the members of a family card are named: a stem, then version numbers and/or suffix words.

    "Llama 4", "Gemini 2.5 Flash", "Snapdragon 8 Elite", "DeepSeek-V3.2": the stem exactly as written,
    then one to four parts, each a version (the `versions` regular expression, after a space, a hyphen
    or nothing) or a suffix word (after a space or a hyphen, any case). `member` says what a member is
    ("a model in Meta's Llama family"); `context` guards members as an alias guard does.
    """

    stems: tuple[str, ...]
    versions: str = ""
    suffixes: tuple[str, ...] = ()
    member: str = ""
    context: tuple[str, ...] = ()

    @property
    def pattern(self) -> re.Pattern:
        return _family_pattern(self)


_FAMILY_PATTERNS: dict = {}


def _family_pattern(family: Family) -> re.Pattern:
    """The member names of a family as one regular expression (compiled once per family)."""
    if family not in _FAMILY_PATTERNS:
        stems = "|".join(re.escape(s) for s in sorted(family.stems, key=len, reverse=True))
        parts = []
        if family.versions:
            parts.append(f"[ -]?(?:{family.versions})")
        if family.suffixes:
            words = "|".join(re.escape(w) for w in sorted(family.suffixes, key=len, reverse=True))
            parts.append(f"[ -](?i:{words})")
        tail = "|".join(parts) or "(?!)"
        _FAMILY_PATTERNS[family] = re.compile(rf"(?<![\w-])(?:{stems})(?:{tail}){{1,4}}(?!\w|\.\w|-[A-Z0-9])")
    return _FAMILY_PATTERNS[family]


@dataclass(frozen=True)
class Card:
    """One card of background wherever it comes from: the pack, or Wikipedia (ready, or pending while fetched)."""

    id: str
    title: str
    kind: str
    summary: str
    aliases: tuple[str, ...] = ()
    wikipedia: str | None = None
    facts: tuple[str, ...] = ()
    as_of: str | None = None
    guarded: tuple[Guard, ...] = ()
    metonyms: tuple[str, ...] = ()
    family: Family | None = None
    member_of: str | None = None  # member cards only: the id of the family card they stand in for
    source: str = "pack"  # "pack", "personal" (the reader's own) or "wikipedia"
    status: str | None = None  # Wikipedia cards only: "ready", or "pending" while the page is fetched
    # A pack card whose summary was refreshed from Wikipedia: when (YYYY-MM-DD); its facts keep their as_of.
    summary_refreshed: str | None = None

    @property
    def url(self) -> str | None:
        """The card's Wikipedia address, if it has a title there."""
        return wikipedia_url(self.wikipedia)

    def to_json(self, seen_before: dict | None = None, today: date | None = None) -> dict:
        """The card as the API shows it (the one place a card becomes JSON), with the reader's seen_before if given."""
        data = {
            "id": self.id,
            "title": self.title,
            "kind": self.kind,
            "summary": self.summary,
            "source": self.source,
            "wikipedia": self.wikipedia,
            "url": self.url,
            "facts": list(self.facts),
        }
        if self.as_of:
            data["as_of"] = self.as_of
            note = age_note(self.as_of, today or date.today(), bool(self.summary_refreshed))
            if note:
                data["age_note"] = note
        if self.summary_refreshed:
            data["summary_refreshed"] = self.summary_refreshed
        if self.status:
            data["status"] = self.status
        if self.member_of:
            data["family"] = self.member_of
        if seen_before is not None:
            data["seen_before"] = seen_before
        return data

    def to_pack(self) -> dict:
        """The card as a [[card]] table of a pack file (what parse_card reads back), empty fields left out."""
        table = {"id": self.id, "title": self.title, "kind": self.kind}
        if self.aliases:
            table["aliases"] = list(self.aliases)
        if self.wikipedia:
            table["wikipedia"] = self.wikipedia
        table["summary"] = self.summary
        if self.facts:
            table["facts"] = list(self.facts)
        if self.as_of:
            table["as_of"] = self.as_of
        if self.metonyms:
            table["metonyms"] = list(self.metonyms)
        if self.guarded:
            table["guarded"] = [{"alias": g.alias, **({"labels": list(g.labels)} if g.labels else {}),
                                 **({"context": list(g.context)} if g.context else {})} for g in self.guarded]
        return table


@dataclass(frozen=True)
class AliasEntry:
    """One surface form leading to one card, and how strictly it must match."""

    text: str
    card_id: str
    case_sensitive: bool
    guard: Guard | None = None


def _problem(path, index, entry_id, message):
    where = f"{path}: card {index + 1}" + (f" ({entry_id})" if entry_id else "")
    return f"{where}: {message}"


def _check_text(value, name, problems, where):
    if not isinstance(value, str) or not value.strip():
        problems.append(where(f"{name} must be a non-empty string"))
        return False
    if MARKUP.search(value):
        problems.append(where(f"{name} must be plain text, not markup"))
        return False
    return True


def parse_card(raw: dict, path, index: int, problems: list[str]) -> Card | None:
    """Turn one TOML table into a Card, appending a readable line per problem."""
    entry_id = raw.get("id") if isinstance(raw.get("id"), str) else None

    def where(message):
        return _problem(path, index, entry_id, message)

    start = len(problems)
    unknown = set(raw) - CARD_KEYS
    if unknown:
        problems.append(where(f"unknown keys: {', '.join(sorted(unknown))}"))
    if not entry_id or not ID_PATTERN.fullmatch(entry_id):
        problems.append(where("id must be lowercase letters, digits and single hyphens"))
    _check_text(raw.get("title"), "title", problems, where)
    if raw.get("kind") not in KINDS:
        problems.append(where(f"kind must be one of {', '.join(KINDS)}"))
    summary = raw.get("summary")
    if _check_text(summary, "summary", problems, where) and len(summary) > MAX_SUMMARY:
        problems.append(where(f"summary is {len(summary)} characters; the limit is {MAX_SUMMARY}"))
    aliases = raw.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) and a.strip() for a in aliases):
        problems.append(where("aliases must be a list of non-empty strings"))
        aliases = []
    metonyms = raw.get("metonyms", [])
    if not isinstance(metonyms, list) or not all(isinstance(m, str) and m.strip() for m in metonyms):
        problems.append(where("metonyms must be a list of non-empty strings"))
        metonyms = []
    facts = raw.get("facts", [])
    if not isinstance(facts, list):
        problems.append(where("facts must be a list of strings"))
        facts = []
    for fact in facts:
        if _check_text(fact, "each fact", problems, where) and len(fact) > MAX_FACT:
            problems.append(where(f"fact {fact[:30]!r}... is longer than {MAX_FACT} characters"))
    wikipedia = raw.get("wikipedia")
    if wikipedia is not None and not _check_text(wikipedia, "wikipedia", problems, where):
        wikipedia = None
    as_of = raw.get("as_of")
    if as_of is not None and not (isinstance(as_of, str) and re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", as_of)):
        problems.append(where("as_of must look like YYYY, YYYY-MM or YYYY-MM-DD"))
    guards = []
    for guard in raw.get("guarded", []):
        if not isinstance(guard, dict) or set(guard) - GUARD_KEYS or not isinstance(guard.get("alias"), str):
            problems.append(where("each [[card.guarded]] needs alias and may have labels and context lists"))
            continue
        labels, context = guard.get("labels", []), guard.get("context", [])
        if not all(isinstance(x, str) for x in [*labels, *context]):
            problems.append(where(f"guard {guard['alias']!r}: labels and context must be lists of strings"))
            continue
        guards.append(Guard(guard["alias"], tuple(labels), tuple(context)))
    family = _parse_family(raw.get("family"), problems, where) if "family" in raw else None
    if len(problems) > start:
        return None
    return Card(
        id=entry_id,
        title=raw["title"].strip(),
        kind=raw["kind"],
        summary=" ".join(summary.split()),
        aliases=tuple(a.strip() for a in aliases),
        wikipedia=wikipedia,
        facts=tuple(facts),
        as_of=as_of,
        guarded=tuple(guards),
        metonyms=tuple(m.strip() for m in metonyms),
        family=family,
    )


def _strings(value) -> bool:
    return isinstance(value, list) and all(isinstance(x, str) and x.strip() for x in value)


def _parse_family(raw, problems: list[str], where) -> Family | None:
    """A [card.family] table: stems and member are required; versions a regular expression; suffixes words."""
    if not isinstance(raw, dict) or set(raw) - FAMILY_KEYS:
        problems.append(where(f"[card.family] may only have {', '.join(sorted(FAMILY_KEYS))}"))
        return None
    start = len(problems)
    stems, suffixes, context = raw.get("stems"), raw.get("suffixes", []), raw.get("context", [])
    versions, member = raw.get("versions", ""), raw.get("member")
    if not _strings(stems) or not stems:
        problems.append(where("family stems must be a non-empty list of names"))
    if not _strings(suffixes) or not all(re.fullmatch(r"[\w.+]+", w) for w in suffixes):
        problems.append(where("family suffixes must be a list of single words"))
    if not _strings(context):
        problems.append(where("family context must be a list of words or phrases"))
    if not isinstance(member, str) or not member.strip() or MARKUP.search(member):
        problems.append(where("family member must say what a member is, e.g. \"a model in Meta's Llama family\""))
    if not isinstance(versions, str):
        problems.append(where("family versions must be a regular expression (a string)"))
    elif versions:
        try:
            compiled = re.compile(versions)
        except re.error as exc:
            problems.append(where(f"family versions is not a valid regular expression ({exc})"))
        else:
            if compiled.match(""):
                problems.append(where("family versions must not match an empty string"))
            elif compiled.groups:
                problems.append(where("family versions must not capture: write (?:...) instead of (...)"))
    if not versions and not suffixes and len(problems) == start:
        problems.append(where("a family needs versions, suffixes or both"))
    if len(problems) > start:
        return None
    return Family(tuple(stems), versions, tuple(suffixes), " ".join(member.split()), tuple(context))


def member_card(family_card: Card, name: str) -> Card | None:
    """The card for one member of a family: the family's card, titled with the member's name and saying so."""
    family = family_card.family
    if family is None or not family.pattern.fullmatch(name):
        return None
    as_of = f" as of {family_card.as_of}" if family_card.as_of else ""
    line = f"{family.member[:1].upper()}{family.member[1:]}; this card describes the family{as_of}"
    return replace(family_card, id=f"{family_card.id}{MEMBER_MARK}{name}", title=name,
                   facts=(line, *family_card.facts), aliases=(), guarded=(), metonyms=(), family=None,
                   member_of=family_card.id)


def parse_pack_text(text: str, path) -> tuple[list[Card], list[str]]:
    """Cards and problems of a pack file's text (path only names it in the messages)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        return [], [f"{path}: not valid TOML ({exc})"]
    return parse_tables(data, path)


def read_pack_file(path: Path) -> tuple[list[Card], list[str]]:
    """Cards and problems of one file; a file that cannot be read is one problem."""
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        return [], [f"{path}: cannot read ({exc.strerror})"]
    except tomllib.TOMLDecodeError as exc:
        return [], [f"{path}: not valid TOML ({exc})"]
    return parse_tables(data, path)


def parse_tables(data: dict, path) -> tuple[list[Card], list[str]]:
    """The cards of a parsed pack file's [[card]] tables, and one line per problem."""
    tables = data.get("card")
    if not isinstance(tables, list):
        return [], [f"{path}: no [[card]] tables"]
    problems: list[str] = []
    cards = [parse_card(raw, path, i, problems) for i, raw in enumerate(tables)]
    return [c for c in cards if c], problems


def alias_key(text: str) -> str:
    """How aliases are compared for clashes: case-folded, whitespace collapsed."""
    return " ".join(text.casefold().split())


def is_acronym(text: str) -> bool:
    """All-capital aliases (SMIC, BIS) match with exact case only."""
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


class Pack:
    """All cards by id, and every alias they answer to."""

    def __init__(self, cards: list[Card]):
        self.cards = {card.id: card for card in cards}
        self.aliases: list[AliasEntry] = []
        for card in self.cards.values():
            guarded = {alias_key(g.alias) for g in card.guarded}
            for text in dict.fromkeys((card.title, *card.aliases)):
                if alias_key(text) not in guarded:
                    self.aliases.append(AliasEntry(text, card.id, is_acronym(text)))
            for guard in card.guarded:
                self.aliases.append(AliasEntry(guard.alias, card.id, True, guard))
        known = {alias_key(entry.text) for entry in self.aliases}
        for text, card_id in derived_office_names(self.cards.values(), known, alias_key):
            self.aliases.append(AliasEntry(text, card_id, False))
        digest = hashlib.sha256(repr(sorted(self.cards.items())).encode()).hexdigest()
        self.fingerprint = digest[:16]

    def __len__(self):
        return len(self.cards)

    def get(self, card_id: str) -> Card | None:
        """A card by id; a member id ("llama~Llama 4") gives its family's card as that member."""
        card = self.cards.get(card_id)
        if card is None and MEMBER_MARK in card_id:
            family_id, name = card_id.split(MEMBER_MARK, 1)
            family = self.cards.get(family_id)
            card = member_card(family, name) if family else None
        return card

    def stats(self) -> dict[str, int]:
        """Number of cards of each kind."""
        counts = Counter(card.kind for card in self.cards.values())
        return {kind: counts.get(kind, 0) for kind in KINDS}

    def currency(self) -> dict:
        """How current the pack can claim to be: dated cards among the kinds that go stale, and Wikipedia titles."""
        dated_kind = [card for card in self.cards.values() if card.kind in DATED_KINDS]
        dates = sorted(card.as_of for card in dated_kind if card.as_of)
        return {"dated": len(dates), "dated_of": len(dated_kind), "oldest": dates[0] if dates else None,
                "newest": dates[-1] if dates else None,
                "wikipedia": sum(1 for card in self.cards.values() if card.wikipedia), "cards": len(self.cards)}

    def clashes(self) -> list[tuple[str, set[str]]]:
        """Clashes across the whole pack (shared unguarded aliases, shared Wikipedia titles) and the ids involved."""
        found = []
        owners: dict[str, set[str]] = {}
        for entry in self.aliases:
            if entry.guard is None:
                owners.setdefault(alias_key(entry.text), set()).add(entry.card_id)
        for key, ids in sorted(owners.items()):
            if len(ids) > 1:
                found.append((f"alias {key!r} leads to {', '.join(sorted(ids))}: guard it or keep it on one card", ids))
        titles: dict[str, list[str]] = {}
        for card in self.cards.values():
            if card.wikipedia:
                titles.setdefault(card.wikipedia, []).append(card.id)
        for title, ids in sorted(titles.items()):
            if len(ids) > 1:
                found.append((f"wikipedia title {title!r} is used by {', '.join(sorted(ids))}", set(ids)))
        return found


def _seats(card: Card) -> set[str]:
    """The places named in the card's "Seat: A, B" facts, each of which may stand for the card."""
    return {alias_key(place) for fact in card.facts if fact.lower().startswith("seat:")
            for place in fact.split(":", 1)[1].split(",")}


def unknown_metonyms(cards: list[Card]) -> list[tuple[str, str]]:
    """(card id, message) for each metonym that is neither a name in the pack nor a seat in the card's facts."""
    names = {alias_key(text) for card in cards for text in (card.title, *card.aliases, *(g.alias for g in card.guarded))}
    found = []
    for card in cards:
        for metonym in card.metonyms:
            if alias_key(metonym) not in names | _seats(card):
                found.append((card.id, f"metonym {metonym!r} is not the title or alias of any card, "
                                       f"nor a place in the card's 'Seat:' fact"))
    return found


def pack_files(extra: tuple[Path, ...] = (), bundled: bool = True) -> list[Path]:
    """The bundled files in name order, then the user's packs (files or folders) in the order given."""
    files = sorted(BUNDLED_DIR.glob("*.toml")) if bundled else []
    for path in extra:
        files.extend(sorted(path.glob("*.toml")) if path.is_dir() else [path])
    return files


def load_pack(extra: tuple[Path, ...] = (), bundled: bool = True) -> Pack:
    """Load the bundled pack and merge the user's packs over it (same id replaces)."""
    cards: dict[str, Card] = {}
    for path in pack_files(extra, bundled):
        found, problems = read_pack_file(path)
        if problems:
            raise PackError(problems[0] + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""))
        for card in found:
            cards[card.id] = card
    dangling = unknown_metonyms(list(cards.values()))
    if dangling:
        card_id, message = dangling[0]
        raise PackError(f"card {card_id}: {message}" + (f" (and {len(dangling) - 1} more)" if len(dangling) > 1 else ""))
    return Pack(list(cards.values()))


def undated_warnings(cards: list[Card], path) -> list[str]:
    """One line per card of a kind whose facts go stale that does not say when they were checked."""
    return [f"{path}: card {card.id}: warning: no as_of; a {card.kind} card's facts go stale, say when they were checked"
            for card in cards if card.kind in DATED_KINDS and not card.as_of]


def check_pack_file(path: Path) -> list[str]:
    """Every problem in one file, plus clashes it causes with the bundled pack."""
    cards, problems = read_pack_file(path)
    if problems or not cards:
        return problems
    return check_cards(cards, path)


@lru_cache(maxsize=1)
def _bundled_cards() -> tuple[Card, ...]:
    """The bundled pack's cards, read once per process (clash checks run on every personal card saved)."""
    return tuple(card for other in pack_files() for card in read_pack_file(other)[0])


def check_cards(cards: list[Card], path) -> list[str]:
    """What pack check says about a file's valid cards: repeated ids, clashes with the bundled pack, metonyms."""
    seen = Counter(card.id for card in cards)
    problems = [f"{path}: id {card_id!r} is used {n} times" for card_id, n in seen.items() if n > 1]
    merged: dict[str, Card] = {card.id: card for card in _bundled_cards()}
    merged.update({card.id: card for card in cards})
    own = {card.id for card in cards}
    for message, ids in Pack(list(merged.values())).clashes():
        if ids & own:
            problems.append(f"{path}: {message}")
    problems += [f"{path}: card {card_id}: {message}" for card_id, message in unknown_metonyms(list(merged.values()))
                 if card_id in own]
    return problems
