"""The one module that talks to TinyDB: crash-safe files, one lock, bounded shard files, corrupt files set aside.

Layout, under `<data_dir>/store/`:

    pages/2025-06-001.json     history pages, grouped by the month of their first visit,
    pages/2025-06-002.json     at most 100 compact records per file (history/record.py)
    pages-index/               the history's search index (history/index.py)
    kv/<name>/all-001.json     one folder per `Store.kv(name)` table, SHARD_CAPACITY records per file

Why this layout: TinyDB's storage interface reads and writes a whole file at a time, so
a save costs as much as the file it lands in. Capping every file bounds that cost
whatever the history's size: a save rewrites one file of at most 100 pages (about
150 KB) and never the other 99,900. Small tables (ShardedTable: settings, the Wikipedia
cache) are read whole at start-up and served from memory (WriteThroughCache). The
history's pages (LazyShardedTable) are not read at start-up at all: the history's index
says which file holds each page, a file is read when one of its pages is needed, and a
single page is decoded from the file's text without parsing the rest. That keeps start-up
and memory flat as the history grows: at 100,000 pages (1,000 files) start-up reads no page
file. Numbers: README "Benchmarks" (benchmarks/bench_history.py). There is no write-behind
and so no loss window: a save is on disk before it returns.

What survives a crash (AtomicJSONStorage): every write goes to a temporary file in the
same folder (created 0600), is flushed and fsync'ed, renamed over the old file with
os.replace and the folder is fsync'ed. A crash at any moment leaves each file either
as it was before the write or as it is after it, never torn: every save that returned
is there, a save that had not returned may be missing. An operation that spans files
(`clear()`) removes file by file; a crash halfway leaves some records, which another
`clear()` removes. Leftover temporary files of interrupted writes are deleted at start-up.

A file that cannot be used when it is read (empty, truncated, trailing junk, not the shape
TinyDB writes) is renamed aside to `<name>.corrupt-<UTC timestamp>`, its records are
gone from the table, and `Store.problems` says so (the history module puts that in /health
and the log). A record of valid JSON that its owner's `validate` refuses (a missing or
wrong-typed field) is moved out of its file alone, to the same kind of name.

A full or read-only disk: the store still opens (reads work), `Store.writable()` says why
writes fail (the history puts it in /health; one line in the log), start-up chores that
write are skipped, and a write raises OSError, which the API answers with 507 (full) or
503 (read-only) as JSON. A write that fails leaves its file and memory as they were.

Threads: TinyDB is not thread-safe and waitress serves on threads. `Store.lock` (one
re-entrant lock) is held around every access to every table; callers that read and then
write (the history service) hold it around the whole step. Processes: one at a time per
data directory (an flock on `store/lock`); a second gets StoreBusy, and the CLI then goes
through the running server's API instead of writing behind its back.
"""

import copy
import errno
import fcntl
import json
import logging
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from datetime import datetime, timezone
from pathlib import Path

from tinydb import TinyDB
from tinydb.middlewares import Middleware
from tinydb.storages import Storage

from .config import ensure_private_dir

log = logging.getLogger("contextcards")

SHARD_CAPACITY = 250
RECORDS = "records"
NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
_UNREAD = object()
_DECODER = json.JSONDecoder()
SHARD_FILE = re.compile(r"^(?P<group>[A-Za-z0-9_-]+)-(?P<number>\d{3,})\.json$")


class CorruptFile(Exception):
    """A store file that is not the JSON object of tables TinyDB writes."""


class StoreBusy(Exception):
    """Another process (a running server) has this data directory's store open."""


class StoreUnavailable(StoreBusy):
    """The store's folder does not exist and the disk refuses to create it (full or read-only): no history."""


# What a full or read-only disk answers a write with.
REFUSED = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM}
PROBE_EVERY = 10.0


# Data directories this process holds the store lock of: {folder: [fd, users]}.
_held: dict[Path, list[int]] = {}
_held_lock = threading.Lock()


