"""Wikipedia cards for a 30-name article: the batched path against one-request-per-name, in the same run.

A fake MediaWiki on 127.0.0.1 (tests/fake_mediawiki.py) adds 150 ms to every request,
about what English Wikipedia costs from a home connection. Batched: what the app uses
(WikipediaCards.resolve, then its card source), from the moment the article's unlinked
names reach resolve until every card is ready. Naive: the plain wikipedia-api client, name by
name, `page.exists()` then `page.summary` (two requests each), as its README shows.
"""

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from fake_mediawiki import FakeMediaWiki  # noqa: E402

from contextcards.config import Config  # noqa: E402
from contextcards.knowledge import Pack  # noqa: E402
from contextcards.linking import LinkOptions, Unlinked  # noqa: E402
from contextcards.wikipedia.client import MediaWiki  # noqa: E402
from contextcards.wikipedia.cache import MemoryTable, card_id_for  # noqa: E402
from contextcards.wikipedia.cards import WikipediaCards  # noqa: E402

LATENCY = 0.150
NAMES = 30
REPEATS = 5
TARGET = 10.0


def article(names):
    """One block naming everyone: the entities linking leaves for Wikipedia."""
    text, unlinked = "", []
    for name in names:
        unlinked.append(Unlinked(0, len(text), len(text) + len(name), name, "PERSON"))
        text += f"{name} said so. "
    return unlinked


def batched(wiki, names) -> tuple[float, int]:
    """Seconds until every card is ready through WikipediaCards (fresh cache), and requests sent."""
    before = len(wiki.requests)
    config = Config(offline=False, wikipedia_api=wiki.url)  # the cache is in memory: no data directory is used
    cards = WikipediaCards(config, Pack([]), MemoryTable())
    try:
        started = time.perf_counter()
        cards.resolve(article(names), [], LinkOptions(), persist=False)
        waiting = {card_id_for(name) for name in names}
        while waiting:
            waiting = {card_id for card_id in waiting if getattr(cards.card(card_id), "status", None) != "ready"}
            if waiting:
                time.sleep(0.005)
        elapsed = time.perf_counter() - started
    finally:
        cards.close()
    return elapsed, len(wiki.requests) - before


def naive(wiki, names) -> tuple[float, int]:
    """Seconds to get every summary with the plain client, one name at a time, and requests sent."""
    before = len(wiki.requests)
    client = MediaWiki(wiki.url)
    try:
        started = time.perf_counter()
        for name in names:
            page = client.page(name)
            assert page.exists() and page.summary
        elapsed = time.perf_counter() - started
    finally:
        client._client.close()
    return elapsed, len(wiki.requests) - before


def main() -> int:
    names = [f"Analyst Number{i}" for i in range(NAMES)]
    with FakeMediaWiki(latency=LATENCY) as wiki:
        for name in names:
            wiki.add(name, f"{name} (born 1970) is an American economist. She studies the chip industry.",
                     "American economist")
        batched_runs = [batched(wiki, names) for _ in range(REPEATS)]
        naive_time, naive_requests = naive(wiki, names)
    batched_time = statistics.median(t for t, _ in batched_runs)
    batched_requests = max(n for _, n in batched_runs)
    ratio = naive_time / batched_time
    print(f"{NAMES} unknown names, fake MediaWiki adding {LATENCY * 1000:.0f} ms per request "
          f"(batched: median of {REPEATS} runs, fresh cache each)")
    print(f"{'path':<34} {'requests':>8} {'all cards ready':>16}")
    print(f"{'batched (WikipediaCards)':<34} {batched_requests:>8} {batched_time * 1000:>13.0f} ms")
    print(f"{'naive (exists + summary per name)':<34} {naive_requests:>8} {naive_time * 1000:>13.0f} ms")
    print(f"speed-up {ratio:.1f}x (target >= {TARGET:.0f}x): {'met' if ratio >= TARGET else 'NOT met'}")
    return 0 if ratio >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
