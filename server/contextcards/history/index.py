"""The history's search index: the words, cards, site and time of every saved page, kept beside the pages.

Why it persists: reading 100,000 pages to build it took seven seconds at every start-up.
Now start-up maps one snapshot file and replays a short journal, and reads no page file.

In memory, each saved version of a page is a "doc" (a number; a page saved again gets a
new one and its old doc dies), with numpy arrays of its last visit, site and file, and
per word and per card the docs holding it (`Postings`: the snapshot's sorted postings
plus what was added since). A search is a few boolean masks over the docs.

On disk, in `store/pages-index/`:
- `snapshot.bin`: a JSON header (page ids, sites, files, words, cards, each page file's
  fingerprint, the journal entry it covers, a CRC-32) and the arrays, mapped, not read;
- `journal`: one line per save since the snapshot (what it changed, with a CRC-32),
  appended before the save returns; a line cut short by a crash is cut off at the next
  start. At SNAPSHOT_EVERY lines, and when the server exits, a new
  snapshot is written (in the background) and the journal shortened (atomically).
What survives a crash: every page file's fingerprint (size, mtime, inode) is in the index;
at start-up each file is stat'ed and one that is not what the index says (a crash between
the page file and the journal, a file set aside, a lost journal) is "unindexed": a
background thread reads it and indexes it again (a search meanwhile helps, so it answers
slower but complete) and /health says "indexing". A missing or corrupt snapshot unindexes
every file.

Words: the title, URL, card ids and titles, mentions and sentences, case-folded, cut at
anything that is not a letter or digit; Chinese, Japanese and Korean characters are each a
word. A query word matches every word that starts with it ("chip" finds "chips").
"""

import bisect
import json
import logging
import mmap
import os
import re
import threading
import zlib
from array import array
from pathlib import Path

import numpy as np

from ..config import ensure_private_dir
from ..store import remove_leftovers, tolerate, write_atomically
from .record import from_ms, site_matches, to_ms

log = logging.getLogger("contextcards")

SNAPSHOT_EVERY = 250
CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff"
TOKEN = re.compile(rf"[^\W{CJK}]+|[{CJK}]")
MAGIC = b"CCIDX1\n"


def words(text: str) -> list[str]:
    """The words of a text as the index keeps them."""
    return TOKEN.findall(text.casefold())


def page_words(page: dict) -> set[str]:
    """Every word search finds a page by."""
    parts = [page["title"], page["url"]]
    for mention in page["mentions"]:
        parts += [mention["card"], mention["card_title"], mention["text"], mention["sentence"]]
    return set(words("\n".join(parts)))


def entry_of(page: dict) -> list:
    """What the index keeps of a page: [last visit in ms, site, cards, words]."""
    return [to_ms(page["last_visit"]), page["site"], sorted({m["card"] for m in page["mentions"]}),
            sorted(page_words(page))]


