"""A fake MediaWiki on 127.0.0.1: /w/api.php answering action=query (titles, props, search) in the real API's JSON.

It follows what the real API does for the parts Context Cards uses: title normalisation
("nvidia" -> "Nvidia"), redirects (with `redirects=1`, section targets as `tofragment`),
missing and invalid titles, `pageprops` with `disambiguation` and `wikibase-shortdesc`,
intro extracts at most 20 per answer with `excontinue`, `list=search`, and both output
formats (formatversion=2 when asked, else the old one with pages keyed by id and "" flags).
Per-title failures (429 with Retry-After, 500, a slow answer, malformed JSON) and a latency
per request are configurable; every request's parameters and headers are recorded.
"""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

EXTRACTS_PER_ANSWER = 20
BAD_TITLE = set("#<>[]|{}")


@dataclass
class FakePage:
    title: str
    extract: str = ""
    description: str = ""
    disambiguation: bool = False
    pageid: int = 0


@dataclass
class Failure:
    how: str  # "status", "slow", "malformed"
    status: int = 500
    headers: tuple = ()
    delay: float = 0.0
    times: int | None = None  # None: every time


class FakeMediaWiki:
    """The server and its content; use as a context manager (it stops and joins its threads on exit)."""

    def __init__(self, latency: float = 0.0):
        self.latency = latency
        self.pages: dict[str, FakePage] = {}
        self.redirects: dict[str, str] = {}
        self.failures: dict[str, Failure] = {}
        self.requests: list[dict] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.httpd.daemon_threads = False  # server_close() joins every request thread
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05})

    # -- content ---------------------------------------------------------------------------------

    def add(self, title, extract, description="", disambiguation=False) -> FakePage:
        page = FakePage(title, extract, description, disambiguation, pageid=1000 + len(self.pages))
        self.pages[title] = page
        return page

    def redirect(self, source, target) -> None:
        """A redirect page; a target with "#" is a redirect to a section."""
        self.redirects[source] = target

    def load(self, fixture: dict) -> None:
        """Pages and redirects from data, e.g. a parsed benchmarks/devsets/wikipedia-*.toml:
        `[[page]]` tables (title, extract, description, disambiguation, redirects = [sources])."""
        for page in fixture.get("page", []):
            self.add(page["title"], page.get("extract", ""), page.get("description", ""),
                     page.get("disambiguation", False))
            for source in page.get("redirects", []):
                self.redirect(source, page["title"])

    def fail(self, title, how, **details) -> None:
        """Every request naming this title fails this way (`times` limits how often)."""
        self.failures[title] = Failure(how, **details)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/w/api.php"

    def titles_asked(self) -> list[list[str]]:
        """The titles of each query request, in order."""
        return [r["titles"].split("|") for r in self.requests if "titles" in r]

    # -- lifecycle ------------------------------------------------------------------------------

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.thread.join()
        self.httpd.server_close()

    # -- answers --------------------------------------------------------------------------------

    def failure_for(self, names) -> Failure | None:
        with self.lock:
            for name in names:
                failure = self.failures.get(name)
                if failure and failure.times != 0:
                    if failure.times is not None:
                        failure.times -= 1
                    return failure
        return None

    def answer(self, params: dict) -> dict:
        fv2 = params.get("formatversion") == "2"
        if params.get("action") != "query":
            return {"error": {"code": "badvalue", "info": "Unrecognized value for parameter \"action\"."}}
        if params.get("list") == "search":
            return self.search(params, fv2)
        return self.query(params, fv2)

    def normalize(self, title: str) -> str:
        title = " ".join(title.replace("_", " ").split())
        return title[:1].upper() + title[1:]

    def query(self, params: dict, fv2: bool) -> dict:
        props = set(params.get("prop", "").split("|"))
        query: dict = {}
        entries: list[dict] = []
        seen = set()
        for asked in params.get("titles", "").split("|"):
            if not asked.strip() or BAD_TITLE & set(asked):
                entries.append({"title": asked, "invalidreason": "The requested page title is invalid.",
                                "invalid": True})
                continue
            title = self.normalize(asked)
            if title != asked:
                query.setdefault("normalized", []).append({"fromencoded": False, "from": asked, "to": title}
                                                          if fv2 else {"from": asked, "to": title})
            if params.get("redirects") and title in self.redirects:
                target, _, fragment = self.redirects[title].partition("#")
                hop = {"from": title, "to": target}
                if fragment:
                    hop["tofragment"] = fragment
                query.setdefault("redirects", []).append(hop)
                title = target
            if title in seen:
                continue
            seen.add(title)
            page = self.pages.get(title)
            if page is None:
                entries.append({"ns": 0, "title": title, "missing": True})
                continue
            entry = {"pageid": page.pageid, "ns": 0, "title": page.title}
            if "info" in props:
                entry.update({"contentmodel": "wikitext", "pagelanguage": "en", "pagelanguagehtmlcode": "en",
                              "pagelanguagedir": "ltr", "touched": "2025-06-01T00:00:00Z",
                              "lastrevid": page.pageid * 10, "length": len(page.extract) * 3})
                if params.get("inprop", "") and "url" in params["inprop"]:
                    entry["fullurl"] = f"https://en.wikipedia.org/wiki/{page.title.replace(' ', '_')}"
            if "pageprops" in props:
                pageprops = {}
                if page.description:
                    pageprops["wikibase-shortdesc"] = page.description
                if page.disambiguation:
                    pageprops["disambiguation"] = ""
                if pageprops:
                    entry["pageprops"] = pageprops
            entries.append(entry)
        answer: dict = {"batchcomplete": True}
        if "extracts" in props:
            existing = [e for e in entries if "pageid" in e]
            limit = EXTRACTS_PER_ANSWER if params.get("exlimit") in ("max", None) else \
                min(EXTRACTS_PER_ANSWER, int(params["exlimit"]))
            offset = int(params.get("excontinue", 0))
            for entry in existing[offset:offset + limit]:
                entry["extract"] = self.pages[entry["title"]].extract
            if offset + limit < len(existing):
                answer = {"continue": {"excontinue": offset + limit, "continue": "||pageprops|info"}}
        query["pages"] = entries
        answer["query"] = query
        return answer if fv2 else _old_format(answer)

    def search(self, params: dict, fv2: bool) -> dict:
        words = params.get("srsearch", "").casefold().split()
        limit = int(params.get("srlimit", 10))
        ranked = []
        for page in self.pages.values():
            title = page.title.casefold()
            if all(w in title for w in words):
                ranked.append((0 if title == " ".join(words) else 1, page))
            elif all(w in page.extract.casefold() for w in words):
                ranked.append((2, page))
        ranked.sort(key=lambda item: (item[0], item[1].pageid))
        hits = [{"ns": 0, "title": p.title, "pageid": p.pageid, "size": len(p.extract), "wordcount": 100,
                 "snippet": f"<span class=\"searchmatch\">{p.title}</span>", "timestamp": "2025-06-01T00:00:00Z"}
                for _, p in ranked[:limit]]
        answer = {"batchcomplete": True, "query": {"searchinfo": {"totalhits": len(ranked)}, "search": hits}}
        return answer if fv2 else _old_format(answer)


