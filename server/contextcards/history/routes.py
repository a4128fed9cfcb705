"""The history routes: thin views over the history service, and their OpenAPI description."""

from flask import Blueprint, Response, current_app, jsonify, request

from ..api import json_body, services
from ..errors import BadRequest, NotFound, Unprocessable
from .service import Query, decode_cursor, get_history
from .reader_settings import SITE_RULES, Feedback
from .export import FORMATS, export
from .record import DATE_TIME_PATTERN, MAX_SENTENCE, SITE_PATTERN, normal_site, parse_time, timestamp
from ..openapi import error_responses

bp = Blueprint("history", __name__)

MAX_LIMIT = 200
MAX_TEXT = 500
MAX_SITE = 253
MAX_RULES = 500
MAX_CARD_ID = 200
ACTIONS = ("mute", "unmute", "correct", "uncorrect")


def _history():
    return get_history(current_app)


def _text(value, name: str, limit: int = MAX_TEXT):
    if value is not None and not 1 <= len(value) <= limit:
        raise BadRequest(f"'{name}' must be 1 to {limit} characters.", code="bad_parameter")
    return value


def parse_query(args) -> Query:
    """Search parameters from the query string; a 400 naming the first bad one."""
    query = Query(q=_text(args.get("q") or None, "q"), entity=_text(args.get("entity") or None, "entity"))
    if "site" in args:
        query.site = normal_site(args["site"])
        if not query.site or len(args["site"]) > MAX_SITE:
            raise BadRequest("'site' must be a host name such as example.com.", code="bad_parameter")
    for name in ("since", "until"):
        if name in args:
            try:
                setattr(query, name, parse_time(args[name], end_of_day=name == "until"))
            except ValueError:
                raise BadRequest(f"'{name}' must be a date (2025-06-01) or an RFC 3339 time.",
                                 code="bad_parameter") from None
    limit = args.get("limit", "50")
    if not limit.isascii() or not limit.isdigit() or not 1 <= int(limit) <= MAX_LIMIT:
        raise BadRequest(f"'limit' must be a whole number from 1 to {MAX_LIMIT}.", code="bad_parameter")
    query.limit = int(limit)
    if args.get("cursor"):
        query.cursor = decode_cursor(args["cursor"])
    return query


def _optional_text(body: dict, key: str, limit: int = MAX_TEXT) -> str | None:
    value = body.get(key)
    if value is not None and (not isinstance(value, str) or not 1 <= len(value) <= limit):
        raise Unprocessable(f"'{key}' must be a string of 1 to {limit} characters.")
    return value


def parse_feedback(body, pack) -> Feedback:
    """Validate a feedback body: {card, action, to?, term?, site?}; 404 for a card id the pack does not know."""
    if not isinstance(body, dict):
        raise Unprocessable("The body must be a JSON object.")
    card = body.get("card")
    if not isinstance(card, str) or not 1 <= len(card) <= MAX_CARD_ID:
        raise Unprocessable("'card' must be a card id.")
    action = body.get("action")
    if action not in ACTIONS:
        raise Unprocessable(f"'action' must be one of {', '.join(ACTIONS)}.")
    to = body.get("to")
    if to is not None and not isinstance(to, str):
        raise Unprocessable("'to' must be a card id, or null for no card.")
    if to is not None and to not in pack.cards:
        raise NotFound(f"There is no card {to[:80]!r} in the knowledge pack.")
    term = _optional_text(body, "term")
    if action == "correct" and term is None and pack.get(card) is None:
        raise NotFound(f"The knowledge pack has no card {card[:80]!r}: send the 'term' to correct.")
    site = _optional_text(body, "site", MAX_SITE)
    if site is not None:
        site = normal_site(site)
        if not site:
            raise Unprocessable("'site' must be a host name such as example.com.")
    return Feedback(card, action, to, term, site)


def parse_site_rules(body) -> dict[str, str | None]:
    """Validate {site_rules: {site: "always" | "never" | null}}."""
    rules = body.get("site_rules") if isinstance(body, dict) else None
    if not isinstance(rules, dict) or len(rules) > MAX_RULES:
        raise Unprocessable(f"Send {{\"site_rules\": {{\"example.com\": \"always\" | \"never\" | null}}}} "
                            f"with at most {MAX_RULES} sites.")
    parsed = {}
    for site, rule in rules.items():
        normal = normal_site(site) if len(site) <= MAX_SITE else None
        if not normal or (rule is not None and rule not in SITE_RULES):
            raise Unprocessable(f"Site rule for {site[:80]!r}: the site must be a host name and the rule "
                                "\"always\", \"never\" or null.")
        parsed[normal] = rule
    return parsed


@bp.get("/v1/history")
def history_list():
    """Saved pages, newest first, filtered by words, entity, site and time."""
    return jsonify(_history().search(parse_query(request.args)))


