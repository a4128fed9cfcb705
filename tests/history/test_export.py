"""history/export.py: JSON, W3C Web Annotation JSON-LD, Markdown and CSV."""

import csv
import io
import json
from datetime import datetime

from .conftest import read


def test_export_json_has_every_page(client, library):
    response = client.get("/v1/history/export?format=json")
    assert response.mimetype == "application/json"
    assert response.headers["Content-Disposition"] == 'attachment; filename="contextcards-history.json"'
    body = response.get_json()
    assert body["format"] == "contextcards-history" and len(body["pages"]) == 4


def test_export_jsonld_follows_the_web_annotation_model(client, library):
    """Required by https://www.w3.org/TR/annotation-model/: @context, id, type Annotation, target; selectors valid."""
    response = client.get("/v1/history/export?format=jsonld")
    assert response.mimetype == "application/ld+json"
    doc = json.loads(response.get_data(as_text=True))
    assert doc["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert doc["type"] == "AnnotationCollection" and doc["first"]["type"] == "AnnotationPage"
    items = doc["first"]["items"]
    assert doc["total"] == len(items) == 10
    ids = set()
    for item in items:
        assert isinstance(item["id"], str) and ":" in item["id"]
        ids.add(item["id"])
        assert item["type"] == "Annotation"
        body, target = item["body"], item["target"]
        assert body["type"] == "TextualBody" and body["purpose"] == "identifying" and body["value"]
        assert target["source"].startswith("https://")
        selectors = {s["type"]: s for s in target["selector"]}
        quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
        assert set(quote) == {"type", "exact", "prefix", "suffix"} and quote["exact"]
        assert isinstance(position["start"], int) and position["end"] - position["start"] == len(quote["exact"])
        datetime.fromisoformat(item["created"])
    assert len(ids) == len(items), "annotation ids are unique"
    xi = next(i for i in items if i["target"]["source"] == "https://news.example/xi" and i["body"]["value"] == "DeepSeek")
    quote = xi["target"]["selector"][0]
    assert (quote["prefix"], quote["exact"], quote["suffix"]) == ("Xi Jinping praised ", "DeepSeek", " in Beijing.")
    assert xi["body"]["source"] == "https://en.wikipedia.org/wiki/DeepSeek"


def test_text_position_selector_points_into_the_joined_blocks(client):
    blocks = ("😀 First block, no cards.", "Then DeepSeek 👩‍💻 met China.")
    read(client, "https://a.example/emoji", blocks)
    doc = json.loads(client.get("/v1/history/export?format=jsonld").get_data(as_text=True))
    page_text = "\n".join(blocks).encode("utf-16-le")
    for item in doc["first"]["items"]:
        quote, position = item["target"]["selector"]
        assert page_text[position["start"] * 2:position["end"] * 2].decode("utf-16-le") == quote["exact"]


def test_export_markdown_and_csv(client, library):
    markdown = client.get("/v1/history/export?format=markdown")
    assert markdown.mimetype == "text/markdown"
    text = markdown.get_data(as_text=True)
    assert text.startswith("# Context Cards history") and "## 2025-06-20" in text
    assert "- [Xi speech](https://news.example/xi) — news.example, 1 visit" in text
    assert "**DeepSeek**: Xi Jinping praised DeepSeek in Beijing." in text
    table = client.get("/v1/history/export?format=csv")
    assert table.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(table.get_data(as_text=True))))
    assert len(rows) == 10 and {r["title"] for r in rows} == {"Premier", "Xi speech", "AI models", "Chip rules"}


def test_export_can_be_filtered(client, library):
    body = client.get("/v1/history/export?format=json&entity=deepseek&site=news.example").get_json()
    assert [p["title"] for p in body["pages"]] == ["Premier", "Xi speech"]


def test_export_neutralises_spreadsheet_formulas_and_markdown(client):
    read(client, "https://a.example/f", "DeepSeek.", title="=HYPERLINK(\"http://evil\") [x](y)")
    row = next(csv.DictReader(io.StringIO(client.get("/v1/history/export?format=csv").get_data(as_text=True))))
    assert row["title"].startswith("'=")
    markdown = client.get("/v1/history/export?format=markdown").get_data(as_text=True)
    assert "\\[x\\]\\(y\\)" in markdown