def _acquire(root: Path) -> None:
    """One process per store: two would each cache the files and overwrite each other's saves."""
    with _held_lock:
        if root in _held:
            _held[root][1] += 1
            return
        try:
            fd = os.open(root / "lock", os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            if exc.errno not in REFUSED:
                raise
            try:  # a read-only or full disk: an existing lock file still locks
                fd = os.open(root / "lock", os.O_RDONLY)
            except FileNotFoundError:
                fd = os.open(root, os.O_RDONLY)  # lock the folder itself
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise StoreBusy(f"another process is using the history in {root.parent}") from None
        _held[root] = [fd, 1]


def _release(root: Path) -> None:
    with _held_lock:
        held = _held.get(root)
        if held:
            held[1] -= 1
            if held[1] == 0:
                os.close(held[0])
                del _held[root]


def tolerate(action) -> None:
    """Do a start-up chore that writes (make a folder, remove leftovers); a full or read-only disk skips it."""
    try:
        action()
    except OSError as exc:
        if exc.errno not in REFUSED:
            raise


def remove_leftovers(folder: Path) -> None:
    """Temporary files of writes a crash interrupted."""
    for leftover in folder.glob(".*.tmp"):
        leftover.unlink(missing_ok=True)


def fsync_dir(path: Path) -> None:
    """Make a rename or unlink in this folder durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _check_shape(data) -> None:
    if not isinstance(data, dict):
        raise CorruptFile("not a JSON object of tables")
    for name, table in data.items():
        if not isinstance(table, dict):
            raise CorruptFile(f"table {name[:40]!r} is not an object")
        for doc_id, doc in table.items():
            if not doc_id.isdigit() or not isinstance(doc, dict):
                raise CorruptFile(f"table {name[:40]!r} holds something that is not a document")


def write_atomically(path: Path, data: bytes) -> None:
    """Replace a file with data, never leaving it torn: temp file (0600), fsync, rename, fsync the folder."""
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


class AtomicJSONStorage(Storage):
    """A TinyDB storage that never leaves a torn file: temp file, flush, fsync, rename, fsync the folder.

    After a crash the file holds either the data of the last write that returned or of
    the one in progress, complete. Files are created readable by the user alone (0600).
    """

    def __init__(self, path):
        self.path = Path(path)

    def read(self):
        """The data, None when there is no file yet; CorruptFile when the file cannot be what we wrote."""
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        if not raw.strip():
            # We never write an empty file, so an empty one is damage, not "no data".
            raise CorruptFile("empty file")
        try:
            data = json.loads(raw)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorruptFile(f"not valid JSON ({exc.__class__.__name__})") from None
        _check_shape(data)
        return data

    def write(self, data) -> None:
        """Replace the file atomically with this data."""
        write_atomically(self.path, json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))

    def close(self) -> None:
        """Nothing stays open between writes."""


class WriteThroughCache(Middleware):
    """Reads come from memory after the first; every write goes straight to the storage.

    TinyDB's own CachingMiddleware delays writes (a loss window); this one does not.
    When a write fails the cache is dropped, so the next read is what is on disk.
    """

    def __init__(self, storage_cls=AtomicJSONStorage):
        super().__init__(storage_cls)
        self.cache = None

    def read(self):
        """The cached data, read from the storage the first time."""
        if self.cache is None:
            self.cache = self.storage.read()
        return self.cache

    def write(self, data) -> None:
        """Write through to the storage, then cache what was written."""
        try:
            self.storage.write(data)
        except BaseException:
            self.cache = None
            raise
        self.cache = data


class ShardedTable:
    """Records by string key across files of at most `capacity` records; a record never moves between files.

    `group_of(key, value)` names the group a new record joins (the month, for pages);
    each group is a series of numbered files. Values read here are the cached objects:
    treat them as read-only (KeyValue hands out copies).
    """

    def __init__(self, folder: Path, store: "Store", group_of=None, capacity: int = SHARD_CAPACITY):
        self.folder = folder
        self.store = store
        self.group_of = group_of or (lambda key, value: "all")
        self.capacity = capacity
        self.shards: dict[str, TinyDB] = {}
        self.counts: dict[str, int] = {}
        self.where: dict[str, tuple[str, int]] = {}
        self._load()

    def _open(self, name: str) -> TinyDB:
        return TinyDB(self.folder / name, storage=WriteThroughCache(AtomicJSONStorage))

    def _load(self) -> None:
        tolerate(lambda: ensure_private_dir(self.folder))
        tolerate(lambda: remove_leftovers(self.folder))
        for path in sorted(self.folder.glob("*.json")):
            if not SHARD_FILE.match(path.name):
                continue
            db = self._open(path.name)
            try:
                docs = db.table(RECORDS).all()
                for doc in docs:
                    if not isinstance(doc.get("key"), str) or "value" not in doc:
                        raise CorruptFile("a record without a key or value")
            except CorruptFile as exc:
                self.store.quarantine(path, str(exc))
                continue
            self.shards[path.name] = db
            self.counts[path.name] = len(docs)
            for doc in docs:
                self.where[doc["key"]] = (path.name, doc.doc_id)

    def _shard_for(self, key: str, value) -> str:
        name = self._shard_name(self.group_of(key, value))
        if name not in self.shards:
            self.shards[name] = self._open(name)
            self.counts[name] = 0
        return name

    def _shard_name(self, group: str) -> str:
        """A file of the group with room left, else the group's next new file name."""
        numbers = []
        for name, count in self.counts.items():
            match = SHARD_FILE.match(name)
            if match["group"] == group:
                if count < self.capacity:
                    return name
                numbers.append(int(match["number"]))
        return f"{group}-{max(numbers, default=0) + 1:03d}.json"

    def get(self, key: str):
        """The stored value (the cached object), or None."""
        with self.store.lock:
            place = self.where.get(key)
            if place is None:
                return None
            return self.shards[place[0]].table(RECORDS).get(doc_id=place[1])["value"]

    def put(self, key: str, value: dict) -> None:
        """Insert or replace one record; on disk when this returns."""
        if not isinstance(key, str) or not isinstance(value, dict):
            raise TypeError("keys are strings and values are JSON objects (dicts)")
        with self.store.lock:
            place = self.where.get(key)
            if place:
                self.shards[place[0]].table(RECORDS).update({"value": value}, doc_ids=[place[1]])
                return
            name = self._shard_for(key, value)
            doc_id = self.shards[name].table(RECORDS).insert({"key": key, "value": value})
            self.counts[name] += 1
            self.where[key] = (name, doc_id)

    def delete(self, key: str) -> bool:
        """Remove one record; False when there was none."""
        with self.store.lock:
            place = self.where.get(key)
            if place is None:
                return False
            name, doc_id = place
            self.shards[name].table(RECORDS).remove(doc_ids=[doc_id])
            del self.where[key]
            self.counts[name] -= 1
            if self.counts[name] == 0:
                self._drop(name)
            return True

    def _drop(self, name: str) -> None:
        (self.folder / name).unlink(missing_ok=True)
        del self.shards[name], self.counts[name]
        fsync_dir(self.folder)

    def clear(self) -> None:
        """Remove every record and every file of this table."""
        with self.store.lock:
            for name in list(self.shards):
                (self.folder / name).unlink(missing_ok=True)
            self.shards.clear()
            self.counts.clear()
            self.where.clear()
            fsync_dir(self.folder)

    def items(self) -> list[tuple[str, dict]]:
        """Every (key, value), values being the cached objects."""
        with self.store.lock:
            return [(doc["key"], doc["value"]) for db in self.shards.values() for doc in db.table(RECORDS).all()]

    def __len__(self) -> int:
        with self.store.lock:
            return len(self.where)

    def __contains__(self, key) -> bool:
        with self.store.lock:
            return key in self.where

    def files(self) -> list[Path]:
        """The table's files on disk."""
        with self.store.lock:
            return [self.folder / name for name in sorted(self.shards) if (self.folder / name).exists()]


def fingerprint(path: Path) -> list[int] | None:
    """What a file is now (size, modification time, inode): a file rewritten by os.replace never keeps all three."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return None
    return [info.st_size, info.st_mtime_ns, info.st_ino]


class BadRecord(ValueError):
    """A record of valid JSON that is not what its table stores (a missing or wrong-typed field)."""


class LazyShardedTable(ShardedTable):
    """A ShardedTable for a large history: nothing is read at start-up, a file is read when first used.

    The table keeps no directory of its own: its owner's index, which persists anyway,
    says where each key is (`adopt`) and which files it vouches for. A key not in that
    map is looked for in the other files by its exact JSON text, without parsing them,
    and a file read is then mapped in full. At most LOADED_FILES files stay parsed in
    memory (the least recently used go first).
    Reading one record does not parse its file: the file's text is kept (TEXT_FILES of
    them) and the record is decoded from where its key is. `validate(value)` raises
    BadRecord for a record that is not what the table stores: such a record is moved out
    of its file into `<file>.corrupt-<time>` when it is read, a file that is not JSON is set
    aside whole, `Store.problems` says so, and `on_set_aside(name, key or None)` is told.
    """

    LOADED_FILES = 16
    TEXT_FILES = 32

    def __init__(self, folder: Path, store: "Store", group_of=None, capacity: int = SHARD_CAPACITY,
                 validate=None, on_set_aside=None):
        self.validate = validate or (lambda value: None)
        self.on_set_aside = on_set_aside or (lambda name: None)
        self.loaded: OrderedDict[str, dict[str, int]] = OrderedDict()
        self.texts: OrderedDict[str, str] = OrderedDict()
        self.unmapped: set[str] = set()
        self.unmapped_counts: dict[str, tuple] = {}
        super().__init__(folder, store, group_of, capacity)

    def _load(self) -> None:
        tolerate(lambda: ensure_private_dir(self.folder))
        tolerate(lambda: remove_leftovers(self.folder))
        self.unmapped = {path.name for path in self.folder.glob("*.json") if SHARD_FILE.match(path.name)}

    def adopt(self, where: dict[str, str], files: set[str]) -> None:
        """The owner's map of key -> file, complete for `files` (the others are searched when a key is not found)."""
        with self.store.lock:
            self.where = where
            self.counts = {}
            for name in where.values():
                self.counts[name] = self.counts.get(name, 0) + 1
            self.unmapped -= files
            for name in files:
                self.counts.setdefault(name, 0)

    # -- files, read when used ---------------------------------------------------------------

    def _read_file(self, name: str) -> dict[str, int] | None:
        """Key -> document id of one file, read and checked now; None when the file was set aside."""
        db = self._open(name)
        try:
            keys = {}
            for doc in db.table(RECORDS).all():
                if not isinstance(doc.get("key"), str) or not isinstance(doc.get("value"), dict):
                    raise CorruptFile("a record without a key or value")
                keys[doc["key"]] = doc.doc_id
        except CorruptFile as exc:
            self.store.quarantine(self.folder / name, str(exc))
            self._forget_file(name)
            self.on_set_aside(name, None)
            return None
        if name in self.unmapped:
            self.unmapped.discard(name)
            for key in keys:
                self.where[key] = name
            self.counts[name] = len(keys)
        self.shards[name] = db
        self.loaded[name] = keys
        while len(self.loaded) > self.LOADED_FILES:
            evicted, _ = self.loaded.popitem(last=False)
            self.shards.pop(evicted, None)
        return keys

    def _forget_file(self, name: str) -> None:
        for key in [key for key, place in self.where.items() if place == name]:
            del self.where[key]
        self.counts.pop(name, None)
        self.loaded.pop(name, None)
        self.texts.pop(name, None)
        self.shards.pop(name, None)
        self.unmapped.discard(name)

    def _text(self, name: str) -> str | None:
        """The file's text, kept for reading single records; None when it cannot be had."""
        text = self.texts.get(name)
        if text is not None:
            self.texts.move_to_end(name)
            return text
        try:
            text = (self.folder / name).read_bytes().decode("utf-8")
        except (FileNotFoundError, UnicodeDecodeError):
            return None
        self.texts[name] = text
        while len(self.texts) > self.TEXT_FILES:
            self.texts.popitem(last=False)
        return text

    def _peek(self, name: str, key: str):
        """The value stored under key, decoded alone from the file's text; _UNREAD when that does not work."""
        text = self._text(name)
        needle = '{"key":' + json.dumps(key, ensure_ascii=False) + ',"value":'
        at = text.find(needle) if text else -1
        if at < 0:
            return _UNREAD
        try:
            value, _ = _DECODER.raw_decode(text, at + len(needle))
        except ValueError:
            return _UNREAD
        return value if isinstance(value, dict) else _UNREAD

    def _checked(self, name: str, key: str, value):
        """The value, or None after moving a record that is not what the table stores out of its file."""
        try:
            self.validate(value)
            return value
        except BadRecord as exc:
            self._set_aside_record(name, key, str(exc))
            return None

    def _set_aside_record(self, name: str, key: str, reason: str) -> None:
        keys = self._keys(name) or {}
        if key not in keys:
            return
        table = self.shards[name].table(RECORDS)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self.folder / f"{name}.corrupt-{stamp}"
        where = (self.folder / name).relative_to(self.store.root)
        try:
            write_atomically(aside, json.dumps(table.get(doc_id=keys[key]), ensure_ascii=False).encode("utf-8"))
            table.remove(doc_ids=[keys[key]])
            message = f"a record in store file {where} could not be used ({reason}); moved out to {aside.name}"
        except OSError as exc:
            if exc.errno not in REFUSED:
                raise
            message = f"a record in store file {where} could not be used ({reason}); left in place ({exc.strerror})"
        self.texts.pop(name, None)
        del keys[key]
        self.where.pop(key, None)
        self.counts[name] = len(keys)
        log.warning(message)
        self.store.problems.append(message)
        self.on_set_aside(name, key)

    def _keys(self, name: str) -> dict[str, int] | None:
        """Key -> document id of a file (read it if it is not in memory; {} for a file not written yet)."""
        keys = self.loaded.get(name)
        if keys is not None:
            self.loaded.move_to_end(name)
            return keys
        if not (self.folder / name).exists():
            self.shards[name] = self._open(name)
            self.loaded[name] = {}
            return self.loaded[name]
        return self._read_file(name)

    def locate(self, key: str) -> str | None:
        """The file holding key: the map, else the unmapped file whose text holds the key (then read it)."""
        name = self.where.get(key)
        if name is not None or not self.unmapped:
            return name
        needle = b'"key":' + json.dumps(key).encode()
        for candidate in sorted(self.unmapped):
            try:
                if needle in (self.folder / candidate).read_bytes():
                    self._keys(candidate)
                    return self.where.get(key)
            except FileNotFoundError:
                self.unmapped.discard(candidate)
        return None

    def _shard_for(self, key: str, value) -> str:
        group = self.group_of(key, value)
        for name in sorted(self.unmapped):
            if SHARD_FILE.match(name)["group"] == group:
                self._keys(name)  # its count is needed now
        name = self._shard_name(group)
        self.counts.setdefault(name, 0)
        return name

    # -- the table ---------------------------------------------------------------------------

    def get(self, key: str):
        """The stored value (the cached object, or a fresh one decoded from the file's text), or None."""
        with self.store.lock:
            name = self.locate(key)
            if name is None:
                return None
            if name not in self.loaded:
                value = self._peek(name, key)
                if value is not _UNREAD:
                    return self._checked(name, key, value)
            keys = self._keys(name)
            if not keys or key not in keys:
                return None
            return self._checked(name, key, self.shards[name].table(RECORDS).get(doc_id=keys[key])["value"])

    def put(self, key: str, value: dict) -> str:
        """Insert or replace one record; on disk when this returns. The name of its file."""
        if not isinstance(key, str) or not isinstance(value, dict):
            raise TypeError("keys are strings and values are JSON objects (dicts)")
        with self.store.lock:
            name = self.locate(key)
            keys = self._keys(name) if name else None
            if keys is None or key not in keys:
                name = self._shard_for(key, value)
                keys = self._keys(name)
            table = self.shards[name].table(RECORDS)
            self.texts.pop(name, None)
            if key in keys:
                table.update({"value": value}, doc_ids=[keys[key]])
            else:
                keys[key] = table.insert({"key": key, "value": value})
                self.where[key] = name
                self.counts[name] = self.counts.get(name, 0) + 1
            return name

    def delete(self, key: str) -> bool:
        """Remove one record; False when there was none."""
        with self.store.lock:
            name = self.locate(key)
            keys = self._keys(name) if name else None
            if not keys or key not in keys:
                return False
            self.texts.pop(name, None)
            if len(keys) == 1:
                self._drop(name)
                self.loaded.pop(name, None)
            else:
                self.shards[name].table(RECORDS).remove(doc_ids=[keys[key]])
                del keys[key]
                self.counts[name] -= 1
            del self.where[key]
            return True

    def clear(self) -> None:
        """Remove every record and every file."""
        with self.store.lock:
            for name in sorted(set(self.counts) | self.unmapped):
                try:
                    (self.folder / name).unlink(missing_ok=True)
                except OSError:
                    # Say exactly what is gone: the files removed so far are forgotten, the others stay.
                    for gone in [n for n in set(self.counts) | self.unmapped if not (self.folder / n).exists()]:
                        self._forget_file(gone)
                        self.on_set_aside(gone, None)
                    raise
            fsync_dir(self.folder)
            self.shards.clear()
            self.loaded.clear()
            self.texts.clear()
            self.counts.clear()
            self.where.clear()
            self.unmapped.clear()

    def file_names(self) -> list[str]:
        """The names of the table's files, oldest group first."""
        with self.store.lock:
            return sorted(set(self.counts) | self.unmapped)

    def file_items(self, name: str) -> list[tuple[str, dict]]:
        """Every (key, value) of one file (values are the cached objects)."""
        with self.store.lock:
            keys = self._keys(name) or {}
            table = self.shards[name].table(RECORDS) if keys else None
            items = [(key, table.get(doc_id=doc_id)["value"]) for key, doc_id in keys.items()]
            return [(key, value) for key, value in items if self._checked(name, key, value) is not None]

    def fingerprint(self, name: str) -> list[int] | None:
        """The file's fingerprint now, None when it does not exist."""
        return fingerprint(self.folder / name)

    def items(self) -> list[tuple[str, dict]]:
        """Every (key, value): reads every file, so only for export and maintenance."""
        with self.store.lock:
            return [item for name in self.file_names() for item in self.file_items(name)]

    def __len__(self) -> int:
        """How many records: the map's, and those of unmapped files counted in their text (no parsing)."""
        with self.store.lock:
            return len(self.where) + sum(self._count_unmapped(name) for name in self.unmapped)

    def _count_unmapped(self, name: str) -> int:
        known = self.unmapped_counts.get(name)
        now = fingerprint(self.folder / name)
        if known is None or known[0] != now:
            try:
                known = (now, (self.folder / name).read_bytes().count(b'{"key":'))
            except FileNotFoundError:
                known = (None, 0)
            self.unmapped_counts[name] = known
        return known[1]

    def files(self) -> list[Path]:
        """The table's files on disk."""
        return [self.folder / name for name in self.file_names() if (self.folder / name).exists()]


