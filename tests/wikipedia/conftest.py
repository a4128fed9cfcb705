"""Fixtures and helpers of the Wikipedia tests: a filled fake MediaWiki, a hand-moved clock, pages after linking."""

import time
from types import SimpleNamespace

import pytest

from contextcards.knowledge import load_pack
from contextcards.linking import LinkOptions, Unlinked, first_mentions
from contextcards.wikipedia.cache import MemoryTable
from contextcards.wikipedia.cards import WikipediaCards

from conftest import FIXTURES, make_config
from fake_mediawiki import FakeMediaWiki


LONG = " ".join(f"Sentence number {i} of a very long introduction goes on and on about nothing." for i in range(40))


class Clock:
    """A clock the test moves by hand (used for both monotonic and wall time)."""

    def __init__(self, now=1_000_000.0):
        self.now = now

    def __call__(self):
        return self.now

    def advance(self, seconds):
        self.now += seconds


def fill(wiki: FakeMediaWiki) -> FakeMediaWiki:
    wiki.add("Lisa Su", "Lisa Su (born 7 November 1969) is a Taiwanese-American business executive and electrical "
             "engineer. She is the chief executive of AMD. She joined AMD in 2012.",
             "Taiwanese-American business executive")
    wiki.add("Advanced Micro Devices", "Advanced Micro Devices, Inc. (AMD) is an American multinational semiconductor "
             "company based in Santa Clara, California.", "American semiconductor company")
    wiki.redirect("AMD", "Advanced Micro Devices")
    wiki.add("Taipei", "Taipei is the capital and a special municipality of Taiwan.", "Capital of Taiwan")
    wiki.add("Mercury", "Mercury may refer to: Mercury (planet), Mercury (element).", "", disambiguation=True)
    wiki.add("Apple", "An apple is a round, edible fruit produced by an apple tree.", "Fruit that grows on a tree")
    wiki.add("Apple Inc.", "Apple Inc. is an American multinational technology company. It makes the iPhone, "
             "and Tim Cook is its chief executive.", "American multinational technology company")
    wiki.add("Apple Records", "Apple Records is a record label founded by the Beatles in 1968.", "British record label")
    wiki.add("Jensen Huang", "Jensen Huang (born 1963) is a Taiwanese-American businessman who co-founded Nvidia. "
             "He is its president and chief executive.", "American businessman")
    wiki.add("Huang Xiaoming", "Huang Xiaoming (born 1977) is a Chinese actor and singer.", "Chinese actor")
    wiki.add("AC/DC", "AC/DC are an Australian rock band formed in Sydney in 1973.", "Australian rock band")
    wiki.add("Zürich", "Zürich is the largest city in Switzerland and the capital of the canton of Zürich.",
             "City in Switzerland")
    wiki.add("Evil Corp", "<p>Evil Corp is a <b>company</b> that sells <a href=\"x\">widgets</a>.</p>"
             "<script>alert('owned')</script><style>p{}</style> It was founded in &lt;script&gt;2001&lt;/script&gt; "
             "by <i>Eve</i> &amp; friends.", "Widget company<img src=x onerror=alert(1)>")
    wiki.add("Longwinded Group", "Longwinded Group is a company. " + LONG, "Company")
    wiki.add("Runon Institute", "Runon Institute is an organisation " + "that goes on " * 60 + "forever.", "Institute")
    wiki.redirect("Huang family", "Jensen Huang#Family")
    return wiki


@pytest.fixture
def wiki():
    with FakeMediaWiki() as server:
        yield fill(server)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def make_cards(tmp_path, wiki, clock):
    """A WikipediaCards service on the fake server (closed after the test); keyword args override settings."""
    made = []

    def factory(table=None, api=None, timeout=2.0, **settings):
        # A budget no busy machine exceeds: resolve returns as soon as its names are decided.
        settings = {"offline": False, "wikipedia_api": api or wiki.url, "wikipedia_budget_ms": 30_000, **settings}
        config = make_config(tmp_path, **settings)
        pack = load_pack((FIXTURES / "mini-pack.toml",), False)
        cards = WikipediaCards(config, pack, table if table is not None else MemoryTable(), clock=clock, now=clock,
                               timeout=timeout)
        made.append(cards)
        return cards

    yield factory
    for cards in made:
        cards.close()


def page(*names, save=True, all_mentions=False, links=()):
    """A page after linking: one block naming each (text, label) once, with the given pack links."""
    unlinked, start = [], 0
    for name, label in names:
        unlinked.append(Unlinked(0, start, start + len(name), name, label))
        start += len(name) + 2
    return SimpleNamespace(unlinked=unlinked, links=list(links), cards={}, save=save, all_mentions=all_mentions)


def enrich(cards, result):
    """What the annotator does with Wikipedia: resolve, merge in page order, first mentions unless all are wanted."""
    found_links, found_cards = cards.resolve(result.unlinked, result.links, LinkOptions(), persist=result.save)
    links = sorted([*result.links, *found_links], key=lambda link: (link.block, link.start))
    result.links = links if result.all_mentions else first_mentions(links)
    result.cards.update({card_id: card.to_json() for card_id, card in found_cards.items()})


def card_json(cards, card_id):
    """The card source's answer as the card route shows it."""
    card = cards.card(card_id)
    return card.to_json() if card else None


def wait_ready(cards, card_id, seconds=20.0):
    """Poll the card source until the card is no longer pending."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        card = card_json(cards, card_id)
        if card is None or card.get("status") != "pending":
            return card
        time.sleep(0.02)
    raise AssertionError(f"{card_id} still pending")


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)
