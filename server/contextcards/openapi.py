"""The OpenAPI 3.1 description of every route, request and response body, built from the limits the code enforces."""

from .annotate import MAX_ID_CHARS, MAX_SEEN_DAYS, MAX_URL_CHARS, SEEN_DAYS
from .config import Config
from .knowledge import CARD_STATUSES, KINDS, MAX_SUMMARY
from .pairing import MAX_CODE_CHARS

ERROR = {"$ref": "#/components/schemas/Error"}


def error_responses(*statuses):
    """Response entries for the given error statuses, all in the one error shape."""
    names = {400: "Malformed JSON", 401: "Missing or wrong token", 403: "Host not allowed",
             404: "Not found", 409: "Two blocks share an id", 413: "Too large", 415: "Body is not JSON", 422: "Invalid fields",
             429: "Too many requests", 503: "Unavailable"}
    return {str(s): {"description": names[s], "content": {"application/json": {"schema": ERROR}}} for s in statuses}


def _ok(schema, description="OK"):
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


CARD = {
    "type": "object",
    "required": ["id", "title", "kind", "summary", "source", "wikipedia", "url"],
    "properties": {
        "id": {"type": "string"},
        "title": {"type": "string"},
        "kind": {"enum": list(KINDS)},
        "summary": {"type": "string", "maxLength": MAX_SUMMARY},
        "source": {"type": "string", "description": "pack (the bundled knowledge pack), personal (the reader's own) or wikipedia"},
        "wikipedia": {"type": ["string", "null"], "description": "Exact English Wikipedia title"},
        "url": {"type": ["string", "null"]},
        "facts": {"type": "array", "items": {"type": "string"}},
        "as_of": {"type": "string", "description": "When the facts were checked: YYYY, YYYY-MM or YYYY-MM-DD"},
        "age_note": {"type": "string", "description": "Present when as_of is over a year old: "
                                                      "\"as of June 2025 \u2014 may be out of date\""},
        "summary_refreshed": {"type": "string", "description": "When the summary was refreshed from Wikipedia "
                                                               "(the facts keep their as_of)"},
        "thumbnail": {"type": ["string", "null"]},
        "status": {"enum": list(CARD_STATUSES)},
        "seen_before": {
            "type": "object",
            "description": "With history only: the reader's other saved pages that showed this card",
            "required": ["count", "last"],
            "properties": {
                "count": {"type": "integer", "description": "Other saved pages that showed it"},
                "last": {"type": ["object", "null"], "description": "The most recently visited of them"},
                "recent": {
                    "type": "object",
                    "required": ["days", "count"],
                    "description": "Of those pages, how many were last visited within the request's seen_days",
                    "properties": {"days": {"type": "integer"}, "count": {"type": "integer"}},
                },
            },
        },
        "family": {"type": "string", "description": "Member cards only: the id of the family card they stand in for"},
    },
}

ANNOTATE_REQUEST = {
    "type": "object",
    "required": ["url", "title", "blocks"],
    "properties": {
        "url": {"type": "string", "description": f"At most {MAX_URL_CHARS:,} characters (413 beyond)"},
        "title": {"type": "string", "description": f"At most {MAX_URL_CHARS:,} characters (413 beyond)"},
        "lang": {"type": "string", "description": "BCP 47; pages not in English get no annotations"},
        "save": {"type": "boolean", "default": True},
        "mentions": {"enum": ["first", "all"], "default": "first"},
        "seen_days": {"type": "integer", "minimum": 1, "maximum": MAX_SEEN_DAYS, "default": SEEN_DAYS,
                      "description": "The window, in days, of each card's seen_before.recent"},
        "blocks": {
            "type": "array",
            "description": f"At most {Config.max_blocks:,} blocks, {Config.max_block_chars:,} characters each, "
                           f"{Config.max_total_chars:,} in all (413 beyond)",
            "items": {
                "type": "object",
                "required": ["id", "text"],
                "properties": {
                    "id": {"type": "string", "minLength": 1, "maxLength": MAX_ID_CHARS},
                    "text": {"type": "string"},
                },
            },
        },
    },
}

ANNOTATE_RESPONSE = {
    "type": "object",
    "required": ["page_id", "annotations", "cards"],
    "properties": {
        "page_id": {"type": ["string", "null"]},
        "annotations": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["block", "start", "end", "text", "card", "confidence"],
                "properties": {
                    "block": {"type": "string"},
                    "start": {"type": "integer", "description": "UTF-16 code units into the block"},
                    "end": {"type": "integer"},
                    "text": {"type": "string"},
                    "card": {"type": "string"},
                    "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                    "alternatives": {"type": "array", "items": {"type": "string"}},
                },
            },
        },
        "cards": {"type": "object", "additionalProperties": CARD},
    },
}

