"""The Wikipedia client: the only module that talks to the network, through the wikipedia-api package.

One batched `action=query` answers up to 50 titles at once (existence, redirects,
normalisation, disambiguation, short description and intro extract); MediaWiki hands
out at most 20 intro extracts per answer, so 30 titles cost two requests (the second
one continues the first). Answers become plain `PageResult` records and every extract
becomes a plain-text summary here, so nothing from Wikipedia leaves this module as markup.

Failure is normal (no network, a captive portal, a busy server): the library's own
retries are off, timeouts are short, and any failed request pauses every lookup for
a minute (`Breaker`); a 429 pauses them for as long as its Retry-After asks.
"""

import logging
import re
import threading
import time
from dataclasses import dataclass

import httpx
import wikipediaapi
from wikipediaapi import WikipediaException, WikiRateLimitError

from .. import __version__
from .text import plain_text, summarize

log = logging.getLogger("contextcards")

USER_AGENT = f"ContextCards/{__version__} (https://github.com/contextcards/contextcards; local reading assistant)"
# Interactive use: a reader is waiting. The library's default is 10 s with 3 retries.
TIMEOUT = httpx.Timeout(2.0, connect=1.0)
MAX_TITLES = 50
# 50 titles at 20 extracts per answer is 3 requests; a server that keeps continuing is cut off.
MAX_REQUESTS_PER_BATCH = 4
FAILURE_PAUSE = 60.0
MAX_RETRY_AFTER = 600.0
BAD_TITLE_CHARS = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f]")


class Unavailable(Exception):
    """Lookups cannot be made now (offline, paused, or this request failed); nothing should be cached."""


@dataclass(frozen=True)
class PageResult:
    """What MediaWiki said about one asked title.

    status: found, missing (an invalid title too), disambiguation, or unusable (a redirect
    to a section, a double redirect, another namespace, a page with no text). `title` is the canonical title
    after normalisation and redirects.
    """

    asked: str
    status: str
    title: str | None = None
    summary: str = ""
    description: str = ""
    redirected: bool = False


def normalize_title(text: str) -> str | None:
    """The title MediaWiki would look up for a name (first letter upper case), or None if it cannot be one."""
    title = " ".join(text.replace("_", " ").split())
    if title[:4] == "the ":
        title = title[4:]
    for suffix in ("'s", "\u2019s"):
        if title.endswith(suffix):
            title = title[: -len(suffix)]
    if not title or BAD_TITLE_CHARS.search(title) or len(title.encode("utf-8")) > 255:
        return None
    if not any(c.isalpha() for c in title):
        return None
    return title[0].upper() + title[1:]


class Breaker:
    """Pauses every lookup after a failure: one failed request, not a 10-second timeout per name."""

    def __init__(self, clock=time.monotonic):
        self.clock = clock
        self.lock = threading.Lock()
        self.paused_until = 0.0
        self.reason = ""

    def closed(self) -> bool:
        """Whether requests may be sent now (after a pause, the next request is the probe)."""
        with self.lock:
            return self.clock() >= self.paused_until

    def remaining(self) -> float:
        """Seconds until lookups resume (0 when they are on)."""
        with self.lock:
            return max(0.0, self.paused_until - self.clock())

    def trip(self, seconds: float, reason: str) -> None:
        """Pause lookups for this long (a longer pause already running is kept)."""
        with self.lock:
            self.paused_until = max(self.paused_until, self.clock() + seconds)
            self.reason = reason
        log.warning("Wikipedia lookups paused for %d s: %s", seconds, reason)


class MediaWiki(wikipediaapi.Wikipedia):
    """wikipedia-api's client pointed at any api.php (a mirror, a test server), without retries."""

    def __init__(self, api_url: str, timeout=TIMEOUT, transport=None):
        extra = {"transport": transport} if transport is not None else {}
        super().__init__(user_agent=USER_AGENT, language="en", max_retries=0, timeout=timeout, **extra)
        self.api_url = api_url

    def _build_url(self, language: str) -> str:
        """The library builds https://{language}.wikipedia.org/w/api.php; we use the configured endpoint."""
        return self.api_url


