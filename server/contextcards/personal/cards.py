"""The reader's own cards: one pack file in the data directory, validated exactly as pack files are.

`<data dir>/personal-cards.toml` is an ordinary pack file (`contextcards pack check` reads it),
written whole on every change: a temporary file (0600) in the same folder, flushed, fsync'ed and
renamed over the old one, so a crash leaves the old cards or the new ones, never a torn file.
A read-modify-write holds an flock on `personal-cards.lock`, so the server and the CLI can both
change it; the server notices a changed file (its size, time and inode) before the next request
and uses the new cards from then on, without a restart. A file that no longer parses (edited by
hand) is never overwritten: the last good cards stay in use, /health says why, and changes are
refused until it is fixed.
"""

import fcntl
import logging
import os
import re
import tempfile
import threading
import tomllib
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from ..errors import Conflict, NotFound, Unprocessable
from ..knowledge import Card, check_cards, parse_card, parse_pack_text
from ..pack_writer import dump_pack
from ..store import fsync_dir

log = logging.getLogger("contextcards")

FILE_NAME = "personal-cards.toml"
LOCK_NAME = "personal-cards.lock"
HEADER = ("Your own Context Cards: a pack file (see FORMAT.md in the knowledge folder).\n"
          "Written by the server and `contextcards card`; `contextcards pack check` validates it.")
# What Card.to_json adds to a card: a card read from the API can be sent back as it is.
SHOWN_ONLY = {"source", "url", "age_note", "summary_refreshed", "status", "seen_before"}
SOURCE = "personal"


@dataclass
class ImportReport:
    """What an import did: ids added and replaced, and one pack-check line per card refused."""

    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"added": self.added, "replaced": self.replaced, "unchanged": self.unchanged, "refused": self.refused}


def slug(title: str) -> str:
    """A card id from a title: lower case ASCII letters and digits joined by single hyphens."""
    words = re.findall(r"[a-z0-9]+", title.casefold().encode("ascii", "ignore").decode())
    return "-".join(words)[:60].strip("-") or "card"


def _is_text(value) -> bool:
    """Whether every string in a JSON value can be written to a UTF-8 file (no lone surrogates)."""
    if isinstance(value, str):
        return not any("\ud800" <= c <= "\udfff" for c in value)
    if isinstance(value, list):
        return all(_is_text(v) for v in value)
    if isinstance(value, dict):
        return all(_is_text(k) and _is_text(v) for k, v in value.items())
    return True


