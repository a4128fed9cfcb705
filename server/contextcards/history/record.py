"""What a history record holds: the canonical URL, the site, and per card shown its mention and sentence.

Never the page's text: only, for each card shown, the mention, the sentence around it
(at most MAX_SENTENCE characters, an exact substring of the block) and its offsets.
"""

import hashlib
import re
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from ..knowledge import wikipedia_url

MAX_SENTENCE = 240
SEARCH = 4 * MAX_SENTENCE  # how far from a mention its sentence's ends are looked for
QUOTE_CONTEXT = 32
# Click and campaign identifiers: they say how the reader arrived, not what they read.
TRACKING_PARAMS = {"fbclid", "gclid", "dclid", "gbraid", "wbraid", "msclkid", "yclid", "twclid", "igshid",
                   "mc_cid", "mc_eid", "_hsenc", "_hsmi", "mkt_tok", "oly_anon_id", "oly_enc_id", "vero_id",
                   "ref_src", "ref_url", "s_cid", "cmpid", "ncid", "spm", "__twitter_impression"}
TRACKING_PREFIXES = ("utm_", "pk_", "mtm_")
DEFAULT_PORTS = {"http": 80, "https": 443}
SITE_PATTERN = r"^(?:[A-Za-z0-9-]+\.)*[A-Za-z0-9-]+\.?$"
SITE = re.compile(SITE_PATTERN)
DATE_TIME_PATTERN = (r"^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2}))?$")
DATE_TIME = re.compile(DATE_TIME_PATTERN)
SENTENCE_END = re.compile(r"[.!?。！？](?:[\"'”’)\]]*)(?=\s)|\n")


def canonical_url(url: str) -> str | None:
    """The URL without fragment, credentials, default port or tracking parameters; None unless http(s)."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    if port and port != DEFAULT_PORTS[scheme]:
        host = f"{host}:{port}"
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if k.lower() not in TRACKING_PARAMS and not k.lower().startswith(TRACKING_PREFIXES)]
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query, doseq=True), ""))


def site_of(url: str) -> str | None:
    """The host a page belongs to, lower case, without a leading www."""
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    if not host:
        return None
    # Hosts no rule can name (IPv6 addresses, underscores) are still a site of their own.
    return normal_site(host) or host.lower()


def normal_site(host: str) -> str | None:
    """A host as rules and filters use it (lower case, no leading www, no trailing dot); None unless SITE matches."""
    if not SITE.match(host):
        return None
    host = host.lower().rstrip(".")
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


def site_matches(site: str | None, rule_site: str) -> bool:
    """A rule for example.com covers example.com and its subdomains."""
    return bool(site) and (site == rule_site or site.endswith("." + rule_site))


def page_id_for(url: str) -> str:
    """A stable id for a canonical URL: the same page always gets the same id."""
    return "p" + hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def timestamp(moment: datetime) -> str:
    """UTC, ISO 8601 with milliseconds: sorts as text."""
    return _format(moment.astimezone(timezone.utc))


def _format(m: datetime) -> str:
    # strftime drops the leading zeros of years before 1000 on glibc; these must sort as text.
    return f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond // 1000:03d}Z"


def parse_time(text: str, end_of_day: bool = False) -> str:
    """A date (2025-06-01) or RFC 3339 date-time as a stored timestamp; ValueError if it is neither."""
    match = DATE_TIME.match(text)
    if not match:
        raise ValueError(text)
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if hour is None:
        hour, minute, second, fraction, zone = ("23", "59", "59", ".999", "Z") if end_of_day else ("00", "00", "00", "", "Z")
    moment = datetime(int(year), int(month), int(day), int(hour), int(minute), min(int(second), 59),
                      int((fraction or ".0")[1:7].ljust(6, "0")))
    offset = timedelta() if zone.upper() == "Z" else (1 if zone[0] == "+" else -1) * timedelta(
        hours=int(zone[1:3]), minutes=int(zone[4:6]))
    try:
        moment -= offset
    except OverflowError:
        pass  # within a day of year 1 or 9999: the offset cannot matter
    return _format(moment)


def sentence_around(text: str, start: int, end: int) -> tuple[str, int]:
    """The sentence holding text[start:end], cut to MAX_SENTENCE around the mention; and the mention's offset in it."""
    # Look for the sentence's ends only near the mention: a sentence longer than SEARCH is cut to MAX_SENTENCE
    # around the mention anyway, and a scan from the block's start made a huge saved block quadratic.
    reach = max(0, start - SEARCH)
    left = reach
    for match in SENTENCE_END.finditer(text, reach, start):
        left = match.end()
    found = SENTENCE_END.search(text, end, end + SEARCH)
    right = found.end() if found else min(len(text), end + SEARCH)
    while left < start and text[left].isspace():
        left += 1
    while right > end and text[right - 1].isspace():
        right -= 1
    if right - left > MAX_SENTENCE:
        left, right = _window(text, left, right, start, end)
    return text[left:right], start - left


