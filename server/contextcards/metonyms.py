"""Places that stand for governments: "Moscow retaliated" is Russia's government, "a startup in Moscow" the city.

The parser is off for speed, so the reading comes from the words around the name: a verb of saying
or acting after it ("Beijing said", "Brussels isn't calling"), a possessive with a policy noun
("Ottawa's new curbs"), a noun of pressure or talks before it ("pressure from Brussels", "talks with
Seoul"), a verb that takes a government as its object ("urging Washington"). Prepositions of place
("in", "to", "near"), motion ("visited") and "-based" say it is the place. Names joined by "and" or
commas ("Seoul and Taipei weighed in") share their cues. When cues disagree the name links nothing:
a wrong government card is worse than none.
"""

import re
from dataclasses import dataclass

from .knowledge import Pack

BODY, PLACE, CONFLICT = "body", "place", "conflict"

# Verbs of saying and acting whose subject is a government; forms are found by stripping endings.
ACT_VERBS = set("""
say tell announce state declare respond reply retaliate react impose ban block bar restrict curb tighten
loosen ease lift relax sanction blacklist warn urge demand insist argue claim deny reject refuse approve
clear authorize authorise allow permit grant order instruct require mandate push press seek want weigh
consider plan vow pledge promise threaten agree decide move step act signal counter protest summon propose
unveil launch back support oppose welcome call accuse blame criticize criticise condemn slam target fear
hope expect view intend aim need ask offer negotiate recognize recognise issue publish adopt pass enact
introduce expand extend broaden widen tout subsidize subsidise fund lobby prefer dismiss downplay hail
praise defend confirm acknowledge concede admit suggest indicate hint retreat backtrack relent soften
harden escalate pause delay postpone suspend halt scrap drop abandon reverse resist maintain tighten
investigate probe crack clamp hit strike object complain deploy sign accept review study assess examine
""".split())
IRREGULAR_ACTS = {"said", "told", "sought", "struck", "took", "made", "gave", "hit", "set", "put", "cut",
                  "spoke", "wrote", "chose", "kept", "brought", "began", "let", "led", "held", "stood",
                  "fought", "sent", "drew", "threw", "won", "finds", "found", "stepped", "weighed"}
# Words that may sit between the name and its verb: auxiliaries, negations, adverbs.
AUXILIARIES = set("""
has have had is was are were will would could may might must should can shall does did do isn't wasn't
aren't weren't won't wouldn't couldn't mustn't shouldn't can't cannot hasn't haven't hadn't doesn't didn't
not also now then still already quickly swiftly promptly reportedly again just only further never soon
finally recently officially publicly privately formally firmly openly quietly once long largely
""".split())
# Verbs whose subject is the place itself ("Beijing hosted the Olympics", "Moscow lies on").
PLACE_VERBS = {"host", "hosts", "hosted", "hosting", "lie", "lies", "lay", "sits", "sat", "borders",
               "bordered", "boasts", "located", "situated", "home", "flooded", "sweltered", "shivered"}
