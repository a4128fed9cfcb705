"""History store at 100, 1,000 and 10,000 saved pages (or `--pages N [N ...]`): start-up, saves, searches, size.

Each size gets a fresh data directory seeded with that many realistic pages (first visits
spread over the past year, six cards per page with their sentences). The seed is written
by a bulk writer that builds the files the server writes (the compact page records in
their month files, and the search index through the index's own code) without the fsync
of each save, so 100,000 pages take minutes, not hours; the bench then checks through the
service that the store reads back whole. Then, on the real files:
- start-up in a fresh process (open the store and the history; nothing is warm), and that
  process's memory after it (the history alone, and the whole server app);
- 200 saves (80% new pages, 20% revisits, each on disk before it returns, seen_before
  computed as in an annotate answer);
- 200 searches (words, entity, site, time: the p95 of each kind is reported, the worst is
  the row's) and 100 entity trails (the entity's pages with the weeks, as its route answers).
"""

import argparse
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
TRAILS = 100
TARGETS = {"save p95": 25.0, "search p95": 50.0, "trail p95": 50.0, "start-up": 1000.0, "size MB": 200.0,
           "server MB": 300.0}
AIM_KB_A_PAGE = 1.5  # an aim, not a target: most of a page is its six sentences
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
    # As for most pack cards (676 of 800 with a Wikipedia article), the article has the card's title.
    found = {card: Card(id=card, title=card.replace("-", " ").title(), kind="concept", summary="",
                        wikipedia=card.replace("-", " ").title()) for card in cards}
    return Annotation(AnnotateRequest(url=url, title=" ".join(rng.choices(WORDS, k=7)), blocks=blocks), links, found)


def save(service, annotation):
    """What the annotator asks of the history for a page that may be written."""
    from contextcards.annotate import spans

    return service.record(annotation, annotation.links, spans(annotation.request.blocks, annotation.links), save=True)


def seed(folder: Path, count: int, rng: random.Random) -> None:
    """Bulk-write `count` pages visited over the past year, as the service would have saved them one by one."""
    from contextcards.annotate import spans
    from contextcards.history.index import SearchIndex
    from contextcards.history.record import canonical_url, mentions_of, pack_page, page_id_for, site_of, timestamp
    from contextcards.history.service import PAGES_PER_FILE
    from contextcards.store import RECORDS, Store, write_atomically

    now = datetime.now(timezone.utc)
    times = sorted(now - timedelta(seconds=rng.uniform(0, 365 * 86400)) for _ in range(count))
    store = Store(folder)
    files: dict[str, list[dict]] = {}
    for n, moment in enumerate(times):
        annotation = fake_annotation(rng, f"https://{rng.choice(SITES)}/{n}/story")
        request = annotation.request
        url = canonical_url(request.url)
        stamp = timestamp(moment)
        page = {"id": page_id_for(url), "url": url, "site": site_of(url), "title": request.title,
                "first_visit": stamp, "last_visit": stamp, "visits": 1,
                "mentions": mentions_of(request.blocks, annotation.links, spans(request.blocks, annotation.links),
                                        annotation.cards)}
        month = stamp[:7]
        number = 1
        while len(files.get(f"{month}-{number:03d}.json", ())) >= PAGES_PER_FILE:
            number += 1
        files.setdefault(f"{month}-{number:03d}.json", []).append(page)
    folder_of_pages = store.root / "pages"
    folder_of_pages.mkdir(mode=0o700)
    index = SearchIndex(store.root / "pages-index", store.lock)
    for name, pages in files.items():
        records = {str(n): {"key": page["id"], "value": pack_page(page)} for n, page in enumerate(pages, 1)}
        path = folder_of_pages / name
        write_atomically(path, json.dumps({RECORDS: records}, ensure_ascii=False, separators=(",", ":")).encode())
        index.index_file(name, pages, [path.stat().st_size, path.stat().st_mtime_ns, path.stat().st_ino])
    index._write_snapshot(index._capture())
    store.close()


STARTUP = """
import json, resource, sys, time
started = time.perf_counter()
from contextcards.history.service import HistoryService
from contextcards.store import Store
imported = time.perf_counter()
service = HistoryService(Store(sys.argv[1]))
elapsed = (time.perf_counter() - imported) * 1000
status = service.index.status()
rss = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 1e6
print(json.dumps({"ms": elapsed, "pages": len(service), "status": status, "rss": rss}))
"""

