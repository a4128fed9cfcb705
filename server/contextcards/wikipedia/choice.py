"""Choosing the Wikipedia page for a name: an exact title that agrees with the NER label, else a search result
that agrees with the label and the page, else nothing (a wrong card is worse than none).

An exact title (after normalisation and one redirect) is taken when its short description
or first sentence says it is the kind of thing the label says (an ORG "Apple" does not get
the fruit). Missing titles, disambiguation pages and disagreeing pages of people,
organisations, products, buildings, events, laws and works fall back to search (places
do not: a place name that is not a title is a guess). A result is taken only if its
title holds every word of the name, it agrees with the label, its text names another
entity of the same page, and no other result passes too.
"""

import re

from ..knowledge import whole_words
from .client import MAX_TITLES
from .text import split_sentences

SEARCH_LABELS = {"PERSON", "ORG", "PRODUCT", "FAC", "EVENT", "LAW", "WORK_OF_ART"}
PLACE_LABELS = {"GPE", "LOC", "FAC"}
MAX_REGIONS = 6
MAX_SEARCHES = 8
SEARCH_RESULTS = 5
CANDIDATES_PER_NAME = 3

# Words in a page's short description (or the start of its first sentence) that say what kind of thing it is.
KIND_WORDS = {
    "person": {"politician", "businessman", "businesswoman", "businessperson", "executive", "entrepreneur", "engineer",
               "scientist", "economist", "diplomat", "official", "investor", "founder", "lawyer", "judge", "journalist",
               "writer", "author", "academic", "professor", "researcher", "physicist", "chemist", "mathematician",
               "scholar", "activist", "philanthropist", "general", "admiral", "officer", "soldier", "actor", "actress",
               "singer", "musician", "artist", "athlete", "player", "leader", "statesman", "minister", "president",
               "premier", "senator", "governor", "mayor", "ambassador", "secretary", "chairman", "chairwoman",
               "banker", "billionaire", "programmer", "developer", "inventor", "commentator", "analyst", "monarch",
               "king", "queen", "emperor", "prince", "princess", "bishop", "priest", "poet", "novelist", "historian"},
    "org": {"company", "corporation", "conglomerate", "manufacturer", "firm", "business", "enterprise", "startup",
            "start-up", "organization", "organisation", "agency", "ministry", "department", "bureau",
            "administration", "commission", "committee", "council", "party", "university", "institute",
            "laboratory", "lab", "academy", "college", "school", "foundation", "association", "federation",
            "bank", "fund", "group", "club", "network", "publisher", "newspaper", "broadcaster", "retailer",
            "airline", "regulator", "authority", "court", "parliament", "congress", "legislature", "government",
            "army", "navy", "office", "board", "alliance", "coalition", "consortium", "exchange", "nonprofit",
            "non-profit", "charity", "subsidiary", "division", "studio", "foundry", "chipmaker", "maker",
            "designer", "provider", "operator", "society", "union", "cabinet", "politburo", "senate", "team",
            "band", "orchestra", "label"},
    "place": {"country", "city", "town", "village", "province", "state", "region", "county", "district",
              "municipality", "prefecture", "capital", "island", "islands", "peninsula", "territory", "continent",
              "river", "lake", "mountain", "sea", "ocean", "metropolis", "neighbourhood", "neighborhood", "suburb",
              "borough", "republic", "kingdom", "emirate", "archipelago", "desert", "valley", "strait", "nation",
              "building", "skyscraper", "residence", "palace", "headquarters", "airport", "port", "bridge",
              "campus", "square", "park", "street", "canal", "dam", "base", "zone", "area"},
    "product": {"product", "software", "hardware", "chip", "microprocessor", "processor", "gpu", "cpu",
                "accelerator", "microarchitecture", "smartphone", "phone", "device", "computer", "supercomputer",
                "chatbot", "app", "application", "platform", "programming", "game", "vehicle", "car", "aircraft",
                "missile", "satellite", "rocket", "console", "engine", "soc", "semiconductor", "drug", "vaccine",
                "weapon", "browser", "service", "model", "models", "brand", "series", "tool", "machine",
                "lithography", "framework", "library", "system"},
    "event": {"war", "battle", "election", "summit", "conference", "crisis", "protest", "protests", "incident",
              "attack", "disaster", "earthquake", "pandemic", "epidemic", "revolution", "meeting", "olympics",
              "championship", "festival", "tournament", "ceremony", "massacre", "uprising", "scandal",
              "campaign", "talks", "visit", "trial", "coup", "strike", "negotiations", "dispute", "conflict"},
    "law": {"act", "law", "statute", "regulation", "regulations", "treaty", "agreement", "convention", "directive",
            "bill", "order", "constitution", "accord", "resolution", "ordinance", "code", "charter", "sanctions",
            "legislation", "policy", "rule", "rules", "ban", "tariff", "tariffs"},
}
BIRTH_OR_LIFESPAN = re.compile(r"\((?:[^()]*;\s*)?born\b|\([^()]*\b\d{3,4}\s*[\u2013\u2014-]\s*[^()]*\d{3,4}\s*\)")
PERSONAL_PRONOUN = re.compile(r"\b(?:he|she|his|her|him)\b", re.IGNORECASE)
COPULA = re.compile(r"\b(?:is|was|are|were|refers to)\s+(.*)", re.S)
WORD = re.compile(r"[a-z][a-z-]*")

