"""wikipedia/client.py: batched lookups against a fake MediaWiki, titles, the breaker."""

import pytest

from contextcards.wikipedia.client import Breaker, WikipediaClient, normalize_title

from .conftest import Clock


def test_exact_page_redirect_normalisation_disambiguation_and_missing(wiki):
    client = WikipediaClient(wiki.url)
    try:
        found = client.fetch(["Lisa Su", "AMD", "taipei", "Mercury", "No Such Page", "Huang family"])
    finally:
        client.close()
    assert found["Lisa Su"].status == "found" and found["Lisa Su"].title == "Lisa Su"
    assert found["Lisa Su"].description == "Taiwanese-American business executive"
    assert found["AMD"].status == "found" and found["AMD"].title == "Advanced Micro Devices" and found["AMD"].redirected
    assert found["taipei"].title == "Taipei" and not found["taipei"].redirected
    assert found["Mercury"].status == "disambiguation"
    assert found["No Such Page"].status == "missing"
    assert found["Huang family"].status == "unusable"  # a redirect to a section is about something narrower
    assert len(wiki.requests) == 1


def test_requests_name_the_project_and_use_one_batch(wiki):
    client = WikipediaClient(wiki.url)
    try:
        client.fetch(["Lisa Su", "Taipei"])
    finally:
        client.close()
    (request,) = wiki.requests
    assert request["_user_agent"].startswith("ContextCards/0.1.0 (https://github.com/contextcards/contextcards;")
    assert request["titles"] == "Lisa Su|Taipei"
    assert request["prop"] == "extracts|pageprops|info" and request["exintro"] == "1" and request["explaintext"] == "1"
    assert request["redirects"] == "1" and request["converttitles"] == "1" and request["formatversion"] == "2"


@pytest.mark.parametrize("name, title", [
    ("Lisa  Su", "Lisa Su"), ("the Commerce Department", "Commerce Department"), ("Nvidia's", "Nvidia"),
    ("lisa_su", "Lisa su"), ("A|B", None), ("1999", None), ("x" * 300, None),
])
def test_names_become_titles(name, title):
    assert normalize_title(name) == title


def test_breaker_keeps_the_longer_pause():
    clock = Clock()
    breaker = Breaker(clock)
    breaker.trip(60, "down")
    breaker.trip(5, "rate limited")
    assert breaker.remaining() == 60 and not breaker.closed()
    clock.advance(60)
    assert breaker.closed()