class KeyValue:
    """A small key-value table for other modules (the Wikipedia cache): values are JSON-able dicts, copied in and out."""

    def __init__(self, table: ShardedTable):
        self._table = table

    def get(self, key: str) -> dict | None:
        """A copy of the value stored under key, or None."""
        value = self._table.get(key)
        return copy.deepcopy(value) if value is not None else None

    def set(self, key: str, value: dict) -> None:
        """Store a JSON-able dict under key (replacing any old value); on disk when this returns."""
        self._table.put(key, copy.deepcopy(value))

    def delete(self, key: str) -> bool:
        """Remove key; False when it was not there."""
        return self._table.delete(key)

    def clear(self) -> None:
        """Remove every key of this table."""
        self._table.clear()

    def set_aside(self, key: str, reason: str) -> None:
        """Move a value its reader cannot use out to `<key>.corrupt-<time>` in the table's folder; Store.problems says so."""
        value = self._table.get(key)
        if value is None:
            return
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = self._table.folder / f"{re.sub(r'[^A-Za-z0-9_-]', '_', key)[:60]}.corrupt-{stamp}"
        where = self._table.folder.relative_to(self._table.store.root)
        try:
            write_atomically(aside, json.dumps({"key": key, "value": value}, ensure_ascii=False).encode("utf-8"))
            self._table.delete(key)
            message = f"a record in store table {where} could not be used ({reason}); moved out to {aside.name}"
        except OSError as exc:
            if exc.errno not in REFUSED:
                raise
            message = f"a record in store table {where} could not be used ({reason}); left in place ({exc.strerror})"
        log.warning(message)
        self._table.store.problems.append(message)

    def items(self) -> list[tuple[str, dict]]:
        """Every (key, copy of value)."""
        return [(key, copy.deepcopy(value)) for key, value in self._table.items()]

    def __len__(self) -> int:
        return len(self._table)