@bp.delete("/v1/history")
def history_clear():
    """Delete every saved page; needs ?confirm=yes."""
    if request.args.get("confirm") != "yes":
        raise BadRequest("Deleting all history needs ?confirm=yes.", code="confirmation_required")
    return jsonify({"deleted": _history().clear()})


# OPTIONS is answered here: werkzeug's automatic answer would also list DELETE, because
# /v1/history/<page_id> matches "export" too.
@bp.route("/v1/history/export", methods=["GET", "OPTIONS"], provide_automatic_options=False)
def history_export():
    """Every saved page (or those matching the filters) as json, jsonld, markdown or csv."""
    if request.method == "OPTIONS":
        return Response(status=200, headers={"Allow": "GET, HEAD, OPTIONS"})
    fmt = request.args.get("format", "json")
    if fmt not in FORMATS:
        raise BadRequest(f"'format' must be one of {', '.join(FORMATS)}.", code="bad_parameter")
    query = parse_query(request.args)
    history = _history()
    filtered = any(request.args.get(k) for k in ("q", "entity", "site", "since", "until"))
    if filtered:
        query.limit, query.cursor = len(history) or 1, None
        pages = history.search(query)["pages"]
    else:
        pages = history.all_pages()
    mimetype, extension = FORMATS[fmt]
    body = export(pages, fmt, timestamp(history.clock()))
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="contextcards-history.{extension}"'})


@bp.get("/v1/history/<page_id>")
def history_page(page_id):
    """One saved page with its cards and sentences."""
    page = _history().get(page_id)
    if page is None:
        raise NotFound(f"There is no saved page {page_id[:80]!r}.")
    return jsonify(page)


@bp.delete("/v1/history/<page_id>")
def history_delete(page_id):
    """Delete one saved page."""
    if not _history().delete(page_id):
        raise NotFound(f"There is no saved page {page_id[:80]!r}.")
    return jsonify({"deleted": 1})


@bp.get("/v1/entities/<card_id>/pages")
def entity_pages(card_id):
    """Every saved page where a card appeared, newest first, with its sentence; and pages per week."""
    query = parse_query(request.args)
    query.entity = card_id
    history = _history()
    answer = history.search(query)
    card = services().find_card(card_id)
    return jsonify({"card": card.to_json() if card else None, **answer, "weeks": history.weeks(card_id)})


@bp.post("/v1/feedback")
def feedback():
    """Mute or unmute a card, or correct the card a term links to (on one site or everywhere)."""
    parsed = parse_feedback(json_body(), services().pack)
    return jsonify(_history().reader.apply_feedback(parsed))


@bp.get("/v1/settings")
def settings():
    """The reader's muted cards, corrections and site rules."""
    return jsonify(_history().reader.settings())


@bp.post("/v1/settings")
def settings_update():
    """Set or remove site rules: {site_rules: {site: always|never|null}}."""
    return jsonify(_history().reader.set_site_rules(parse_site_rules(json_body())))


# -- OpenAPI ----------------------------------------------------------------------------------

MENTION = {"type": "object", "properties": {
    "card": {"type": "string"}, "card_title": {"type": "string"}, "card_url": {"type": ["string", "null"]},
    "text": {"type": "string", "description": "The mention as it appeared"},
    "sentence": {"type": "string", "maxLength": MAX_SENTENCE, "description": "Its sentence, an exact substring of the block"},
    "at": {"type": "integer", "description": "Where the mention starts in the sentence (code points)"},
    "block": {"type": "string"}, "start": {"type": "integer"}, "end": {"type": "integer"},
    "page_start": {"type": "integer"}, "page_end": {"type": "integer"}}}
PAGE = {"type": "object", "required": ["id", "url", "site", "title", "first_visit", "last_visit", "visits", "mentions"],
        "properties": {"id": {"type": "string"}, "url": {"type": "string"}, "site": {"type": "string"},
                       "title": {"type": "string"}, "first_visit": {"type": "string", "format": "date-time"},
                       "last_visit": {"type": "string", "format": "date-time"}, "visits": {"type": "integer"},
                       "mentions": {"type": "array", "items": MENTION}}}
PAGE_LIST = {"type": "object", "required": ["pages", "total", "next_cursor"], "properties": {
    "pages": {"type": "array", "items": PAGE}, "total": {"type": "integer"},
    "next_cursor": {"type": ["string", "null"], "description": "Pass as ?cursor= for the next pages"}}}
SETTINGS = {"type": "object", "properties": {
    "muted": {"type": "array", "items": {"type": "object"}},
    "corrections": {"type": "array", "items": {"type": "object"}},
    "site_rules": {"type": "object", "additionalProperties": {"enum": list(SITE_RULES)}}}}


def _param(name, description, schema=None, where="query", required=False):
    return {"name": name, "in": where, "required": required, "description": description,
            "schema": schema or {"type": "string"}}