SERVER = """
import json, os, resource, sys
os.environ["CONTEXTCARDS_DATA_DIR"] = sys.argv[1]
from contextcards.app import create_app
app = create_app()
app.extensions["contextcards"].health()
rss = int(open("/proc/self/statm").read().split()[1]) * resource.getpagesize() / 1e6
print(json.dumps({"rss": rss, "pages": len(app.extensions["contextcards_history"])}))
"""


def startup(folder: Path, count: int) -> dict:
    """Start-up time and memory of a fresh process opening the history; then of a whole server app."""
    out = subprocess.run([sys.executable, "-c", STARTUP, str(folder)], capture_output=True, text=True, check=True)
    found = json.loads(out.stdout)
    assert found["pages"] == count and found["status"] == "ready", found
    out = subprocess.run([sys.executable, "-c", SERVER, str(folder)], capture_output=True, text=True, check=True)
    server = json.loads(out.stdout)
    assert server["pages"] == count, server
    return {"start-up": found["ms"], "history MB": found["rss"], "server MB": server["rss"]}


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(function) -> float:
    began = time.perf_counter()
    json.dumps(function())  # the cost of the answer too
    return (time.perf_counter() - began) * 1000


def measure(folder: Path, count: int, rng: random.Random) -> dict:
    from contextcards.history.service import HistoryService, Query
    from contextcards.store import Store

    started = startup(folder, count)
    store = Store(folder)
    service = HistoryService(store)
    saves = []
    for n in range(SAVES):
        url = (f"https://{rng.choice(SITES)}/{rng.randrange(count)}/story" if rng.random() < 0.2
               else f"https://bench-new.example/{n}")
        annotation = fake_annotation(rng, url)
        saves.append(timed(lambda: save(service, annotation)[1]))
    searches: dict[str, list[float]] = {"words": [], "entity": [], "site": [], "time": []}
    for n in range(SEARCHES):
        kind = list(searches)[n % 4]
        query = Query(limit=50)
        if kind == "words":
            query.q = " ".join(rng.sample(WORDS, 2))
        elif kind == "entity":
            query.entity = rng.choice(CARDS)
        elif kind == "site":
            query.site, query.q = "example", rng.choice(WORDS)
        else:
            query.since = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT00:00:00.000Z")
            query.q = rng.choice(WORDS)
        searches[kind].append(timed(lambda: service.search(query)))
    trails = []
    for _ in range(TRAILS):
        card = rng.choice(CARDS)
        trails.append(timed(lambda: {**service.search(Query(entity=card)), "weeks": service.weeks(card)}))
    saved = len(service)
    service.close()
    files = [f for f in (folder / "store").rglob("*") if f.is_file()]
    store.close()
    by_kind = {kind: percentile(values, 0.95) for kind, values in searches.items()}
    return {"pages": count, "save p50": statistics.median(saves), "save p95": percentile(saves, 0.95),
            "search p95": max(by_kind.values()), **{f"{kind} p95": v for kind, v in by_kind.items()},
            "trail p95": percentile(trails, 0.95), **started, "files": len(files),
            "size MB": sum(f.stat().st_size for f in files) / 1e6,
            "KB a page": sum(f.stat().st_size for f in files if f.parent.name == "pages") / 1e3 / saved}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, nargs="+", default=SIZES, metavar="N", help="history sizes to measure")
    sizes = parser.parse_args().pages
    rng = random.Random(7)
    rows = []
    for count in sizes:
        with tempfile.TemporaryDirectory(prefix="bench-history-") as tmp:
            folder = Path(tmp)
            began = time.perf_counter()
            seed(folder, count, rng)
            print(f"seeded {count:,} pages in {time.perf_counter() - began:.1f} s", file=sys.stderr, flush=True)
            rows.append(measure(folder, count, rng))
    header = list(rows[0])
    print("  ".join(f"{h:>11}" for h in header))
    for row in rows:
        print("  ".join(f"{v:>11,.1f}" if isinstance(v, float) else f"{v:>11,}" for v in row.values()))
    print("targets (every size): " + ", ".join(f"{name} <= {limit:,.0f}" for name, limit in TARGETS.items())
          + f"; aim: KB a page <= {AIM_KB_A_PAGE}")
    missed = [f"{name} at {row['pages']:,}" for row in rows for name, limit in TARGETS.items() if row[name] > limit]
    print("all targets met" if not missed else f"MISSED: {', '.join(missed)}")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