class PersonalCards:
    """The reader's cards by id, kept in step with their file; `on_change(cards)` hears of every new set."""

    def __init__(self, data_dir: Path, bundled_ids=frozenset(), on_change=None, today=date.today):
        self.path = data_dir / FILE_NAME
        self.lock_path = data_dir / LOCK_NAME
        self.bundled_ids = bundled_ids  # ids a card made without one must not take by accident
        self.on_change = on_change
        self.today = today
        self.lock = threading.RLock()
        self.cards: dict[str, Card] = {}
        self.problem: str | None = None
        self.signature = None
        self.sync()

    # -- reading ---------------------------------------------------------------------------------

    def _signature(self):
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return None
        return stat.st_mtime_ns, stat.st_size, stat.st_ino

    def sync(self) -> bool:
        """Re-read the file if it changed since it was last read; whether the cards changed."""
        with self.lock:
            signature = self._signature()
            if signature == self.signature:
                return False
            self.signature = signature
            cards, problem = self._read()
            if problem:
                if problem != self.problem:
                    log.warning("personal cards not updated: %s", problem)
                self.problem = problem
                return False
            self.problem = None
            if cards == self.cards:
                return False
            self.cards = cards
            if self.on_change:  # under the lock: two requests that both saw a change hand them over in order
                self.on_change(list(cards.values()))
            return True

    def _read(self) -> tuple[dict[str, Card], str | None]:
        """The file's cards, or the first line pack check would print about it."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}, None
        except (OSError, UnicodeDecodeError) as exc:
            return {}, f"{self.path}: cannot read ({getattr(exc, 'strerror', None) or type(exc).__name__})"
        if not text.strip():
            return {}, None
        cards, problems = parse_pack_text(text, self.path)
        problems = problems or check_cards(cards, self.path)
        if problems:
            return {}, problems[0]
        return {card.id: replace(card, source=SOURCE) for card in cards}, None

    def list(self) -> list[Card]:
        """Every personal card, in file order."""
        self.sync()
        with self.lock:
            return list(self.cards.values())

    def get(self, card_id: str) -> Card | None:
        self.sync()
        with self.lock:
            return self.cards.get(card_id)

    def export_text(self) -> str:
        """The personal cards as a pack file (what `pack export` writes)."""
        return dump_pack(self.list(), HEADER)

    # -- validating ------------------------------------------------------------------------------

    def parse(self, raw, index: int, card_id: str | None = None) -> Card:
        """A card from a JSON object as a pack file's [[card]] table; 422 with pack check's line when it is not one."""
        if not isinstance(raw, dict):
            raise Unprocessable("The body must be a JSON object: a card as a pack file's [[card]] table.")
        if not _is_text(raw):
            raise Unprocessable("The card holds text that is not valid Unicode.")
        raw = {key: value for key, value in raw.items() if key not in SHOWN_ONLY}
        if card_id is not None:
            if raw.setdefault("id", card_id) != card_id:
                raise Unprocessable(f"The body's id {str(raw['id'])[:80]!r} is not the card's id {card_id!r}.")
        if raw.get("wikipedia") is None:
            raw.pop("wikipedia", None)
        if raw.get("as_of") in (None, ""):
            raw.pop("as_of", None)
            raw["as_of"] = self.today().strftime("%Y-%m")  # the reader checked it now
        problems: list[str] = []
        card = parse_card(raw, self.path, index, problems)
        if problems:
            raise Unprocessable(problems[0], code="invalid_card")
        return replace(card, source=SOURCE)

    def _checked(self, cards: dict[str, Card]) -> None:
        """409 with pack check's line when a well-formed card clashes with another (a shared alias or article)."""
        before = set(check_cards(list(self.cards.values()), self.path))
        new = [p for p in check_cards(list(cards.values()), self.path) if p not in before]
        if new:
            raise Conflict(new[0], code="card_clash")

    # -- changing --------------------------------------------------------------------------------

    def new_id(self, title: str) -> str:
        """An id for a card made without one: its title's slug, numbered if a card already has it."""
        base = slug(title)
        candidate, n = base, 2
        while candidate in self.cards or candidate in self.bundled_ids:
            candidate, n = f"{base}-{n}", n + 1
        return candidate

    def add(self, raw) -> Card:
        """Make a card (an id of a bundled card overrides it); 409 when a personal card has that id."""
        with self._writing():
            if isinstance(raw, dict) and "id" not in raw and isinstance(raw.get("title"), str):
                raw = {"id": self.new_id(raw["title"]), **raw}
            card = self.parse(raw, len(self.cards))
            if card.id in self.cards:
                raise Conflict(f"You already have a card {card.id!r}; change it with PUT /v1/cards/{card.id}.",
                               code="card_exists")
            self._save({**self.cards, card.id: card})
            return card

    def put(self, card_id: str, raw) -> tuple[Card, bool]:
        """Make or replace the card with this id; the card, and whether it is new."""
        with self._writing():
            ids = list(self.cards)
            card = self.parse(raw, ids.index(card_id) if card_id in ids else len(ids), card_id)
            created = card_id not in self.cards
            self._save({**self.cards, card.id: card})
            return card, created

    def delete(self, card_id: str) -> None:
        """Delete a personal card (a bundled card it overrode shows again); 404 when there is none."""
        with self._writing():
            if card_id not in self.cards:
                raise NotFound(f"You have no card {card_id[:80]!r} of your own.")
            self._save({k: v for k, v in self.cards.items() if k != card_id}, checked=True)

    def import_text(self, text: str, name: str) -> ImportReport:
        """Merge a pack file's cards: each is added, replaces the one with its id, or is refused with its line."""
        report = ImportReport()
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise Unprocessable(f"{name}: not valid TOML ({exc})", code="invalid_pack") from None
        tables = data.get("card")
        if not isinstance(tables, list):
            raise Unprocessable(f"{name}: no [[card]] tables", code="invalid_pack")
        with self._writing():
            cards = dict(self.cards)
            for index, raw in enumerate(tables):
                problems: list[str] = []
                card = parse_card(raw, name, index, problems) if isinstance(raw, dict) else None
                if card is None:
                    report.refused.append(problems[0] if problems else f"{name}: card {index + 1}: not a table")
                    continue
                card = replace(card, source=SOURCE)
                trial = {**cards, card.id: card}
                before = set(check_cards(list(cards.values()), name))
                new = [p for p in check_cards(list(trial.values()), name) if p not in before]
                if new:
                    report.refused.append(new[0])
                    continue
                if card.id not in cards:
                    report.added.append(card.id)
                elif cards[card.id] == card:
                    report.unchanged.append(card.id)
                else:
                    report.replaced.append(card.id)
                cards[card.id] = card
            if report.added or report.replaced:
                self._save(cards, checked=True)
        return report

    @contextmanager
    def _writing(self):
        """One writer at a time, across processes: read the file's latest cards, then change them."""
        with self.lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                self.sync()
                if self.problem:
                    raise Conflict(f"Your cards file has a problem, so it is left as it is: {self.problem}",
                                   code="personal_cards_broken")
                yield
            finally:
                os.close(fd)

    def _save(self, cards: dict[str, Card], checked: bool = False) -> None:
        """Validate the new set, write it atomically (0600), and use it."""
        if not checked:
            self._checked(cards)
        data = dump_pack(list(cards.values()), HEADER).encode("utf-8")
        fd, temp = tempfile.mkstemp(prefix=".personal-", suffix=".tmp", dir=self.path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        fsync_dir(self.path.parent)
        self.signature = self._signature()
        self.cards = cards
        if self.on_change:
            self.on_change(list(cards.values()))