TIME = {"type": "string", "pattern": DATE_TIME_PATTERN, "anyOf": [{"format": "date"}, {"format": "date-time"}]}
FILTERS = [
    _param("q", "Words that must all appear in the title, address, cards or sentences",
           {"type": "string", "maxLength": MAX_TEXT}),
    _param("entity", "A card id: pages where that card appeared", {"type": "string", "maxLength": MAX_TEXT}),
    _param("site", "A host: pages on it and its subdomains",
           {"type": "string", "pattern": SITE_PATTERN, "maxLength": MAX_SITE}),
    _param("since", "Visited at or after (a date, or an RFC 3339 time)", TIME),
    _param("until", "Visited at or before (a date includes the whole day)", TIME),
    _param("limit", "At most this many pages (default 50)", {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT}),
    _param("cursor", "next_cursor from the previous answer"),
]
PAGE_ID = _param("page_id", "A saved page's id", where="path", required=True)


def _json(schema, description="OK"):
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _body(schema):
    return {"required": True, "content": {"application/json": {"schema": schema}}}


OPENAPI_PATHS = {
    "/v1/history": {
        "get": {"summary": "Search saved pages, newest first", "parameters": FILTERS,
                "responses": {**_json(PAGE_LIST), **error_responses(400, 401, 403, 503)}},
        "delete": {"summary": "Delete every saved page (settings stay)",
                   "parameters": [_param("confirm", "Must be yes", {"enum": ["yes"]}, required=True)],
                   "responses": {**_json({"type": "object", "properties": {"deleted": {"type": "integer"}}}),
                                 **error_responses(400, 401, 403, 503)}},
    },
    "/v1/history/export": {"get": {
        "summary": "Export saved pages (all, or those matching the filters) as an attachment",
        "parameters": [_param("format", "json, jsonld (W3C Web Annotation), markdown or csv",
                              {"enum": list(FORMATS), "default": "json"}), *FILTERS[:5]],
        "responses": {"200": {"description": "The export", "content": {
            "application/json": {"schema": {"type": "object", "required": ["pages"]}},
            "application/ld+json": {"schema": {"type": "object", "required": ["@context", "type"]}},
            "text/markdown": {"schema": {"type": "string"}},
            "text/csv": {"schema": {"type": "string"}}}},
            **error_responses(400, 401, 403, 503)}}},
    "/v1/history/{page_id}": {
        "get": {"summary": "One saved page", "parameters": [PAGE_ID],
                "responses": {**_json(PAGE), **error_responses(401, 403, 404, 503)}},
        "delete": {"summary": "Delete one saved page", "parameters": [PAGE_ID],
                   "responses": {**_json({"type": "object", "properties": {"deleted": {"type": "integer"}}}),
                                 **error_responses(401, 403, 404, 503)}},
    },
    "/v1/entities/{card_id}/pages": {"get": {
        "summary": "Saved pages where a card appeared, newest first, with the sentence; pages per ISO week",
        "parameters": [_param("card_id", "A card id", where="path", required=True), *FILTERS[:1], *FILTERS[2:]],
        "responses": {**_json({**PAGE_LIST, "properties": {
            **PAGE_LIST["properties"], "card": {"type": ["object", "null"]},
            "weeks": {"type": "array", "items": {"type": "object", "properties": {
                "week": {"type": "string", "examples": ["2025-W23"]}, "pages": {"type": "integer"}}}}}}),
            **error_responses(400, 401, 403, 503)}}},
    "/v1/feedback": {"post": {
        "summary": "Mute or unmute a card, or correct which card a term links to",
        "requestBody": _body({"type": "object", "required": ["card", "action"], "properties": {
            "card": {"type": "string", "minLength": 1, "maxLength": MAX_CARD_ID, "description": "The card the reader acted on"},
            "action": {"enum": list(ACTIONS)},
            "to": {"type": ["string", "null"], "description": "correct: the right card, or null for no card"},
            "term": {"type": "string", "minLength": 1, "maxLength": MAX_TEXT,
                     "description": "The words on the page; without it a correction covers every name of the card"},
            "site": {"type": "string", "pattern": SITE_PATTERN, "maxLength": MAX_SITE,
                     "description": "Only on this site and its subdomains (default: everywhere)"}}}),
        "responses": {**_json(SETTINGS), **error_responses(400, 401, 403, 404, 415, 422, 503)}}},
    "/v1/settings": {
        "get": {"summary": "Muted cards, corrections and site rules",
                "responses": {**_json(SETTINGS), **error_responses(401, 403, 503)}},
        "post": {"summary": "Set site rules (null removes one)",
                 "requestBody": _body({"type": "object", "required": ["site_rules"], "properties": {
                     "site_rules": {"type": "object", "maxProperties": MAX_RULES,
                                    "propertyNames": {"pattern": SITE_PATTERN, "maxLength": MAX_SITE},
                                    "additionalProperties": {"enum": [*SITE_RULES, None]}}}}),
                 "responses": {**_json(SETTINGS), **error_responses(400, 401, 403, 415, 422, 503)}},
    },
}