class Postings:
    """Docs per key: the snapshot's (sorted keys, offsets, docs) plus lists of docs added since."""

    def __init__(self, keys: list[str] | None = None, offsets=None, docs=None):
        self.keys = keys or []
        self.ids = {key: n for n, key in enumerate(self.keys)}
        self.offsets = offsets if offsets is not None else np.zeros(1, np.int64)
        self.docs = docs if docs is not None else np.zeros(0, np.int32)
        self.added: dict[str, array] = {}  # 4 bytes a doc: a full rebuild of 100,000 pages adds millions
        self.added_keys: list[str] = []  # the keys of `added`, sorted

    def get(self, key: str) -> np.ndarray:
        """Every doc ever given this key (dead ones too: callers mask with `alive`)."""
        parts = []
        n = self.ids.get(key)
        if n is not None:
            parts.append(self.docs[self.offsets[n]:self.offsets[n + 1]])
        if key in self.added:
            parts.append(np.array(self.added[key], np.int32))
        return np.concatenate(parts) if len(parts) > 1 else parts[0] if parts else self.docs[:0]

    def with_prefix(self, prefix: str) -> list[np.ndarray]:
        """The docs of every key starting with prefix (one slice for the snapshot's keys)."""
        end = prefix + "\U0010ffff"
        low, high = bisect.bisect_left(self.keys, prefix), bisect.bisect_left(self.keys, end)
        found = [self.docs[self.offsets[low]:self.offsets[high]]] if high > low else []
        low, high = bisect.bisect_left(self.added_keys, prefix), bisect.bisect_left(self.added_keys, end)
        return found + [np.array(self.added[key], np.int32) for key in self.added_keys[low:high]]

    def add(self, key: str, doc: int) -> None:
        if key not in self.added:
            self.added[key] = array("i")
            bisect.insort(self.added_keys, key)
        self.added[key].append(doc)

    def capture(self) -> tuple:
        """What a snapshot needs, taken under the lock: later additions (appended) do not change it."""
        return self.keys, self.offsets, self.docs, self.added, {key: len(docs) for key, docs in self.added.items()}

    @staticmethod
    def merged(captured: tuple, alive: np.ndarray) -> tuple[list[str], np.ndarray, np.ndarray]:
        """Sorted keys, offsets and docs of live docs only, from a capture (numpy, outside the lock)."""
        keys, offsets, docs, added, lengths = captured
        every = sorted(set(keys) | set(lengths))
        number = {key: n for n, key in enumerate(every)}
        base_ids = np.asarray([number[key] for key in keys], np.int64)
        key_ids = [np.repeat(base_ids, np.diff(offsets)) if len(keys) else np.zeros(0, np.int64)]
        all_docs = [np.asarray(docs, np.int32)]
        for key, length in lengths.items():
            key_ids.append(np.full(length, number[key], np.int64))
            all_docs.append(np.array(added[key][:length], np.int32))
        key_ids, all_docs = np.concatenate(key_ids), np.concatenate(all_docs)
        live = alive[all_docs]
        key_ids, all_docs = key_ids[live], all_docs[live]
        order = np.lexsort((all_docs, key_ids))
        key_ids, all_docs = key_ids[order], all_docs[order]
        used = np.unique(key_ids)
        kept = [every[n] for n in used]
        new_offsets = np.searchsorted(key_ids, used).astype(np.int64)
        return kept, np.append(new_offsets, len(all_docs)).astype(np.int64), all_docs


