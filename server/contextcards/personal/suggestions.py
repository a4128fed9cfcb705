"""Wikipedia's top matches for a name the reader wants a card for: title, kind and summary to start from.

Only the name goes to Wikipedia (as with every lookup), through the Wikipedia module's client
and its breaker; offline, or while lookups are paused, the answer is an empty list and the
reader writes the card themselves.
"""

from ..knowledge import MAX_SUMMARY
from ..wikipedia.choice import fitting_kind
from ..wikipedia.client import Unavailable, normalize_title
from ..wikipedia.text import summarize

MATCHES = 3
SEARCHED = 5


def suggestions(wikipedia, name: str) -> dict:
    """{wikipedia: on|off|paused, suggestions: [{title, wikipedia, kind, summary, description}]}, best first."""
    if wikipedia is None:
        return {"wikipedia": "off", "suggestions": []}
    state = wikipedia.state()
    if state != "on":
        return {"wikipedia": state, "suggestions": []}
    exact = normalize_title(name)
    try:
        titles = wikipedia.client.search(name, limit=SEARCHED)
        pages = wikipedia.client.fetch(list(dict.fromkeys(([exact] if exact else []) + titles)))
    except Unavailable:
        return {"wikipedia": wikipedia.state(), "suggestions": []}
    found, seen = [], set()
    for page in pages.values():
        if page.status != "found" or page.title in seen:
            continue
        seen.add(page.title)
        found.append({"title": page.title, "wikipedia": page.title,
                      "kind": fitting_kind(None, page.description, page.summary) or "concept",
                      "summary": summarize(page.summary, MAX_SUMMARY), "description": page.description})
    return {"wikipedia": "on", "suggestions": found[:MATCHES]}