# The NER label of a mention: the card kind it gets by default, and the kinds of page that agree with it.
LABEL_KINDS = {
    "PERSON": ("person", {"person"}),
    "ORG": ("org", {"org", "product", "law"}),
    "GPE": ("place", {"place"}),
    "LOC": ("place", {"place"}),
    "FAC": ("place", {"place", "org"}),
    "PRODUCT": ("product", {"product", "org"}),
    "EVENT": ("event", {"event"}),
    "LAW": ("law", {"law"}),
    "WORK_OF_ART": ("product", {"product", "law"}),
}


def _vocabulary_hits(words: set[str], vocabulary: set[str]) -> bool:
    """Whether any word, or its singular, is in the vocabulary."""
    for word in words:
        if word in vocabulary or (word.endswith("s") and word[:-1] in vocabulary) or \
                (word.endswith("ies") and word[:-3] + "y" in vocabulary):
            return True
    return False


def kinds_of(description: str, summary: str) -> set[str]:
    """The kinds of thing a page seems to be about, from its short description and first sentence."""
    first = split_sentences(summary)[0] if summary else ""
    predicate = COPULA.search(first)
    head = " ".join(predicate.group(1).split()[:12]) if predicate else ""
    words = set(WORD.findall(f"{description} {head}".lower()))
    found = {kind for kind, vocabulary in KIND_WORDS.items() if _vocabulary_hits(words, vocabulary)}
    # Dates of birth are a person's; "he" or "her" only when nothing else says what the page is
    # ("Dell ... founded by Michael Dell and his wife" is a company).
    if BIRTH_OR_LIFESPAN.search(first) or (not found and PERSONAL_PRONOUN.search(summary)):
        found.add("person")
    return found


def default_kind(label: str | None) -> str:
    """The card kind a mention with this NER label gets before its page says more."""
    return LABEL_KINDS.get(label or "", ("concept", set()))[0]


def fitting_kind(label: str | None, description: str, summary: str) -> str | None:
    """The card kind when the page agrees with the NER label (None when it does not, or says nothing).

    Without a label (a card asked for by id, say after a restart) a page fits only when it says
    what kind of thing it is: "wiki:Apple" asked for by id gets no card rather than the fruit.
    """
    kinds = kinds_of(description, summary)
    if label is None:
        return next((k for k in ("person", "org", "place", "product", "event", "law") if k in kinds), None)
    preferred, agreeing = LABEL_KINDS.get(label, ("concept", set()))
    if preferred in kinds:
        return preferred
    return next((k for k in sorted(agreeing) if k in kinds), None)


def is_general_noun(title: str, summary: str) -> bool:
    """Whether a page is about a kind of thing, not a named one: "A parliament is the legislature of a state"
    is no answer for an ORG "Parliament" on a page about the European Parliament."""
    return re.match(r"(?:An?|The)\s+" + re.escape(title.lower()) + r"\b", summary or "") is not None


def covers(title: str, name: str) -> bool:
    """Whether every word of the name is a word of the title ("Huang" and "Jensen Huang")."""
    title_words = set(re.findall(r"\w+", title.casefold()))
    name_words = re.findall(r"\w+", name.casefold())
    return bool(name_words) and all(word in title_words for word in name_words)