class SearchIndex:
    """Docs, postings, file fingerprints and the journal of one history; every method runs under the store lock."""

    def __init__(self, folder: Path, lock):
        self.folder = folder
        self.lock = lock
        tolerate(lambda: ensure_private_dir(folder))
        tolerate(lambda: remove_leftovers(folder))
        self.snapshot_path = folder / "snapshot.bin"
        self.journal_path = folder / "journal"
        self.unindexed: set[str] = set()
        self.writing = False
        self.generation = 0  # one more at each clear()
        self.snapshot_lock = threading.Lock()
        self._empty()
        self._load()

    def _empty(self) -> None:
        self.size = 0
        self.times = np.zeros(1024, np.int64)
        self.site_of = np.zeros(1024, np.int32)
        self.file_of = np.zeros(1024, np.int32)
        self.alive = np.zeros(1024, bool)
        self.page_ids: list[str] = []
        self.doc_of: dict[str, int] = {}
        self.sites: list[str] = []
        self.site_ids: dict[str, int] = {}
        self.files: list[str] = []
        self.file_ids: dict[str, int] = {}
        self.fingerprints: dict[str, list | None] = {}
        self.words = Postings()
        self.cards = Postings()
        self.seq = 0
        self.snapshot_seq = 0
        self.journal: list[dict] = []

    # -- start-up ----------------------------------------------------------------------------

    def _load(self) -> None:
        try:
            self._read_snapshot()
        except FileNotFoundError:
            pass
        except (ValueError, KeyError, TypeError, OSError) as exc:
            log.warning("history index: the snapshot could not be read (%s); rebuilding", exc.__class__.__name__)
            self._empty()
            self.fingerprints = {}
        entries = self._read_journal()
        for entry in entries:
            # Only the lines that continue the snapshot: a journal without its snapshot vouches for nothing.
            if entry["s"] == self.seq + 1:
                self._replay(entry)
            elif entry["s"] > self.seq:
                break
        if len(self.journal) != len(entries):
            # New lines are numbered after every old one, and the journal keeps only what was replayed.
            self.seq = max([self.seq] + [entry["s"] for entry in entries])
            try:
                self._write_journal()
            except OSError as exc:
                log.error("history index: could not rewrite the journal (%s)", exc.strerror or type(exc).__name__)

    def _read_journal(self) -> list[dict]:
        """The journal's entries up to the first damaged line, which (with anything after it) is cut off."""
        try:
            raw = self.journal_path.read_bytes()
        except FileNotFoundError:
            return []
        entries, good = [], 0
        for line in raw.splitlines(keepends=True):
            checksum, _, text = line.rstrip(b"\n").partition(b" ")
            try:
                if not line.endswith(b"\n") or int(checksum, 16) != zlib.crc32(text):
                    raise ValueError("checksum")
                entry = json.loads(text)
                if not isinstance(entry.get("s"), int) or not isinstance(entry.get("f"), str):
                    raise ValueError("not an entry")
            except (ValueError, AttributeError):
                # A save that had not returned (or damage): its page file is checked like any other.
                log.warning("history index: the journal ends in a damaged entry; checking the files")

                def cut() -> None:
                    with open(self.journal_path, "r+b") as handle:
                        handle.truncate(good)
                        os.fsync(handle.fileno())
                tolerate(cut)
                break
            entries.append(entry)
            good += len(line)
        return entries

    def _read_snapshot(self) -> None:
        with open(self.snapshot_path, "rb") as handle:
            data = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
        if data[:len(MAGIC)] != MAGIC:
            raise ValueError("not a snapshot")
        header_length = int.from_bytes(data[len(MAGIC):len(MAGIC) + 8], "little")
        start = len(MAGIC) + 8
        header = json.loads(data[start:start + header_length])
        body = start + header_length
        if zlib.crc32(memoryview(data)[body:]) != header["crc"]:
            raise ValueError("checksum")
        arrays = {name: np.frombuffer(data, dtype=kind, count=count, offset=body + offset)
                  for name, (kind, offset, count) in header["arrays"].items()}
        size = header["docs"]
        capacity = max(1024, size * 5 // 4)
        self.size = size
        for name in ("times", "site_of", "file_of", "alive"):
            grown = np.zeros(capacity, arrays[name].dtype)
            grown[:size] = arrays[name]
            setattr(self, name, grown)
        self.page_ids = header["page_ids"]
        self.doc_of = {self.page_ids[doc]: int(doc) for doc in np.flatnonzero(self.alive[:size])}
        self.sites = header["sites"]
        self.site_ids = {site: n for n, site in enumerate(self.sites)}
        self.files = header["files"]
        self.file_ids = {name: n for n, name in enumerate(self.files)}
        self.fingerprints = header["fingerprints"]
        self.words = Postings(header["words"], arrays["word_offsets"], arrays["word_docs"])
        self.cards = Postings(header["cards"], arrays["card_offsets"], arrays["card_docs"])
        self.seq = self.snapshot_seq = header["seq"]

    def _replay(self, entry: dict) -> None:
        self.seq = entry["s"]
        self._remove(entry["p"])
        if entry["e"] is not None:
            self._add(entry["p"], entry["f"], entry["e"])
        self.fingerprints[entry["f"]] = entry["fp"]
        self.journal.append(entry)

    def where(self) -> dict[str, str]:
        """Page id -> file of every indexed page."""
        docs = np.flatnonzero(self.alive[:self.size])
        files = self.files
        return dict(zip((self.page_ids[doc] for doc in docs.tolist()),
                        (files[n] for n in self.file_of[docs].tolist())))

    def check_files(self, on_disk: dict[str, list | None]) -> set[str]:
        """Unindex every file whose fingerprint is not the one indexed; the files to read again."""
        with self.lock:
            for name in set(on_disk) | set(self.fingerprints):
                if on_disk.get(name) != self.fingerprints.get(name):
                    self.drop_file(name)
                    if on_disk.get(name) is not None:
                        self.unindexed.add(name)
            return set(self.unindexed)

    # -- changes -----------------------------------------------------------------------------

    def _grow(self) -> None:
        if self.size == len(self.times):
            for name in ("times", "site_of", "file_of", "alive"):
                old = getattr(self, name)
                grown = np.zeros(len(old) * 2, old.dtype)
                grown[:len(old)] = old
                setattr(self, name, grown)

    def _id(self, value: str, ids: dict, values: list) -> int:
        if value not in ids:
            ids[value] = len(values)
            values.append(value)
        return ids[value]

    def _add(self, page_id: str, file: str, entry: list) -> None:
        last, site, cards, page_words_ = entry
        self._grow()
        doc = self.size
        self.size += 1
        self.times[doc] = last
        self.site_of[doc] = self._id(site, self.site_ids, self.sites)
        self.file_of[doc] = self._id(file, self.file_ids, self.files)
        self.alive[doc] = True
        self.page_ids.append(page_id)
        self.doc_of[page_id] = doc
        for card in cards:
            self.cards.add(card, doc)
        for word in page_words_:
            self.words.add(word, doc)

    def _remove(self, page_id: str) -> None:
        doc = self.doc_of.pop(page_id, None)
        if doc is not None:
            self.alive[doc] = False

    def drop_page(self, page_id: str) -> None:
        """Forget one page (its record was set aside)."""
        with self.lock:
            self._remove(page_id)

    def drop_file(self, name: str) -> None:
        """Forget every page of a file (set aside, or not what the index says)."""
        with self.lock:
            self.fingerprints.pop(name, None)
            file_id = self.file_ids.get(name)
            if file_id is None:
                return
            for doc in np.flatnonzero(self.alive[:self.size] & (self.file_of[:self.size] == file_id)):
                self.doc_of.pop(self.page_ids[doc], None)
                self.alive[doc] = False

    def index_file(self, name: str, pages, fingerprint) -> None:
        """Index every page of a file read again (no journal: a crash before the next snapshot reads it again)."""
        with self.lock:
            self.drop_file(name)
            for page in pages:
                self._add(page["id"], name, entry_of(page))
            self.fingerprints[name] = fingerprint
            self.unindexed.discard(name)

    def put(self, page: dict, file: str, fingerprint) -> None:
        """A page saved in a file (now with this fingerprint): in the index and in the journal when this returns."""
        with self.lock:
            if file in self.unindexed:
                return  # the rebuild reads the file as it is then
            self._remove(page["id"])
            entry = entry_of(page)
            self._add(page["id"], file, entry)
            self._log({"p": page["id"], "f": file, "fp": fingerprint, "e": entry})

    def delete(self, page_id: str, file: str, fingerprint) -> None:
        """A page deleted from a file (fingerprint None when the file went with it)."""
        with self.lock:
            self._remove(page_id)
            if file not in self.unindexed:
                self._log({"p": page_id, "f": file, "fp": fingerprint, "e": None})

    def clear(self) -> None:
        """No pages: an empty snapshot and journal, on disk when this returns."""
        with self.lock:
            seq = self.seq
            self._empty()
            self.seq = self.snapshot_seq = seq  # numbers never go back: a journal line is never taken for another
            self.generation += 1
            self.unindexed.clear()
            try:
                with self.snapshot_lock:
                    self._write_snapshot(self._capture())
                self._write_journal()
            except OSError as exc:
                # An old index on disk would vouch for files that are gone: better none (read again at start).
                log.error("history index: could not write an empty index (%s)", exc.strerror or type(exc).__name__)
                tolerate(lambda: [path.unlink(missing_ok=True) for path in (self.snapshot_path, self.journal_path)])

    def _log(self, entry: dict) -> None:
        self.seq += 1
        entry["s"] = self.seq
        self.fingerprints[entry["f"]] = entry["fp"]
        try:
            self._append_journal(entry)
        except OSError as exc:
            # The page file is saved and indexed in memory; at the next start its fingerprint is not the
            # journal's, so it is read again.
            log.error("history index: could not write the journal (%s)", exc.strerror or type(exc).__name__)
            return
        self.journal.append(entry)
        if len(self.journal) >= SNAPSHOT_EVERY and not self.writing:
            self.snapshot_in_background()

    @staticmethod
    def _line(entry: dict) -> bytes:
        text = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        return b"%08x %s\n" % (zlib.crc32(text), text)

    def _append_journal(self, entry: dict) -> None:
        """One line. Not fsync'ed: the page file is, and a line a power cut loses leaves that file's
        fingerprint unlike the index's, so the file is read again at the next start."""
        fd = os.open(self.journal_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, self._line(entry))
        finally:
            os.close(fd)

    def _write_journal(self) -> None:
        """The journal replaced by the entries in memory (after a snapshot covered the others)."""
        write_atomically(self.journal_path, b"".join(self._line(entry) for entry in self.journal))

    def close(self) -> None:
        """A snapshot of what the journal holds, so the next start replays nothing."""
        with self.lock:
            if self.journal and not self.writing:
                try:
                    self._snapshot_job(self._capture())
                except OSError:
                    pass

    # -- snapshots ---------------------------------------------------------------------------

    def _capture(self) -> dict:
        size = self.size
        return {"seq": self.seq, "generation": self.generation, "docs": size, "times": self.times[:size].copy(), "site_of": self.site_of[:size].copy(),
                "file_of": self.file_of[:size].copy(), "alive": self.alive[:size].copy(),
                "page_ids": list(self.page_ids), "sites": list(self.sites), "files": list(self.files),
                "fingerprints": dict(self.fingerprints), "words": self.words.capture(),
                "cards": self.cards.capture()}

    def snapshot_in_background(self) -> None:
        """Write a snapshot of the index as it is now, without holding the lock while writing."""
        with self.lock:
            captured = self._capture()
            self.writing = True
        threading.Thread(target=self._snapshot_job, args=(captured,), name="history-index-snapshot",
                         daemon=True).start()

    def _snapshot_job(self, captured: dict) -> None:
        try:
            with self.snapshot_lock:
                if captured["generation"] != self.generation:
                    return  # the history was cleared meanwhile: this snapshot is of pages gone
                self._write_snapshot(captured)
        except OSError as exc:
            log.error("history index: could not write a snapshot (%s)", exc.strerror or type(exc).__name__)
        else:
            with self.lock:
                if captured["generation"] == self.generation:
                    self.snapshot_seq = max(self.snapshot_seq, captured["seq"])
                    self.journal = [entry for entry in self.journal if entry["s"] > captured["seq"]]
                    try:
                        self._write_journal()
                    except OSError as exc:
                        log.error("history index: could not shorten the journal (%s)",
                                  exc.strerror or type(exc).__name__)
        finally:
            with self.lock:
                self.writing = False

    def _write_snapshot(self, captured: dict) -> None:
        alive = captured["alive"]
        words_ = Postings.merged(captured["words"], alive)
        cards_ = Postings.merged(captured["cards"], alive)
        arrays = {"times": captured["times"], "site_of": captured["site_of"], "file_of": captured["file_of"],
                  "alive": alive, "word_offsets": words_[1], "word_docs": words_[2],
                  "card_offsets": cards_[1], "card_docs": cards_[2]}
        layout, offset, chunks = {}, 0, []
        for name, array in arrays.items():
            raw = np.ascontiguousarray(array).tobytes()
            layout[name] = [array.dtype.str, offset, len(array)]
            padding = -len(raw) % 8
            chunks += [raw, b"\0" * padding]
            offset += len(raw) + padding
        body = b"".join(chunks)
        header = json.dumps({"seq": captured["seq"], "docs": captured["docs"], "page_ids": captured["page_ids"],
                             "sites": captured["sites"], "files": captured["files"],
                             "fingerprints": captured["fingerprints"], "words": words_[0], "cards": cards_[0],
                             "arrays": layout, "crc": zlib.crc32(body)},
                            ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
        header += b" " * (-(len(MAGIC) + 8 + len(header)) % 8)
        write_atomically(self.snapshot_path, MAGIC + len(header).to_bytes(8, "little") + header + body)

    # -- queries -----------------------------------------------------------------------------

    def matching(self, terms: list[str], entity: str | None, site: str | None,
                 since: int | None, until: int | None) -> np.ndarray:
        """The live docs matching every filter (unordered)."""
        size = self.size
        mask = self.alive[:size].copy()
        if entity is not None:
            mask &= self._mask([self.cards.get(entity)], size)
        for term in terms:
            mask &= self._mask(self.words.with_prefix(term), size)
        if site:
            ids = [n for n, name in enumerate(self.sites) if site_matches(name, site)]
            mask &= np.isin(self.site_of[:size], ids)
        if since is not None:
            mask &= self.times[:size] >= since
        if until is not None:
            mask &= self.times[:size] <= until
        return np.flatnonzero(mask)

    @staticmethod
    def _mask(parts: list[np.ndarray], size: int) -> np.ndarray:
        mask = np.zeros(size, bool)
        for docs in parts:
            mask[docs[docs < size]] = True
        return mask

    def newest(self, docs: np.ndarray, count: int, cursor: tuple[str, str] | None) -> list[tuple[int, str]]:
        """(last visit, page id) of the `count` newest docs after the cursor (and any tied with the last)."""
        times = self.times[docs]
        if cursor is not None:
            try:
                at = to_ms(cursor[0])
            except ValueError:  # an edited cursor: the caller's rule, one by one
                return [(ms, self.page_ids[doc]) for ms, doc in zip(times.tolist(), docs.tolist())
                        if (from_ms(ms), self.page_ids[doc]) < cursor]
            ties = [doc for doc in docs[times == at].tolist() if self.page_ids[doc] < cursor[1]]
            keep = times < at
            docs = np.concatenate([docs[keep], np.asarray(ties, docs.dtype)])
            times = self.times[docs]
        if len(docs) > count:
            kth = np.partition(times, len(times) - count)[len(times) - count]
            keep = times >= kth
            docs, times = docs[keep], times[keep]
        return [(ms, self.page_ids[doc]) for ms, doc in zip(times.tolist(), docs.tolist())]

    def card_docs(self, card: str) -> np.ndarray:
        """The live docs that showed a card."""
        docs = self.cards.get(card)
        docs = docs[docs < self.size]
        return docs[self.alive[docs]]

    def status(self) -> str:
        return "indexing" if self.unindexed else "ready"


def iso_weeks(times_ms: np.ndarray) -> list[tuple[str, int]]:
    """(ISO week, count) of moments given in ms since 1970, oldest week first."""
    if not len(times_ms):
        return []
    days = np.floor_divide(times_ms, 86_400_000)
    weekday = (days + 3) % 7  # 1970-01-01 was a Thursday; Monday is 0
    thursday = days - weekday + 3
    years = thursday.astype("datetime64[D]").astype("datetime64[Y]")
    week = (thursday - years.astype("datetime64[D]").astype(np.int64)) // 7 + 1
    keys, counts = np.unique(years.astype(np.int64) * 100 + week, return_counts=True)
    return [(f"{1970 + key // 100:04d}-W{key % 100:02d}", int(count)) for key, count in zip(keys, counts)]