class Store:
    """Every table of one data directory, behind one lock; `problems` lists files set aside at start-up."""

    def __init__(self, data_dir: Path):
        self.root = Path(data_dir).resolve() / "store"
        self.lock = threading.RLock()
        self.problems: list[str] = []
        self._tables: dict[str, ShardedTable] = {}
        self._kvs: dict[str, KeyValue] = {}
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreUnavailable(f"the history folder {self.root} cannot be created ({exc.strerror})") from None
        self.unwritable: str | None = None
        self._probed = 0.0
        if not self.writable():
            log.warning("history is read-only: %s", self.unwritable)
        _acquire(self.root)
        self._open = True
        tolerate(lambda: ensure_private_dir(self.root / "kv"))

    def writable(self) -> bool:
        """Whether a file can be written in the store now (checked at most every PROBE_EVERY seconds)."""
        if time.monotonic() - self._probed >= PROBE_EVERY:
            self._probed = time.monotonic()
            try:
                os.chmod(self.root, 0o700)
                fd, probe = tempfile.mkstemp(dir=self.root, prefix=".probe.", suffix=".tmp")
                try:
                    os.write(fd, b"probe" * 200)
                finally:
                    os.close(fd)
                    os.unlink(probe)
                self.unwritable = None
            except OSError as exc:
                if exc.errno not in REFUSED:
                    raise
                self.unwritable = (f"the store at {self.root} cannot be written ({exc.strerror}): saving pages, "
                                   f"deleting and settings answer 507 or 503 until it can")
        return self.unwritable is None

    def table(self, name: str, group_of=None, capacity: int = SHARD_CAPACITY) -> ShardedTable:
        """A sharded table in its own folder (loaded on first use; the same object afterwards)."""
        return self._table(name, lambda: ShardedTable(self.root / name, self, group_of, capacity))

    def lazy_table(self, name: str, group_of=None, capacity: int = SHARD_CAPACITY, validate=None,
                   on_set_aside=None) -> LazyShardedTable:
        """A sharded table whose files are read when used (see LazyShardedTable)."""
        return self._table(name, lambda: LazyShardedTable(self.root / name, self, group_of, capacity,
                                                          validate, on_set_aside))

    def _table(self, name: str, make):
        if not NAME.match(name) or name == "kv":
            raise ValueError(f"bad table name {name!r}")
        with self.lock:
            if name not in self._tables:
                self._tables[name] = make()
            return self._tables[name]

    def kv(self, name: str) -> KeyValue:
        """A key-value table of its own: get(key), set(key, value), delete(key), clear(), items()."""
        if not NAME.match(name):
            raise ValueError(f"bad key-value table name {name!r}")
        with self.lock:
            if name not in self._kvs:
                self._kvs[name] = KeyValue(ShardedTable(self.root / "kv" / name, self))
            return self._kvs[name]

    def close(self) -> None:
        """Let another process open this store (the server does this only when it exits)."""
        if self._open:
            self._open = False
            _release(self.root)

    def quarantine(self, path: Path, reason: str) -> Path:
        """Rename an unusable file aside with a timestamp and remember why."""
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        aside = path.with_name(f"{path.name}.corrupt-{stamp}")
        try:
            os.replace(path, aside)
            fsync_dir(path.parent)
            message = (f"store file {path.relative_to(self.root)} could not be read ({reason}); "
                       f"moved aside to {aside.name} and started empty")
        except OSError as exc:
            if exc.errno not in REFUSED:
                raise
            aside = path
            message = (f"store file {path.relative_to(self.root)} could not be read ({reason}); "
                       f"left in place ({exc.strerror}) and not used")
        log.warning(message)
        self.problems.append(message)
        return aside


def get_store(app) -> Store:
    """The app's store, opened on first use (the history and Wikipedia modules share it)."""
    extensions = app.extensions
    if "contextcards_store" not in extensions:
        extensions["contextcards_store"] = Store(app.config["CC"].data_dir)
    return extensions["contextcards_store"]
