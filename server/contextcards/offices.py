"""Offices named by their country in every way news says it: "Japan's premier", "the French president".

An office card names its office with its country ("President of France", "US Treasury Secretary",
"Britain's science secretary"). From each such name this module takes the office part ("President",
"Treasury Secretary", "science secretary") and says it with every name and adjective of the country
(the country card's names, and the adjectives of the government card's "<adjective> government"
aliases): "Japan's premier", "Japanese premier", "America's Treasury Secretary". A derived name
that any card already has, or that two offices would share, is left out; a one-word office that
other bodies have too ("president") gets only the possessive.
"""

OFFICE_WORDS = {"president", "premier", "minister", "secretary", "chancellor", "governor", "chair", "chairman",
                "chairwoman", "adviser", "advisor", "chief", "speaker", "leader"}
# One-word offices that other bodies have too: "the Taiwanese president of Foxconn" is no head of state,
# so these get only the possessive ("Taiwan's president"), not the adjective form.
GENERIC_OFFICES = {"president", "chairman", "chairwoman", "chair", "governor", "chief", "leader", "speaker",
                   "adviser", "advisor", "secretary", "minister"}
GOVERNMENT_TITLES = ("Government of the ", "Government of ", "Federal government of the ", "Federal government of ")


def _country_forms(cards) -> list[tuple[set[str], set[str]]]:
    """For each country with a government card: (its names that take "'s", its adjectives and short names).

    Possessives only of the country's title and one-word names ("Japan's", "Britain's"; not "United
    States's"); adjectives from "<adjective> government" aliases, never a city's name ("Beijing").
    """
    by_name, cities = {}, set()
    for card in cards:
        if card.kind == "place":
            for name in (card.title, *card.aliases, *(g.alias for g in card.guarded)):
                by_name.setdefault(name, card)
                cities.add(name)
    forms = []
    for card in cards:
        prefix = next((p for p in GOVERNMENT_TITLES if card.title.startswith(p)), None)
        country = by_name.get(card.title[len(prefix):]) if prefix else None
        if country is None:
            continue
        own = {country.title, *country.aliases, *(g.alias for g in country.guarded)}
        names = {n for n in own if (n == country.title or " " not in n) and not n.endswith("s")
                 and "." not in n and not n.isupper()}
        adjectives = {a[: -len(" government")] for a in card.aliases
                      if a.endswith(" government") and "'" not in a and "’" not in a}
        adjectives = {a for a in adjectives if len(a.split()) == 1 and (a in own or a not in cities)}
        forms.append((names, adjectives))
    return forms


def _office_parts(name: str):
    """(country, office) splits of a name that may carry its country: "Japan's premier", "US Treasury
    Secretary", "Prime Minister of Japan", "President of the French Republic"."""
    if "'s " in name:
        country, office = name.split("'s ", 1)
        yield country, office
    words = name.split()
    for n in range(1, min(3, len(words) - 1) + 1):
        yield " ".join(words[:n]), " ".join(words[n:])
    if " of " in name:
        office, country = name.rsplit(" of ", 1)
        if " of " not in office:
            yield country.removeprefix("the "), office


def derived_office_names(cards, known: set[str], key) -> list[tuple[str, str]]:
    """(name, card id) for every country form of every office not already known (`key` folds a name)."""
    cards = list(cards)
    countries: dict[str, int] = {}
    forms = _country_forms(cards)
    for index, (names, adjectives) in enumerate(forms):
        for form in names | adjectives:
            countries.setdefault(form, index)
    found: dict[str, set[str]] = {}
    for card in cards:
        if card.kind != "org":
            continue
        offices: dict[int, set[str]] = {}
        for name in (card.title, *card.aliases):
            for country, office in _office_parts(name):
                if country in countries and OFFICE_WORDS & set(office.lower().split()):
                    offices.setdefault(countries[country], set()).add(office)
        for index, parts in offices.items():
            names, adjectives = forms[index]
            for office in parts:
                adjective_forms = [] if office.lower() in GENERIC_OFFICES else [f"{a} {office}" for a in adjectives]
                for variant in [f"{n}'s {office}" for n in names] + adjective_forms:
                    if key(variant) not in known:
                        found.setdefault(variant, set()).add(card.id)
    unique = {key(v): (v, ids) for v, ids in found.items() if len(ids) == 1}
    return [(variant, next(iter(ids))) for variant, ids in unique.values()]
