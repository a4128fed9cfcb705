"""Members of a family the pack knows: "Llama 4", "Snapdragon 8 Elite", "DeepSeek-V3.2" link to the family's card.

Models, chips and phones get a new number every few months; the pack cannot list them all. A family
card declares how its members are named (knowledge.Family); a name that fits and that no card has
exactly links to a member card ("llama~Llama 4": the family's card, titled with the member's name)
with less confidence than an exact card. A family with `context` links members only when one of
those words occurs on the page outside the members themselves, so "the Pixel 9 times" stays plain.
"""

import re
from dataclasses import dataclass
from functools import lru_cache

from .knowledge import MEMBER_MARK, Pack, alias_key, context_pattern  # the same match as alias guards

FAMILY = 0.7


@dataclass(frozen=True)
class Member:
    """A family member named in one block (code-point offsets) and the id of its member card."""

    block: int
    start: int
    end: int
    text: str
    card: str


class Families:
    """The family cards of a pack and the names the pack already knows exactly."""

    def __init__(self, pack: Pack):
        self.cards = [card for card in pack.cards.values() if card.family]
        self.known = {alias_key(entry.text) for entry in pack.aliases}
        self.by_stem: dict[str, list] = {}
        for card in self.cards:
            for stem in card.family.stems:
                self.by_stem.setdefault(stem, []).append(card)
        # One scan for every stem finds where a member may start; each family's pattern is tried only there.
        stems = sorted(self.by_stem, key=len, reverse=True)
        self.trigger = re.compile("|".join(map(re.escape, stems))) if stems else None
        # The trigger finds the longest stem at a place; the families of its prefixes may start there too.
        self.starting = {stem: [card for other in stems if stem.startswith(other) for card in self.by_stem[other]]
                         for stem in stems}

    def find(self, texts: list[str]) -> list[Member]:
        """Every member named on the page that no card has exactly; the longest wins where two overlap."""
        if self.trigger is None:
            return []
        hits: dict[str, list] = {}
        for block, text in enumerate(texts):
            end = 0
            for hit in self.trigger.finditer(text):
                start = hit.start()
                if start < end:
                    continue
                best = None
                for card in self.starting[hit.group()]:
                    match = card.family.pattern.match(text, start)
                    if match and (best is None or match.end() > best[1].end()):
                        best = (card, match)
                if best and alias_key(best[1].group()) not in self.known:
                    hits.setdefault(best[0].id, []).append((block, best[1]))
                    end = best[1].end()
        page = "\n".join(texts) if hits else ""
        found = []
        for card in self.cards:
            family = card.family
            if card.id in hits and (not family.context or _context_outside_members(page, family)):
                found += [Member(block, m.start(), m.end(), m.group(), f"{card.id}{MEMBER_MARK}{m.group()}")
                          for block, m in hits[card.id]]
        found.sort(key=lambda m: (m.block, m.start))
        return found


def _context_outside_members(page: str, family) -> bool:
    """Whether a context word occurs on the page once the members themselves are blanked out."""

    rest = family.pattern.sub(" ", page)
    return any(context_pattern(phrase).search(rest) for phrase in family.context)


@lru_cache(maxsize=8)
def families_of(pack: Pack) -> Families:
    return Families(pack)