HEALTH = {
    "type": "object",
    "required": ["status", "version", "pack_size"],
    "properties": {
        "status": {"enum": ["ok", "degraded"]},
        "version": {"type": "string"},
        "model": {"type": ["string", "null"]},
        "ner": {"type": "boolean"},
        "pack_size": {"type": "integer"},
        "degraded": {"type": "array", "items": {"type": "string"}},
        "wikipedia": {"enum": ["on", "off", "paused"], "description": "Wikipedia lookups"},
        "wikipedia_resumes_in": {"type": "number", "description": "Seconds until a paused lookup resumes"},
        "history": {"type": "object", "description": "Saved pages, the search index (\"ready\" or \"indexing\" while "
                    "it is rebuilt), read_only when the disk refuses writes, and any corrupt files or records set aside"},
    },
}

JSON_BODY = {"required": True, "content": {"application/json": {"schema": ANNOTATE_REQUEST}}}


def openapi_spec(version: str, extra_paths: dict | None = None) -> dict:
    """The spec document; modules that add routes add their paths (a test checks every route is here)."""
    paths = {
        "/v1/pair": {"post": {
            "summary": "Exchange a pairing code for the token (no token needed)",
            "security": [],
            "requestBody": {"required": True, "content": {"application/json": {"schema": {
                "type": "object", "required": ["code"],
                "properties": {"code": {"type": "string", "minLength": 1, "maxLength": MAX_CODE_CHARS}}}}}},
            "responses": {**_ok({"type": "object", "required": ["token"], "properties": {"token": {"type": "string"}}}),
                          **error_responses(400, 401, 403, 415, 422)},
        }},
        "/health": {"get": {"summary": "Server status", "security": [], "responses": {**_ok(HEALTH), **error_responses(403)}}},
        "/v1/openapi.json": {"get": {"summary": "This document", "responses": {**_ok({"type": "object"}), **error_responses(403)}}},
        "/v1/annotate": {"post": {
            "summary": "Find mentions in a page's blocks and link them to cards",
            "requestBody": JSON_BODY,
            "responses": {**_ok(ANNOTATE_RESPONSE), **error_responses(400, 401, 403, 409, 413, 415, 422, 429)},
        }},
        "/v1/cards/{card_id}": {"get": {
            "summary": "One card",
            "parameters": [{"name": "card_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {**_ok(CARD), **error_responses(401, 403, 404)},
        }},
        "/demo": {"get": {"summary": "The demo article page (HTML)", "security": [], "responses": {
            "200": {"description": "HTML page", "content": {"text/html": {"schema": {"type": "string"}}}},
            **error_responses(403, 404)}}},
        "/demo/static/{name}": {"get": {
            "summary": "The extension's scripts, for the demo page",
            "security": [],
            "parameters": [{"name": "name", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {"200": {"description": "A file"}, **error_responses(403, 404)}}},
        "/demo/cards/{card_id}": {"get": {
            "summary": "One card, for the demo page (no history details)",
            "security": [],
            "parameters": [{"name": "card_id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "responses": {**_ok(CARD), **error_responses(403, 404, 429)},
        }},
        "/demo/annotate": {"post": {
            "summary": "Stateless annotate for the demo page: never saves or reads history",
            "security": [],
            "requestBody": JSON_BODY,
            "responses": {**_ok(ANNOTATE_RESPONSE), **error_responses(400, 403, 409, 413, 415, 422, 429)},
        }},
    }
    for path, operations in (extra_paths or {}).items():
        paths[path] = {**paths.get(path, {}), **operations}
    for operations in paths.values():
        for operation in operations.values():
            if operation.get("security") != []:
                operation["responses"].setdefault("401", error_responses(401)["401"])
    return {
        "openapi": "3.1.0",
        "info": {"title": "Context Cards local API", "version": version,
                 "description": "Served on 127.0.0.1 only. Errors are {error: {code, message}}."},
        "servers": [{"url": "http://127.0.0.1:8731"}],
        "paths": paths,
        "security": [{"bearer": []}],
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": {"Error": {
            "type": "object", "required": ["error"],
            "properties": {"error": {"type": "object", "required": ["code", "message"],
                                     "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}},
        }}},
    }
