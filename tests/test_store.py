"""The store: crash-safe files (SIGKILL at random moments), corrupt files set aside, bounded shards, private modes."""

import json
import os
import random
import signal
import stat
import subprocess
import sys
import time

import pytest

from contextcards.store import AtomicJSONStorage, Store, StoreBusy


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path)
    yield opened
    opened.close()


def reopen(store: Store) -> Store:
    """A fresh Store on the same folder, as after a restart."""
    store.close()
    return Store(store.root.parent)


def month_of(key, value):
    return value["month"]


def test_kv_round_trip_and_copies(store):
    kv = store.kv("wikipedia")
    kv.set("DeepSeek", {"title": "DeepSeek", "extract": "A company.", "tags": ["a"]})
    kv.set("Missing page", {"missing": True})
    value = kv.get("DeepSeek")
    value["tags"].append("changed by the caller")
    assert kv.get("DeepSeek")["tags"] == ["a"]
    assert kv.get("nothing") is None
    assert dict(kv.items()) == {"DeepSeek": {"title": "DeepSeek", "extract": "A company.", "tags": ["a"]},
                                "Missing page": {"missing": True}}
    assert kv.delete("Missing page") is True and kv.delete("Missing page") is False
    kv.set("DeepSeek", {"title": "DeepSeek (company)"})
    assert dict(reopen(store).kv("wikipedia").items()) == {"DeepSeek": {"title": "DeepSeek (company)"}}


def test_each_kv_is_its_own_table(store):
    store.kv("one").set("k", {"v": 1})
    store.kv("two").set("k", {"v": 2})
    store.kv("one").clear()
    assert store.kv("one").get("k") is None and store.kv("two").get("k") == {"v": 2}
    assert store.kv("two") is store.kv("two")


@pytest.mark.parametrize("name", ["", "../up", "UPPER", "a/b", "x" * 65])
def test_bad_table_names_are_refused(store, name):
    with pytest.raises(ValueError):
        store.kv(name)


def test_values_must_be_json_objects(store):
    with pytest.raises(TypeError):
        store.kv("t").set("k", ["not", "a", "dict"])


def test_files_are_readable_by_the_user_alone(store):
    store.kv("settings").set("user", {"muted": []})
    store.table("pages", month_of).put("p1", {"month": "2025-06"})
    paths = list(store.root.rglob("*"))
    files = [p for p in paths if p.is_file()]
    assert len(files) >= 3  # two tables and the lock file
    for path in files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for path in [store.root, *(p for p in paths if p.is_dir())]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path


def test_files_hold_at_most_the_capacity_and_records_never_move(store):
    pages = store.table("pages", month_of, capacity=5)
    for i in range(23):
        pages.put(f"k{i}", {"month": "2025-06" if i < 12 else "2025-07", "i": i})
    names = [p.name for p in pages.files()]
    assert names == ["2025-06-001.json", "2025-06-002.json", "2025-06-003.json",
                     "2025-07-001.json", "2025-07-002.json", "2025-07-003.json"]
    for path in pages.files():
        assert len(json.loads(path.read_text())["records"]) <= 5
    pages.put("k0", {"month": "2025-06", "i": "updated"})
    assert json.loads(pages.files()[0].read_text())["records"]["1"]["value"]["i"] == "updated"
    again = reopen(store).table("pages", month_of, capacity=5)
    assert len(again) == 23 and again.get("k0")["i"] == "updated"


def test_a_file_left_empty_by_deletes_is_removed_and_space_is_reused(store):
    pages = store.table("pages", month_of, capacity=2)
    for i in range(4):
        pages.put(f"k{i}", {"month": "2025-06"})
    pages.delete("k0")
    pages.delete("k1")
    assert [p.name for p in pages.files()] == ["2025-06-002.json"]
    pages.put("k9", {"month": "2025-06"})
    pages.put("k10", {"month": "2025-06"})
    assert len(pages.files()) == 2 and len(pages) == 4


def test_clear_removes_every_file(store):
    pages = store.table("pages", month_of, capacity=3)
    for i in range(10):
        pages.put(f"k{i}", {"month": "2025-06"})
    pages.clear()
    assert pages.files() == [] and len(pages) == 0
    assert not list((store.root / "pages").glob("*.json"))
    assert len(reopen(store).table("pages", month_of)) == 0


def test_a_failed_write_leaves_file_and_memory_as_they_were(store, monkeypatch):
    kv = store.kv("t")
    kv.set("a", {"v": 1})
    path = store.root / "kv" / "t" / "all-001.json"
    before = path.read_bytes()

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError):
        kv.set("a", {"v": 2})
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert kv.get("a") == {"v": 1}
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_leftover_temp_files_are_removed_at_start(store):
    store.kv("t").set("a", {"v": 1})
    leftover = store.root / "kv" / "t" / ".all-001.json.abc123.tmp"
    leftover.write_text('{"records": {"1": {"key": "a", "val')
    assert reopen(store).kv("t").get("a") == {"v": 1}
    assert not leftover.exists()


CORRUPT = {
    "empty": b"",
    "whitespace": b"  \n",
    "truncated": b'{"records": {"1": {"key": "a", "value": {"v": 1}}, "2": {"key": "b", "val',
    "junk after the JSON": b'{"records": {"1": {"key": "a", "value": {"v": 1}}}}\x00\x00garbage',
    "a list": b'[{"key": "a", "value": {}}]',
    "table not an object": b'{"records": [1, 2, 3]}',
    "document not an object": b'{"records": {"1": "text"}}',
    "document id not a number": b'{"records": {"one": {"key": "a", "value": {}}}}',
    "record without key": b'{"records": {"1": {"value": {}}}}',
    "not UTF-8": b'\xff\xfe{"records"',
}