def _window(text: str, left: int, right: int, start: int, end: int) -> tuple[int, int]:
    """At most MAX_SENTENCE characters of text[left:right] centred on the mention, cut between words."""
    if end - start >= MAX_SENTENCE:
        return start, start + MAX_SENTENCE
    room = MAX_SENTENCE - (end - start)
    new_left = max(left, start - room // 2)
    new_right = min(right, new_left + MAX_SENTENCE)
    new_left = max(left, new_right - MAX_SENTENCE)
    if new_left > left and not text[new_left - 1].isspace():
        space = text.find(" ", new_left, start)
        new_left = space + 1 if space >= 0 else new_left
    if new_right < right and not text[new_right].isspace():
        space = text.rfind(" ", end, new_right)
        new_right = space if space >= 0 else new_right
    return new_left, new_right


def mentions_of(blocks: list[tuple[str, str]], first_links, spans, cards: dict) -> list[dict]:
    """Per card, its first mention with its sentence and offsets (UTF-16 spans, as in the answer)."""
    mentions = []
    for link, span in zip(first_links, spans):
        block_id, text = blocks[link.block]
        sentence, at = sentence_around(text, link.start, link.end)
        card = cards[link.card]
        mentions.append({
            "card": link.card, "card_title": card.title, "card_url": card.url,
            "text": link.text, "sentence": sentence, "at": at, "block": block_id, "start": span.start,
            "end": span.end, "page_start": span.page_start, "page_end": span.page_end,
        })
    return mentions


def quote_context(mention: dict) -> tuple[str, str]:
    """The prefix and suffix of the mention inside its saved sentence (for a TextQuoteSelector)."""
    sentence, at = mention["sentence"], mention["at"]
    return sentence[max(0, at - QUOTE_CONTEXT):at], sentence[at + len(mention["text"]):][:QUOTE_CONTEXT]


# -- the compact form a page is stored in ------------------------------------------------------
#
# {"u": url, "t": title, "f": first visit, "l": last visit (milliseconds since 1970, UTC),
#  "n": visits, "m": [[card, card title, card url, sentence, at, mention, block, start, page start], ...]}
# The id is the record's key and the site comes from the URL; "https://" is left out of the
# URL, "l" when it is "f" and "n" when it is 1. A mention is stored as its
# length when it is sentence[at:at + length] (else as its text), its ends are start plus
# its UTF-16 length (else two more numbers follow), and a card URL as 0 when it is the
# Wikipedia address of the card's title (most cards), else "w:" plus the title part of a
# Wikipedia address, else "=" plus the URL. About 1.5 KB for six cards with their sentences
# (1.0 KB of it the sentences), against 2.6 KB as plain objects. Records written before this form (with "mentions") still read.

WIKIPEDIA = "https://en.wikipedia.org/wiki/"
HTTPS = "https://"
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


class BadPage(ValueError):
    """A stored page record with a missing or wrong-typed field."""


def to_ms(stamp: str) -> int:
    """A stored timestamp as milliseconds since 1970 (negative before)."""
    moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    return (moment - EPOCH) // timedelta(milliseconds=1)


def from_ms(ms: int) -> str:
    """Milliseconds since 1970 as a stored timestamp."""
    return _format(EPOCH + timedelta(milliseconds=ms))


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def _pack_url(url: str | None, title: str):
    if url is None:
        return None
    if url == wikipedia_url(title):
        return 0
    return "w:" + url[len(WIKIPEDIA):] if url.startswith(WIKIPEDIA) else "=" + url


def _unpack_url(packed, title: str) -> str | None:
    if packed is None:
        return None
    if packed == 0:
        return wikipedia_url(title)
    return WIKIPEDIA + packed[2:] if packed.startswith("w:") else packed[1:]


def pack_page(page: dict) -> dict:
    """The compact stored form of a page (see above)."""
    mentions = []
    for m in page["mentions"]:
        text, sentence, at = m["text"], m["sentence"], m["at"]
        length = utf16_length(text)
        item = [m["card"], m["card_title"], _pack_url(m["card_url"], m["card_title"]), sentence, at,
                len(text) if sentence[at:at + len(text)] == text else text, m["block"], m["start"], m["page_start"]]
        if m["end"] != m["start"] + length or m["page_end"] != m["page_start"] + length:
            item += [m["end"], m["page_end"]]
        mentions.append(item)
    url, first, last = page["url"], to_ms(page["first_visit"]), to_ms(page["last_visit"])
    stored = {"u": url[len(HTTPS):] if url.startswith(HTTPS) else url, "t": page["title"], "f": first}
    if last != first:
        stored["l"] = last
    if page["visits"] != 1:
        stored["n"] = page["visits"]
    stored["m"] = mentions
    return stored


def unpack_page(page_id: str, stored: dict) -> dict:
    """The page as the service and the API use it, from its stored form."""
    if "mentions" in stored:  # the form before compact records
        return {**stored, "id": page_id, "mentions": [dict(m) for m in stored["mentions"]]}
    mentions = []
    for item in stored["m"]:
        card, title, url, sentence, at, mention, block, start, page_start, *ends = item
        text = sentence[at:at + mention] if isinstance(mention, int) else mention
        length = utf16_length(text)
        end, page_end = ends if ends else (start + length, page_start + length)
        mentions.append({"card": card, "card_title": title, "card_url": _unpack_url(url, title), "text": text,
                         "sentence": sentence, "at": at, "block": block, "start": start, "end": end,
                         "page_start": page_start, "page_end": page_end})
    url = stored["u"] if stored["u"].startswith("http://") else HTTPS + stored["u"]
    return {"id": page_id, "url": url, "site": site_of(url), "title": stored["t"], "first_visit": from_ms(stored["f"]),
            "last_visit": from_ms(stored.get("l", stored["f"])), "visits": stored.get("n", 1), "mentions": mentions}


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


MENTION_TYPES = (str, str, (str, int, type(None)), str, int, (int, str), str, int, int, int, int)
OLD_PAGE = {"url": str, "site": str, "title": str, "first_visit": str, "last_visit": str, "visits": int,
            "mentions": list}
OLD_MENTION = {"card": str, "card_title": str, "card_url": (str, type(None)), "text": str, "sentence": str, "at": int,
               "block": str, "start": int, "end": int, "page_start": int, "page_end": int}


def check_page(stored) -> None:
    """BadPage unless this is a page record as written (either form): a damaged one is set aside, never served."""
    try:
        if "mentions" in stored:
            _check_fields(stored, OLD_PAGE)
            to_ms(stored["first_visit"]), to_ms(stored["last_visit"])
            for mention in stored["mentions"]:
                _check_fields(mention, OLD_MENTION)
            return
        if not (isinstance(stored.get("u"), str) and isinstance(stored.get("t"), str) and _is_int(stored.get("f"))
                and _is_int(stored.get("l", 0)) and _is_int(stored.get("n", 1)) and isinstance(stored.get("m"), list)):
            raise BadPage("a page record with a missing or wrong-typed field")
        from_ms(stored["f"]), from_ms(stored.get("l", 0))
        for item in stored["m"]:
            if not isinstance(item, list) or len(item) not in (9, 11) or not all(
                    isinstance(value, kind) and not isinstance(value, bool) for value, kind in zip(item, MENTION_TYPES)):
                raise BadPage("a mention with a missing or wrong-typed field")
            url = item[2]
            if not (url is None or url == 0 or isinstance(url, str) and (url[:2] == "w:" or url[:1] == "=")):
                raise BadPage("a card URL not in the stored form")
    except (ValueError, OverflowError, TypeError, AttributeError) as exc:
        raise BadPage(str(exc) if isinstance(exc, BadPage) else f"a page record that does not read ({exc.__class__.__name__})") from None


def _check_fields(record, fields: dict) -> None:
    if not isinstance(record, dict):
        raise BadPage("a page or mention that is not an object")
    for name, kind in fields.items():
        if not isinstance(record.get(name), kind) or isinstance(record.get(name), bool):
            raise BadPage(f"a page record whose {name!r} is missing or of the wrong type")
