"""History store at 100, 1,000 and 10,000 saved pages: save p50/p95, search p95, start-up time, file size.

Each size gets a fresh data directory seeded with that many realistic pages (first visits
spread over the past year, six cards per page with their sentences), written as the store
writes them. Then, on the real files: start-up (open the store, read every file, build the
search index), 200 saves (80% new pages, 20% revisits, each on disk before it returns,
seen_before computed as in an annotate answer) and 200 searches (words, entity, site, time).
Start-up is measured in a fresh process so nothing is warm.
"""

import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SIZES = [100, 1_000, 10_000]
SAVES = 200
SEARCHES = 200
TARGETS = {"save p95": 25.0, "search p95": 50.0, "start-up": 2000.0}
WORDS = ("export controls chips semiconductor model training policy summit tariffs subsidies research lab "
         "cloud quantum fabs lithography supply chain security agency law regulation talent open weights").split()
SITES = ["news.example", "www.daily.example", "blog.analysis.example", "journal.example", "wire.example"]
CARDS = [f"card-{n}" for n in range(400)]


def fake_annotation(rng: random.Random, url: str):
    """An annotation as linking leaves it: six cards, each mentioned in its own sentence."""
    from contextcards.annotate import AnnotateRequest, Annotation
    from contextcards.knowledge import Card
    from contextcards.linking import Link

    cards = rng.sample(CARDS, 6)
    sentences = [f"{' '.join(rng.choices(WORDS, k=8))} {card} {' '.join(rng.choices(WORDS, k=14))}." for card in cards]
    blocks = [(f"b{i}", s) for i, s in enumerate(sentences)]
    links = [Link(i, s.index(card), s.index(card) + len(card), card, card, 0.9)
             for i, (card, s) in enumerate(zip(cards, sentences))]
    found = {card: Card(id=card, title=card.replace("-", " ").title(), kind="concept", summary="", wikipedia=card)
             for card in cards}
    return Annotation(AnnotateRequest(url=url, title=" ".join(rng.choices(WORDS, k=7)), blocks=blocks), links, found)


def save(service, annotation):
    """What the annotator asks of the history for a page that may be written."""
    from contextcards.annotate import spans

    return service.record(annotation, annotation.links, spans(annotation.request.blocks, annotation.links), save=True)


def seed(folder: Path, count: int, rng: random.Random) -> None:
    """Save `count` pages with visit times spread over the past year (a history that grew over months)."""
    from contextcards.history.service import HistoryService
    from contextcards.store import Store

    now = datetime.now(timezone.utc)
    times = sorted(now - timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(count))
    store = Store(folder)
    clock_value = [times[0]]
    service = HistoryService(store, clock=lambda: clock_value[0])
    for n, moment in enumerate(times):
        clock_value[0] = moment
        save(service, fake_annotation(rng, f"https://{rng.choice(SITES)}/{n}/story"))
    store.close()


STARTUP = """
import sys, time
started = time.perf_counter()
from contextcards.history.service import HistoryService
from contextcards.store import Store
imported = time.perf_counter()
service = HistoryService(Store(sys.argv[1]))
print((time.perf_counter() - imported) * 1000, len(service))
"""


def startup_ms(folder: Path, count: int) -> float:
    out = subprocess.run([sys.executable, "-c", STARTUP, str(folder)], capture_output=True, text=True, check=True)
    elapsed, pages = out.stdout.split()
    assert int(pages) == count, (pages, count)
    return float(elapsed)


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def measure(folder: Path, count: int, rng: random.Random) -> dict:
    from contextcards.history.service import HistoryService, Query
    from contextcards.store import Store

    start = startup_ms(folder, count)
    store = Store(folder)
    service = HistoryService(store)
    saves = []
    for n in range(SAVES):
        url = (f"https://{rng.choice(SITES)}/{rng.randrange(count)}/story" if rng.random() < 0.2
               else f"https://bench-new.example/{n}")
        annotation = fake_annotation(rng, url)
        began = time.perf_counter()
        save(service, annotation)
        saves.append((time.perf_counter() - began) * 1000)
    searches = []
    for n in range(SEARCHES):
        kind = n % 4
        query = Query(limit=50)
        if kind == 0:
            query.q = " ".join(rng.sample(WORDS, 2))
        elif kind == 1:
            query.entity = rng.choice(CARDS)
        elif kind == 2:
            query.site, query.q = "example", rng.choice(WORDS)
        else:
            query.since = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00.000Z")
            query.q = rng.choice(WORDS)
        began = time.perf_counter()
        json.dumps(service.search(query))  # the cost of the answer too
        searches.append((time.perf_counter() - began) * 1000)
    files = list((folder / "store").rglob("*.json"))
    store.close()
    return {"pages": count, "save p50": statistics.median(saves), "save p95": percentile(saves, 0.95),
            "search p95": percentile(searches, 0.95), "start-up": start, "files": len(files),
            "size MB": sum(f.stat().st_size for f in files) / 1e6}


def main() -> int:
    rng = random.Random(7)
    rows = []
    for count in SIZES:
        with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
            folder = Path(tmp)
            began = time.perf_counter()
            seed(folder, count, rng)
            print(f"seeded {count} pages in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
            rows.append(measure(folder, count, rng))
    header = ["pages", "save p50 ms", "save p95 ms", "search p95 ms", "start-up ms", "files", "size MB"]
    print("  ".join(f"{h:>13}" for h in header))
    for row in rows:
        print("  ".join(f"{v:>13,.1f}" if isinstance(v, float) else f"{v:>13,}" for v in row.values()))
    print(f"targets at 10,000 pages: save p95 <= {TARGETS['save p95']:.0f} ms, search p95 <= "
          f"{TARGETS['search p95']:.0f} ms, start-up <= {TARGETS['start-up'] / 1000:.0f} s")
    last = rows[-1]
    missed = [name for name, limit in TARGETS.items() if last[name] > limit]
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