@pytest.mark.parametrize("content", CORRUPT.values(), ids=CORRUPT.keys())
def test_a_corrupt_file_is_set_aside_and_the_store_starts_fresh(tmp_path, content):
    first = Store(tmp_path)
    first.kv("t").set("kept", {"v": 1})
    first.table("pages", month_of).put("p", {"month": "2025-06"})
    first.close()
    broken = tmp_path / "store" / "pages" / "2025-06-001.json"
    broken.write_bytes(content)
    store = Store(tmp_path)
    pages = store.table("pages", month_of)
    assert len(pages) == 0
    aside = [p for p in broken.parent.iterdir() if p.name.startswith("2025-06-001.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == content
    assert len(store.problems) == 1 and "pages/2025-06-001.json" in store.problems[0]
    assert aside[0].name in store.problems[0]
    assert store.kv("t").get("kept") == {"v": 1}, "other files are untouched"
    pages.put("new", {"month": "2025-06"})
    assert json.loads(broken.read_text())["records"]["1"]["key"] == "new"
    store.close()


def test_atomic_storage_reads_none_when_there_is_no_file(tmp_path):
    assert AtomicJSONStorage(tmp_path / "none.json").read() is None


def test_a_second_process_cannot_open_the_same_store(tmp_path):
    """Two processes would each cache the files and overwrite the other's saves."""
    store = Store(tmp_path)
    code = ("import sys\nfrom contextcards.store import Store, StoreBusy\n"
            "try:\n    Store(sys.argv[1])\nexcept StoreBusy:\n    sys.exit(3)\n")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 3
    store.close()
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 0


def test_the_same_process_may_open_its_store_again(tmp_path):
    """Tests and the CLI reopen a store in one process; the lock is per process, held while any is open."""
    first, second = Store(tmp_path), Store(tmp_path)
    second.close()
    code = ("import sys\nfrom contextcards.store import Store, StoreBusy\n"
            "try:\n    Store(sys.argv[1])\nexcept StoreBusy:\n    sys.exit(3)\n")
    assert subprocess.run([sys.executable, "-c", code, str(tmp_path)]).returncode == 3
    first.close()
    with pytest.raises(StoreBusy):
        holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom contextcards.store import Store\n"
                                   "Store(sys.argv[1]); print('open', flush=True); time.sleep(30)", str(tmp_path)],
                                  stdout=subprocess.PIPE, text=True)
        try:
            assert holder.stdout.readline() == "open\n"
            Store(tmp_path)
        finally:
            holder.kill()
            holder.wait()
            holder.stdout.close()


WRITER = """
import sys
from contextcards.store import Store
store = Store(sys.argv[1])
pages = store.table("pages", lambda key, value: value["month"], capacity=int(sys.argv[3]))
n = int(sys.argv[2])
while True:
    month = "2025-%02d" % (1 + n % 3)
    pages.put("k%d" % n, {"month": month, "n": n, "sentence": "DeepSeek said something. " * 8})
    if n % 7 == 0 and "k%d" % (n - 5) in pages:
        pages.put("k%d" % (n - 5), {"month": "2025-%02d" % (1 + (n - 5) % 3), "n": n - 5, "updated": True})
    sys.stdout.write("k%d\\n" % n)
    sys.stdout.flush()
    n += 1
"""


@pytest.mark.slow
def test_sigkill_at_random_moments_never_loses_an_acknowledged_save(tmp_path):
    """200 writer processes killed with SIGKILL mid-run: every file parses and every acknowledged save is there.

    Acknowledged means the writer printed the key after put() returned. A kill while a
    temp file is being written leaves the temp file behind (removed at the next start),
    never a torn store file.
    """
    rng = random.Random(20250601)
    acknowledged: set[str] = set()
    next_n = 0
    interrupted_writes = 0
    for _ in range(200):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(tmp_path), str(next_n), "40"],
                                  stdout=subprocess.PIPE, text=True)
        first = writer.stdout.readline()  # the writer is in its save loop
        time.sleep(rng.uniform(0, 0.02))
        os.kill(writer.pid, signal.SIGKILL)
        rest = writer.stdout.read()
        writer.wait()
        writer.stdout.close()
        lines = (first + rest).split("\n")
        acknowledged.update(line for line in lines[:-1] if line)  # the last piece may be cut short
        folder = tmp_path / "store" / "pages"
        interrupted_writes += any(p.name.endswith(".tmp") for p in folder.iterdir())
        for path in folder.glob("*.json"):
            json.loads(path.read_bytes())  # raises if torn
        store = Store(tmp_path)
        pages = store.table("pages", month_of, capacity=40)
        assert store.problems == []
        missing = acknowledged - {key for key, _ in pages.items()}
        assert not missing, f"acknowledged saves lost: {sorted(missing)[:5]}"
        next_n = max(int(key[1:]) for key, _ in pages.items()) + 1 if len(pages) else 0
        store.close()
    assert len(acknowledged) > 200
    # Evidence the kills landed inside writes, not only between them.
    assert interrupted_writes > 0
