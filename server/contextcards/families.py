"""Members of a family the pack knows: "Llama 4", "Snapdragon 8 Elite", "DeepSeek-V3.2" link to the family's card.

Models, chips and phones get a new number every few months; the pack cannot list them all. A family
card declares how its members are named (knowledge.Family); a name that fits and that no card has
exactly links to a member card ("llama~Llama 4": the family's card, titled with the member's name)
with less confidence than an exact card. A family with `context` links members only when one of
those words occurs on the page outside the members themselves, so "the Pixel 9 times" stays plain.
"""

from dataclasses import dataclass
from functools import lru_cache

from .knowledge import MEMBER_MARK, Pack, alias_key

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

    def find(self, texts: list[str]) -> list[Member]:
        """Every member named on the page that no card has exactly; the longest wins where two overlap."""
        page = "\n".join(texts)
        found = []
        for card in self.cards:
            family = card.family
            hits = [(block, match) for block, text in enumerate(texts) for match in family.pattern.finditer(text)
                    if alias_key(match.group()) not in self.known]
            if hits and (not family.context or _context_outside_members(page, family)):
                found += [Member(block, m.start(), m.end(), m.group(), f"{card.id}{MEMBER_MARK}{m.group()}")
                          for block, m in hits]
        found.sort(key=lambda m: (m.block, m.start, -(m.end - m.start)))
        kept: list[Member] = []
        for member in found:
            if not any(k.block == member.block and k.start < member.end and member.start < k.end for k in kept):
                kept.append(member)
        return kept


def _context_outside_members(page: str, family) -> bool:
    """Whether a context word occurs on the page once the members themselves are blanked out."""
    from .linking import _word_pattern  # the same whole-word, case-aware match as alias guards

    rest = family.pattern.sub(" ", page)
    return any(_word_pattern(phrase).search(rest) for phrase in family.context)


@lru_cache(maxsize=8)
def families_of(pack: Pack) -> Families:
    return Families(pack)