class WikipediaClient:
    """Batched page lookups and title search, behind the breaker; every failure raises Unavailable."""

    def __init__(self, api_url: str, breaker: Breaker | None = None, timeout=TIMEOUT, transport=None):
        # The library and httpx log every request URL at INFO: that would put the names a reader
        # met (private windows included) into the server's log.
        for name in ("wikipediaapi", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.WARNING)
        self.wiki = MediaWiki(api_url, timeout, transport)
        self.breaker = breaker or Breaker()
        self.requests = 0
        self.closed = False

    def close(self) -> None:
        """Send nothing more, and close the HTTP connections (the library has no close of its own)."""
        self.closed = True
        self.wiki._client.close()

    def _call(self, send):
        """Send one request (unless paused); any failure trips the breaker and raises Unavailable."""
        # The main thread stops before Python joins the pool's threads at exit: a job then ends
        # after its current request instead of holding the exit up for the rest of its searches.
        if self.closed or not threading.main_thread().is_alive():
            raise Unavailable("closing")
        if not self.breaker.closed():
            raise Unavailable(f"lookups paused: {self.breaker.reason}")
        self.requests += 1
        try:
            return send()
        except WikiRateLimitError as exc:
            wait = FAILURE_PAUSE if exc.retry_after is None else min(float(exc.retry_after), MAX_RETRY_AFTER)
            self.breaker.trip(max(wait, 1.0), "rate limited (429)")
            raise Unavailable("rate limited") from None
        except (WikipediaException, httpx.HTTPError, httpx.InvalidURL, ValueError, KeyError, TypeError) as exc:
            # Connection refused, timeout, 5xx, a body that is not JSON, JSON that is not an answer.
            reason = f"{type(exc).__name__} from {self.wiki.api_url}"
            self.breaker.trip(FAILURE_PAUSE, reason)
            raise Unavailable(reason) from None

    def _query(self, params: dict) -> dict:
        """One action=query request through the library's own path (its client, headers, timeouts, errors)."""
        raw = self._call(lambda: self.wiki._get(self.wiki.language, self.wiki._construct_params_standalone(params)))
        if not isinstance(raw, dict) or "error" in raw or not isinstance(raw.get("query"), dict):
            # A 200 that is not a query answer: an API error, or a captive portal's page that happens to be JSON.
            self.breaker.trip(FAILURE_PAUSE, "unexpected answer")
            raise Unavailable("unexpected answer")
        return raw

    def fetch(self, titles: list[str]) -> dict[str, PageResult]:
        """Look up to 50 titles in one batch (plus continuations for the extracts); keyed by asked title."""
        titles = list(dict.fromkeys(titles))[:MAX_TITLES]
        if not titles:
            return {}
        base = {"action": "query", "prop": "extracts|pageprops|info", "titles": "|".join(titles),
                "exintro": 1, "explaintext": 1, "exlimit": "max", "ppprop": "disambiguation|wikibase-shortdesc",
                "redirects": 1, "converttitles": 1, "formatversion": 2}
        params, pages, hops = base, {}, {"normalized": {}, "converted": {}, "redirects": {}}
        for _ in range(MAX_REQUESTS_PER_BATCH):
            raw = self._query(params)
            _merge(raw["query"], pages, hops)
            more = raw.get("continue")
            if not isinstance(more, dict) or not more:
                break
            params = {**base, **{k: v for k, v in more.items() if isinstance(v, (str, int))}}
        return {title: _result(title, pages, hops) for title in titles}

    def search(self, text: str, limit: int = 5) -> list[str]:
        """Titles of the best full-text matches for a name, best first (the library's own search call)."""
        found = self._call(lambda: self.wiki.search(text, limit=limit))
        return [title for title in found.pages if isinstance(title, str)]


def _merge(query: dict, pages: dict, hops: dict) -> None:
    """Fold one answer (or continuation) into pages by title and the title hops by kind."""
    raw_pages = query.get("pages", [])
    # formatversion=2 gives a list; a server that ignores it gives the old {pageid: page} object.
    for page in raw_pages.values() if isinstance(raw_pages, dict) else raw_pages:
        if isinstance(page, dict) and isinstance(page.get("title"), str):
            merged = pages.setdefault(page["title"], {})
            merged.update({k: v for k, v in page.items() if k not in merged or v not in ("", None)})
    for kind, table in hops.items():
        for hop in query.get(kind) or []:
            if isinstance(hop, dict) and isinstance(hop.get("from"), str) and isinstance(hop.get("to"), str):
                table[hop["from"]] = (hop["to"], hop.get("tofragment"))


def _flag(page: dict, name: str) -> bool:
    """A boolean as either format writes it: true (formatversion=2) or "" (formatversion=1)."""
    return name in page and page[name] is not False


def _result(asked: str, pages: dict, hops: dict) -> PageResult:
    """Follow normalisation, variant conversion and one redirect to the page, and say what it is."""
    title = hops["normalized"].get(asked, (asked, None))[0]
    title = hops["converted"].get(title, (title, None))[0]
    redirected, fragment = title in hops["redirects"], None
    if redirected:
        title, fragment = hops["redirects"][title]
    page = pages.get(title)
    if page is None or _flag(page, "missing") or _flag(page, "invalid"):
        return PageResult(asked, "missing")
    props = page.get("pageprops") if isinstance(page.get("pageprops"), dict) else {}
    if "disambiguation" in props:
        return PageResult(asked, "disambiguation", title, redirected=redirected)
    extract = page.get("extract") if isinstance(page.get("extract"), str) else ""
    description = props.get("wikibase-shortdesc") if isinstance(props.get("wikibase-shortdesc"), str) else ""
    summary, description = summarize(extract), plain_text(description)[:200]
    # A redirect to a section is about something narrower than its page; a double redirect or
    # another namespace is not an article; a page with no text has nothing to show.
    if fragment or _flag(page, "redirect") or page.get("ns", 0) != 0 or not (summary or description):
        return PageResult(asked, "unusable", title, redirected=redirected)
    return PageResult(asked, "found", title, summary or description, description, redirected)
