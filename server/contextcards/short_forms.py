"""Short forms of an institution's name after the full name: "the Commission" after "European Commission".

News names a body in full once, then by its head noun: "the Commission", "Parliament", "the Council",
"the Department", "the Bureau". As a bare surname follows a full name, such a head noun links to the
body already named on the page, when exactly one such body claims it, written with its capital and
standing alone ("the Commission said", not "the Federal Communications Commission").
"""

import re

from spacy.lang.en.stop_words import STOP_WORDS

# Head nouns of institutions' names that news uses alone once the full name is given.
HEAD_NOUNS = {"Commission", "Council", "Parliament", "Congress", "Senate", "Department", "Ministry", "Bureau",
              "Agency", "Administration", "Authority", "Court", "Assembly", "Committee", "Board", "Fund",
              "Reserve", "Institute", "Academy", "Exchange", "Cabinet", "Diet", "Office", "Commissariat"}
WORD = re.compile(r"[A-Za-z][\w'’.-]*")


def head_noun(title: str) -> str | None:
    """The head noun of an institution's name: "European Commission" -> "Commission",
    "Council of the European Union" -> "Council", "Bureau of Industry and Security" -> "Bureau"."""
    name = title.split(" of ", 1)[0]
    words = name.split()
    return words[-1] if words and words[-1] in HEAD_NOUNS else None


def short_forms(cards) -> dict[str, str]:
    """Head noun -> card id, for the org cards named on the page; a noun two of them share is left out."""
    owners: dict[str, set[str]] = {}
    for card in cards:
        noun = head_noun(card.title) if card and card.kind == "org" else None
        if noun:
            owners.setdefault(noun, set()).add(card.member_of or card.id)
    return {noun: next(iter(ids)) for noun, ids in owners.items() if len(ids) == 1}


def stands_alone(text: str, start: int, end: int) -> bool:
    """Whether a capitalised word is a name by itself: no capitalised word just before (unless the
    sentence starts there) or just after it, so it is not part of a longer name."""
    before = text[max(0, start - 40):start].rstrip()
    previous = WORD.findall(before)
    if previous and before and before[-1] not in ".!?:;\"“(" and previous[-1][:1].isupper() and \
            previous[-1].lower() not in STOP_WORDS:
        return False
    following = WORD.match(text[end + 1:end + 40]) if text[end:end + 1] == " " else None
    return not (following and following.group()[:1].isupper())


def find(texts: list[str], forms: dict[str, str]):
    """(block, start, end, noun, card id) for every stand-alone short form on the page."""
    if not forms:
        return
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, forms)) + r")(?![\w-])")
    for block, text in enumerate(texts):
        for match in pattern.finditer(text):
            if stands_alone(text, match.start(), match.end()):
                yield block, match.start(), match.end(), match.group(), forms[match.group()]
