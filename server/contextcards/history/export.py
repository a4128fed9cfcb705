"""History export: JSON, W3C Web Annotation JSON-LD, Markdown and CSV, from a list of saved pages.

JSON-LD follows the Web Annotation Data Model (https://www.w3.org/TR/annotation-model/):
an AnnotationCollection whose one AnnotationPage holds one Annotation per card per page.
The target is the page (its URL as `source`) with a TextQuoteSelector (the mention as
`exact`, with the words before and after it in its sentence as `prefix` and `suffix`) and
a TextPositionSelector (UTF-16 offsets in the page's text as the extension extracted it:
its blocks joined by one newline). The body is the card: a TextualBody with the card's
title, purpose "identifying", and the card's Wikipedia address as its `source` when it has one.
"""

import csv
import io
import json
from urllib.parse import quote, urlsplit

from .. import __version__
from .record import quote_context

FORMATS = {
    "json": ("application/json", "json"),
    "jsonld": ("application/ld+json", "jsonld"),
    "markdown": ("text/markdown", "md"),
    "csv": ("text/csv", "csv"),
}
ANNOTATION_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
CSV_COLUMNS = ["page_id", "url", "title", "site", "first_visit", "last_visit", "visits",
               "card", "card_title", "mention", "sentence", "start", "end"]
# Every field comes from a page (its title, host, sentences): each is escaped, none written raw.
MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]()<>#|!&~"})
# Spreadsheets run cells that start with these as formulas (CSV injection), also after spaces or line breaks.
FORMULA_START = ("=", "+", "-", "@")
CONTROL_START = ("\t", "\r", "\n")
# JSON read as HTML by mistake (a browser sniffing a saved file) must hold no tag: these are escaped as \u00XX.
HTML_IN_JSON = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def export(pages: list[dict], fmt: str, exported_at: str) -> str:
    """The pages in one of FORMATS, as text."""
    return {"json": as_json, "jsonld": as_jsonld, "markdown": as_markdown, "csv": as_csv}[fmt](pages, exported_at)


def as_json(pages: list[dict], exported_at: str) -> str:
    """The pages as this tool's own JSON (what `GET /v1/history/<id>` answers, in a list)."""
    return json.dumps({"format": "contextcards-history", "version": 1, "exported": exported_at, "pages": pages},
                      ensure_ascii=False, indent=2).translate(HTML_IN_JSON)


def annotation(page: dict, mention: dict) -> dict:
    """One Web Annotation: the card (body) identifies the mention on the page (target)."""
    prefix, suffix = quote_context(mention)
    body = {"type": "TextualBody", "purpose": "identifying", "value": mention["card_title"],
            "format": "text/plain", "id": f"urn:contextcards:card:{mention['card']}"}
    if mention.get("card_url"):
        body["source"] = mention["card_url"]
    return {
        "id": f"urn:contextcards:annotation:{page['id']}:{mention['card']}",
        "type": "Annotation",
        "motivation": "identifying",
        "created": page["first_visit"],
        "modified": page["last_visit"],
        "generator": {"id": "urn:contextcards", "type": "Software", "name": f"Context Cards {__version__}"},
        "body": body,
        "target": {
            "source": page["url"],
            "type": "SpecificResource",
            "selector": [
                {"type": "TextQuoteSelector", "exact": mention["text"], "prefix": prefix, "suffix": suffix},
                {"type": "TextPositionSelector", "start": mention["page_start"], "end": mention["page_end"]},
            ],
        },
    }


def as_jsonld(pages: list[dict], exported_at: str) -> str:
    """The pages as one W3C Web Annotation collection, an annotation per card per page."""
    items = [annotation(page, mention) for page in pages for mention in page["mentions"]]
    collection = {
        "@context": ANNOTATION_CONTEXT,
        "id": "urn:contextcards:history",
        "type": "AnnotationCollection",
        "label": f"Context Cards history, exported {exported_at}",
        "total": len(items),
        "first": {"id": "urn:contextcards:history:page1", "type": "AnnotationPage", "startIndex": 0, "items": items},
    }
    return json.dumps(collection, ensure_ascii=False, indent=2).translate(HTML_IN_JSON)


def _md(text) -> str:
    return " ".join(str(text).split()).translate(MARKDOWN_SPECIAL)


URL_SAFE = ":/?#@!$',;=%+"  # kept as they are in a Markdown link's URL; everything else is percent-encoded


def _md_link(label: str, url: str) -> str:
    """A Markdown link to an http(s) page, the URL percent-encoded so nothing in it can end the link; else text."""
    if urlsplit(url).scheme.lower() not in ("http", "https"):
        return _md(label or url)
    return f"[{_md(label or url)}]({quote(url, safe=URL_SAFE)})"


def as_markdown(pages: list[dict], exported_at: str) -> str:
    """The pages by day, each with its cards and their sentences."""
    lines = ["# Context Cards history", "", f"Exported {_md(exported_at)}: {len(pages)} pages.", ""]
    day = None
    for page in pages:
        if page["last_visit"][:10] != day:
            day = page["last_visit"][:10]
            lines += [f"## {_md(day)}", ""]
        visits = "1 visit" if page["visits"] == 1 else f"{int(page['visits'])} visits"
        lines.append(f"- {_md_link(page['title'], page['url'])} — {_md(page['site'] or '')}, {visits}")
        for mention in page["mentions"]:
            lines.append(f"  - **{_md(mention['card_title'])}**: {_md(mention['sentence'])}")
    return "\n".join(lines) + "\n"


def _cell(value) -> str:
    text = str(value)
    risky = text.lstrip().startswith(FORMULA_START) or text.startswith(CONTROL_START)
    return "'" + text if risky else text


def as_csv(pages: list[dict], exported_at: str) -> str:
    """One row per card per page (a page without cards gets one row)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for page in pages:
        for mention in page["mentions"] or [None]:
            row = [page["id"], page["url"], page["title"], page["site"], page["first_visit"], page["last_visit"],
                   page["visits"]]
            if mention:
                row += [mention["card"], mention["card_title"], mention["text"], mention["sentence"],
                        mention["start"], mention["end"]]
            else:
                row += [""] * 6
            writer.writerow([_cell(v) for v in row])
    return out.getvalue()
