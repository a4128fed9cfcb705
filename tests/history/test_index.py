"""The history's persisted index: lost, stale, corrupt or torn by a crash, it is rebuilt and searches still answer."""

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from contextcards.annotate import AnnotateRequest
from contextcards.app import create_app
from contextcards.history.service import HistoryService, Query, get_history
from contextcards.history.record import page_id_for
from contextcards.store import Store

from conftest import annotate_body, loopback_client, make_config

WORDS = ["amber", "basalt", "cobalt", "dune", "ember", "fjord", "garnet", "harbor"]


def read(client, url, text, title):
    response = client.post("/v1/annotate", json=annotate_body(text, url=url, title=title))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def titles(client, query):
    answer = client.get(f"/v1/history{query}").get_json()
    assert answer["total"] == len(answer["pages"])
    return sorted(page["title"] for page in answer["pages"])


def save_pages(service: HistoryService, count: int, start: int = 0) -> list[str]:
    """Pages with a unique word in the title each (word<n>), as the annotator would save them."""
    urls = []
    for n in range(start, start + count):
        url = f"https://site{n % 3}.example/{n}"
        request = AnnotateRequest(url=url, title=f"n{n}q {WORDS[n % len(WORDS)]}", blocks=[("b0", "text")])
        service.record_visit(request, [])
        urls.append(url)
    return urls


def test_deleted_index_files_start_indexing_answer_searches_and_finish(tmp_path, monkeypatch):
    """The index files are gone: the server starts, /health says "indexing", searches answer, then "ready"."""
    config = make_config(tmp_path)
    client = loopback_client(create_app(config))
    pages = [("https://news.example/1", "Chips", "Export controls hit Nvidia H20 chips bound for China."),
             ("https://blog.example/2", "Models", "DeepSeek trained a model. Meta Platforms answered."),
             ("https://news.example/3", "Speech", "Xi Jinping praised DeepSeek in Beijing.")]
    for url, title, text in pages:
        read(client, url, text, title)
    expected = {query: titles(client, query) for query in
                ["", "?q=deepseek", "?q=chip", "?entity=deepseek", "?site=news.example", "?q=beijing&entity=china"]}
    assert expected["?q=deepseek"] == ["Models", "Speech"] and expected["?q=chip"] == ["Chips"]
    index_folder = Path(config.data_dir) / "store" / "pages-index"
    get_history(client.application).close()
    assert (index_folder / "snapshot.bin").exists()
    for path in index_folder.iterdir():
        path.unlink()

    gate = threading.Event()
    real_reindex = HistoryService.reindex

    def held_reindex(self):
        assert gate.wait(30)
        real_reindex(self)

    monkeypatch.setattr(HistoryService, "reindex", held_reindex)
    restarted = loopback_client(create_app(config))
    health = restarted.get("/health").get_json()
    assert health["history"]["index"] == "indexing" and health["history"]["pages"] == 3
    assert {query: titles(restarted, query) for query in expected} == expected
    assert read(restarted, "https://news.example/4", "DeepSeek again.", "Later")["page_id"]
    gate.set()
    assert get_history(restarted.application).indexed.wait(30)
    assert restarted.get("/health").get_json()["history"]["index"] == "ready"
    expected["?q=deepseek"].append("Later")
    expected["?entity=deepseek"].append("Later")
    expected[""].append("Later")
    expected["?site=news.example"].append("Later")
    assert {query: titles(restarted, query) for query in expected} == {q: sorted(t) for q, t in expected.items()}
    deadline = time.monotonic() + 30
    while not (index_folder / "snapshot.bin").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (index_folder / "snapshot.bin").exists(), "the rebuilt index is saved"


@pytest.mark.parametrize("damage", ["snapshot garbage", "snapshot cut short", "snapshot bit flipped",
                                    "journal garbage", "journal cut short", "journal lost", "journal line flipped"])
def test_a_corrupt_or_lost_index_is_rebuilt_not_fatal(tmp_path, damage):
    store = Store(tmp_path)
    service = HistoryService(store)
    save_pages(service, 30)
    service.close()  # a snapshot of the first 30
    save_pages(service, 12, start=30)  # these are in the journal only
    store.close()
    folder = tmp_path / "store" / "pages-index"
    snapshot, journal = folder / "snapshot.bin", folder / "journal"
    if damage == "snapshot garbage":
        snapshot.write_bytes(b"\x00garbage" * 100)
    elif damage == "snapshot cut short":
        snapshot.write_bytes(snapshot.read_bytes()[:-100])
    elif damage == "snapshot bit flipped":
        raw = bytearray(snapshot.read_bytes())
        raw[-20] ^= 0x40
        snapshot.write_bytes(bytes(raw))
    elif damage == "journal garbage":
        journal.write_bytes(journal.read_bytes()[:200] + b"\xff\xfe not a line\n" + journal.read_bytes()[200:])
    elif damage == "journal cut short":
        journal.write_bytes(journal.read_bytes()[:-7])
    elif damage == "journal lost":
        journal.unlink()
    else:
        lines = journal.read_bytes().splitlines(keepends=True)
        lines[5] = lines[5].replace(b"amber", b"AMBER").replace(b"basalt", b"BASALT").replace(b"cobalt", b"COBALT").replace(b"dune", b"DUNE").replace(b"ember", b"EMBER").replace(b"fjord", b"FJORD").replace(b"garnet", b"GARNET").replace(b"harbor", b"HARBOR")
        journal.write_bytes(b"".join(lines))
    store = Store(tmp_path)
    service = HistoryService(store, background=False)
    assert service.index.status() == "ready" and len(service) == 42 and store.problems == []
    for n in range(42):
        found = service.search(Query(q=f"n{n}q"))
        assert [page["title"] for page in found["pages"]] == [f"n{n}q {WORDS[n % len(WORDS)]}"], n
    assert service.search(Query(q="amber"))["total"] == len([n for n in range(42) if n % len(WORDS) == 0])
    save_pages(service, 1, start=42)
    store.close()
    again = HistoryService(Store(tmp_path), background=False)
    assert len(again) == 43 and again.search(Query(q="n42q"))["total"] == 1
    again.store.close()