# Nouns after "Name's" that belong to a government, or to the place.
POLICY_NOUNS = set("""
curbs curb controls control rules rule regulations regulation policy policies response responses decision
decisions move moves ban bans sanctions tariffs tariff stance position positions demands demand approach
crackdown push efforts effort plan plans strategy pressure campaign retaliation measures restrictions
approval blessing concerns warnings warning objections diplomacy ambitions line priorities agenda envoy
envoys officials negotiators leaders leadership authorities government regime reaction retort proposal
proposals offer terms red lines support backing opposition veto bid bids drive shift u-turn reversal
overtures threat threats ultimatum conditions requirements review probe investigation rebuke refusal
intervention subsidies subsidy export exports import imports trade industrial foreign security chip tech
technology ai digital climate economic military defence defense diplomatic antitrust competition data
""".split())
PLACE_NOUNS = set("""
streets street residents people population suburbs suburb skyline airport airports subway metro mayor
city centre center downtown districts district neighbourhoods neighborhoods neighbourhood neighborhood
air weather traffic restaurants hotels universities hospitals housing parks river port harbour harbor
outskirts citizens startup startups tech scene nightlife museums landmarks old university stock
""".split())
# Nouns before "from X" or "with/between X" that make X a government.
FROM_NOUNS = set("""
pressure criticism pushback approval permission opposition demand demands order orders signal signals
backing support retaliation response objection objections complaint complaints warning warnings threat
threats sanctions funding subsidies guidance instructions consent blessing word officials negotiators
diplomats envoy envoys delegation delegations overtures protest protests rebuke message messages
""".split())
WITH_NOUNS = set("""
talks ties relations negotiations deal deals dispute disputes tension tensions agreement agreements standoff
rift row spat friction truce dialogue meeting meetings summit channel channels contacts cooperation
confrontation rivalry competition rapprochement détente detente détente alliance partnership feud clash
clashes showdown negotiation
""".split())
# Verbs that take a government as their object ("urging Washington", "pressed Beijing").
OBJECT_VERBS = set("""
lobby urge press pressure warn accuse criticize criticise persuade convince tell ask sanction provoke anger
defy appease placate reassure blame condemn rebuke snub petition implore lobbied told
""".split())
# Nouns before "in X" that make X the seat of government rather than the place ("officials in Beijing").
POLITICAL_NOUNS = {"officials", "lawmakers", "policymakers", "policy-makers", "politicians", "leaders",
                   "hawks", "debate", "debates", "consensus", "thinking", "regulators", "diplomats",
                   "negotiators", "decision-makers", "mandarins", "authorities"}
PLACE_PREPOSITIONS = {"in", "at", "near", "to", "into", "outside", "around", "across", "via", "through",
                      "within", "inside", "toward", "towards", "from", "of", "downtown", "visit", "visited",
                      "visiting", "visits", "toured", "touring", "leave", "left", "leaving", "reached",
                      "reaching", "landed", "flew", "between"}
BODY_COMPOUNDS = {"backed", "led", "brokered", "imposed", "sponsored", "funded", "approved", "friendly",
                  "aligned", "controlled", "directed", "ordered", "sanctioned", "mandated", "allied"}
PLACE_COMPOUNDS = {"based", "headquartered", "born", "bound", "area", "listed"}

WINDOW = 120  # characters of context read on each side of a name
WORD = re.compile(r"[\w’'.-]+|[^\w\s]")
JOINER = re.compile(r"\s*(?:,\s*(?:and\s+|or\s+)?|\s+(?:and|or|&)\s+)\s*")
POSSESSIVE = re.compile(r"^(?:['’]s?|['’])(?!\w)")


def _stems(word: str) -> set[str]:
    """The possible base forms of a verb form: "retaliated", "urging", "says", "hitting", "banned", "tried"."""
    stems = {word}
    for ending in ("s", "es", "d", "ed", "ing", "ies", "ied"):
        if word.endswith(ending) and len(word) > len(ending) + 1:
            stem = word[: -len(ending)]
            stems.update({stem, stem + "e", stem + "y"})
            if len(stem) > 2 and stem[-1] == stem[-2]:
                stems.add(stem[:-1])  # hitting, banned
    return stems


def _is_act_verb(word: str) -> bool:
    """Whether a lowercase word is a form of a verb of saying or acting ("retaliated", "urging", "says")."""
    return word in IRREGULAR_ACTS or bool(_stems(word) & ACT_VERBS)


def _is_object_verb(word: str) -> bool:
    return bool(_stems(word) & OBJECT_VERBS)


def _words(text: str) -> list[str]:
    return WORD.findall(text)