def _old_format(answer: dict) -> dict:
    """formatversion=1: pages keyed by id (missing ones -1, -2, ...), true flags written as ""."""
    def flags(item):
        return {k: ("" if v is True else v) for k, v in item.items() if v is not False}

    old = {k: ("" if v is True else v) for k, v in answer.items() if k != "query"}
    query = dict(answer["query"])
    if isinstance(query.get("pages"), list):
        pages, missing = {}, 0
        for page in query["pages"]:
            if "pageid" in page:
                pages[str(page["pageid"])] = flags(page)
            else:
                missing -= 1
                pages[str(missing)] = flags(page)
        query["pages"] = pages
    old["query"] = query
    return old


def _handler(wiki: FakeMediaWiki):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            """Quiet: the tests read `wiki.requests` instead."""

        def do_GET(self):
            url = urlsplit(self.path)
            if url.path != "/w/api.php":
                return self.send(404, b"Not Found", "text/plain")
            params = {k: v[0] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            with wiki.lock:
                wiki.requests.append({**params, "_user_agent": self.headers.get("User-Agent", "")})
            if wiki.latency:
                wiki.stopping.wait(wiki.latency)
            names = params.get("titles", "").split("|") + [params.get("srsearch", "")]
            failure = wiki.failure_for(names)
            if failure and failure.how == "status":
                return self.send(failure.status, b"<html><body>Error</body></html>", "text/html",
                                 dict(failure.headers))
            if failure and failure.how == "malformed":
                return self.send(200, b'{"batchcomplete": true, "query": {"pages": [', "application/json")
            if failure and failure.how == "slow":
                wiki.stopping.wait(failure.delay)
            answer = wiki.answer(params)
            body = json.dumps(answer, ensure_ascii=params.get("formatversion") != "2").encode("utf-8")
            self.send(200, body, "application/json; charset=utf-8")

        def send(self, status, body, content_type, headers=None):
            try:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up (its timeout): nothing to answer

    return Handler