def mentions_any(text: str, phrases, besides: str = "") -> bool:
    """Whether the text names any of the phrases (whole words, exact case), other than the name itself."""
    skip = set(re.findall(r"\w+", besides.casefold()))
    for phrase in phrases:
        if len(phrase) < 3 or set(re.findall(r"\w+", phrase.casefold())) <= skip:
            continue
        if whole_words(phrase).search(text):
            return True
    return False


def _found(page, kind: str, via: str) -> dict:
    """The cache record of a page chosen for a name."""
    return {"status": "found", "title": page.title, "summary": page.summary, "kind": kind,
            "description": page.description, "via": via}


MISS = {"status": "miss", "title": None}


def regional_titles(title: str, regions) -> list[str]:
    """Titles of the senses of a place name in the page's other places: "Hillsboro, Oregon", "Malta, New York"."""
    return [f"{title}, {region}" for region in list(regions)[:MAX_REGIONS]
            if region != title and title not in region and region not in title]


def regional_choice(title, label, page, results, regions, evidence) -> dict | None:
    """The one sense of a place name that the page's other places support, when it should win over the exact title.

    A disambiguation page (or none) gives way to a sense whose region the page names; a page that
    exists ("Malta", the country) gives way only when that sense's own text also names another
    entity of the page ("Malta, New York" names GlobalFoundries). Two supported senses: neither.
    """
    if label not in PLACE_LABELS or not regions:
        return None
    supported = {}
    for candidate in regional_titles(title, regions):
        found = results.get(candidate)
        if found and found.status == "found" and fitting_kind(label, found.description, found.summary) == "place":
            supported[found.title] = found
    if len(supported) != 1:
        return None
    found = next(iter(supported.values()))
    if page and page.status == "found" and \
            not mentions_any(f"{found.description} {found.summary}", evidence, f"{title} {' '.join(regions)}"):
        return None
    return _found(found, "place", "region")


def choose_pages(client, queries, evidence, settle, regions=()) -> None:
    """For each (title, label): settle(title, label, record) as soon as it is decided, found or MISS.

    One batched lookup for every title (and, for place names, their senses in the page's other
    `regions`), then (for the few that need it) one search each and one batched lookup of the
    results. `evidence` holds the other entities named on the page.
    Raises wikipedia.Unavailable when a request fails; names not yet settled stay undecided.
    """
    results = {}
    titles = [title for title, _ in queries]
    titles += [t for title, label in queries if label in PLACE_LABELS for t in regional_titles(title, regions)]
    titles = list(dict.fromkeys(titles))
    for start in range(0, len(titles), MAX_TITLES):
        results.update(client.fetch(titles[start:start + MAX_TITLES]))
    searches = []
    for title, label in queries:
        page = results.get(title)
        regional = regional_choice(title, label, page, results, regions, evidence)
        if regional:
            settle(title, label, regional)
            continue
        kind = fitting_kind(label, page.description, page.summary) if page and page.status == "found" else None
        if kind and label in SEARCH_LABELS and is_general_noun(page.title, page.summary):
            kind = None  # an ORG named "Council" is some council: search for the one the page means
        if kind:
            settle(title, label, _found(page, kind, "redirect" if page.redirected else "exact"))
        elif label in SEARCH_LABELS and len(searches) < MAX_SEARCHES:
            searches.append((title, label, page.title if page else None))
        else:
            settle(title, label, MISS)
    if not searches:
        return
    candidates = {}
    for title, _, rejected in searches:
        found = [t for t in client.search(title, SEARCH_RESULTS) if t != rejected and covers(t, title)]
        candidates[title] = found[:CANDIDATES_PER_NAME]
    pages = client.fetch(list(dict.fromkeys(t for ts in candidates.values() for t in ts))[:MAX_TITLES])
    for title, label, _ in searches:
        fitting = {}
        for candidate in candidates[title]:
            page = pages.get(candidate)
            if not page or page.status != "found" or not covers(page.title, title):
                continue
            kind = fitting_kind(label, page.description, page.summary)
            if kind and mentions_any(f"{page.description} {page.summary}", evidence, title):
                fitting[page.title] = _found(page, kind, "search")
        settle(title, label, next(iter(fitting.values())) if len(fitting) == 1 else MISS)