def cues_before(text: str) -> set[str]:
    """Readings the words just before a name support."""
    words = [w.lower() for w in _words(text[-60:])]
    if not words:
        return set()
    last = words[-1]
    before = words[-2] if len(words) > 1 else ""
    if last == "from" and before in FROM_NOUNS:
        return {BODY}
    if last in ("with", "between", "and") and before in WITH_NOUNS:
        return {BODY}
    if last == "according" or (last == "to" and before == "according"):
        return {BODY}
    if last == "in" and before in POLITICAL_NOUNS:
        return {BODY}
    if _is_object_verb(last):
        return {BODY}
    if last in PLACE_PREPOSITIONS:
        return {PLACE}
    return set()


def cues_after(text: str, verbs: bool = True) -> set[str]:
    """Readings the words just after a name support (without verbs when the name is a preposition's object)."""
    possessive = POSSESSIVE.match(text)
    if possessive:
        nouns = [w.lower() for w in _words(text[possessive.end():])[:3]]
        found = set()
        for noun in nouns:
            if noun in POLICY_NOUNS:
                found.add(BODY)
            elif noun in PLACE_NOUNS:
                found.add(PLACE)
            if not noun.isalpha():
                break
        return found
    compound = re.match(r"^-(\w+)", text)
    if compound:
        word = compound.group(1).lower()
        return {BODY} if word in BODY_COMPOUNDS else {PLACE} if word in PLACE_COMPOUNDS else set()
    words = _words(text[:120])
    if not verbs or not words or words[0][:1].isupper():
        return set()  # "Beijing Daily", or the end of a sentence
    index = 0
    while index < 4 and index < len(words) and (words[index].lower() in AUXILIARIES or words[index].endswith("ly")):
        index += 1
    if index >= len(words):
        return set()
    word = words[index].lower()
    if word in PLACE_VERBS or (index and word == "home"):
        return {PLACE}
    if _is_act_verb(word):
        return {BODY}
    return set()


@dataclass(frozen=True)
class Reading:
    """A metonym occurrence and what it stands for: the government card, or None (the place, or unsure)."""

    start: int
    end: int
    card: str | None
    reading: str | None


class Metonyms:
    """The pack's place names that stand for a body, and the reading of each occurrence."""

    def __init__(self, pack: Pack):
        owners: dict[str, set[str]] = {}
        for card in pack.cards.values():
            for metonym in card.metonyms:
                owners.setdefault(metonym, set()).add(card.id)
        # A metonym owned by the card that is itself the seat ("Kremlin") is an ordinary alias.
        self.body = {m: next(iter(ids)) for m, ids in owners.items()
                     if len(ids) == 1 and alias_is_not_own_title(pack, m, next(iter(ids)))}

    def __bool__(self):
        return bool(self.body)

    def card_for(self, text: str) -> str | None:
        return self.body.get(text)

    def read(self, text: str, spans: list[tuple[int, int]]) -> list[Reading]:
        """The reading of each metonym span of one block (spans in text order); names joined by "and" share cues."""
        groups: list[list[tuple[int, int]]] = []
        for start, end in spans:
            if groups and start - groups[-1][-1][1] < 12 and JOINER.fullmatch(text[groups[-1][-1][1]:start]):
                groups[-1].append((start, end))
            else:
                groups.append([(start, end)])
        readings = []
        for group in groups:
            before = cues_before(text[max(0, group[0][0] - WINDOW):group[0][0]])
            # After a preposition of place the name is its object: a verb that follows is the subject's
            # ("companies in Brussels lobbying", "a firm in Moscow said"), only a possessive is the name's.
            after = cues_after(text[group[-1][1]:group[-1][1] + WINDOW], verbs=before != {PLACE})
            found = before | after
            reading = next(iter(found)) if len(found) == 1 else CONFLICT if found else None
            for start, end in group:
                readings.append(Reading(start, end, self.card_for(text[start:end]) if reading == BODY else None,
                                        reading))
        return readings


def alias_is_not_own_title(pack: Pack, metonym: str, card_id: str) -> bool:
    """Whether the metonym is another card's name, not the body's own ("Kremlin" on the Kremlin card)."""
    card = pack.cards[card_id]
    own = {card.title, *card.aliases, *(g.alias for g in card.guarded)}
    return metonym not in own