WRITER = """
import sys
from contextcards.annotate import AnnotateRequest
from contextcards.history.service import HistoryService
from contextcards.store import Store
service = HistoryService(Store(sys.argv[1]), background=False)
n = int(sys.argv[2])
print("ready", flush=True)
while True:
    url = "https://site%d.example/%d" % (n % 3, n)
    service.record_visit(AnnotateRequest(url=url, title="n%dq page" % n, blocks=[("b0", "t")]), [])
    if n % 5 == 0 and n >= 5:  # a revisit rewrites an older file
        old = n - 5
        service.record_visit(AnnotateRequest(url="https://site%d.example/%d" % (old % 3, old),
                                             title="n%dq again" % old, blocks=[("b0", "t")]), [])
    sys.stdout.write("%d\\n" % n)
    sys.stdout.flush()
    n += 1
"""


def test_sigkill_during_saves_loses_no_acknowledged_page_and_the_index_finds_each(tmp_path):
    """Writers killed mid-save: every acknowledged page is there and found by search after the restart."""
    rng = random.Random(20261201)
    acknowledged: set[int] = set()
    next_n = 0
    for _ in range(12):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(next_n)],
                                  stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline() == "ready\n"
        writer.stdout.readline()  # the writer is in its save loop
        time.sleep(rng.uniform(0, 0.3))
        os.kill(writer.pid, signal.SIGKILL)
        rest = writer.stdout.read()
        writer.wait()
        writer.stdout.close()
        acknowledged.update(int(line) for line in rest.split("\n")[:-1] if line)
        store = Store(tmp_path)
        service = HistoryService(store, background=False)
        assert store.problems == [] and service.index.status() == "ready"
        saved = {page["id"] for page in service.all_pages()}
        assert len(service) == len(saved)
        for n in acknowledged:
            url = f"https://site{n % 3}.example/{n}"
            assert page_id_for(url) in saved, f"acknowledged page {n} lost"
            found = service.search(Query(q=f"n{n}q"))
            assert [page["url"] for page in found["pages"]] == [url], f"page {n} not found by search"
        next_n = max(acknowledged | {next_n}) + 1
        store.close()
    assert len(acknowledged) > 24


def test_a_history_written_before_the_index_is_read_and_indexed(tmp_path):
    """Files of the earlier layout (plain page objects, 250 to a file, no index) are indexed at the first start."""
    old_page = {"id": page_id_for("https://a.example/old"), "url": "https://a.example/old", "site": "a.example",
                "title": "Old page", "first_visit": "2025-06-01T10:00:00.000Z",
                "last_visit": "2025-06-03T10:00:00.000Z", "visits": 2,
                "mentions": [{"card": "deepseek", "card_title": "DeepSeek",
                              "card_url": "https://en.wikipedia.org/wiki/DeepSeek", "text": "DeepSeek",
                              "sentence": "DeepSeek trained a model.", "at": 0, "block": "b0", "start": 0, "end": 8,
                              "page_start": 0, "page_end": 8}]}
    folder = tmp_path / "store" / "pages"
    folder.mkdir(parents=True)
    (folder / "2025-06-001.json").write_text(json.dumps(
        {"records": {"1": {"key": old_page["id"], "value": old_page}}}))
    store = Store(tmp_path)
    service = HistoryService(store, background=False)
    assert service.get(old_page["id"]) == old_page
    assert [page["id"] for page in service.search(Query(q="trained"))["pages"]] == [old_page["id"]]
    assert service.seen_before("deepseek", None, days=30)["count"] == 1
    assert service.weeks("deepseek") == [{"week": "2025-W23", "pages": 1}]
    save_pages(service, 2)
    store.close()
    again = HistoryService(Store(tmp_path), background=False)
    assert len(again) == 3 and again.get(old_page["id"]) == old_page
    again.store.close()


def test_a_corrupt_page_file_is_set_aside_when_read_and_the_rest_is_served(tmp_path):
    store = Store(tmp_path)
    service = HistoryService(store)
    save_pages(service, 3)
    service.close()
    store.close()
    broken = tmp_path / "store" / "pages" / "2025-01-001.json"
    broken.write_bytes(b'{"records": {"1": {"key": "p1", "val')
    store = Store(tmp_path)
    service = HistoryService(store, background=False)
    assert len(service) == 3 and service.index.status() == "ready"
    assert len(store.problems) == 1 and "2025-01-001.json" in store.problems[0]
    assert service.search(Query(q="n1q"))["total"] == 1
    store.close()
