"""The routes of the reader's own cards: make, change, delete, list, and Wikipedia's matches to start from."""

from flask import Blueprint, current_app, jsonify, request

from ..api import json_body, services
from ..errors import Unprocessable
from ..knowledge import ID_PATTERN, KINDS, MARKUP, MAX_FACT, MAX_SUMMARY
from ..openapi import CARD, error_responses
from .cards import PersonalCards
from .suggestions import suggestions

bp = Blueprint("personal", __name__)
MAX_NAME = 200


def _cards() -> PersonalCards:
    return current_app.extensions["contextcards_personal"]


@bp.get("/v1/cards")
def cards_list():
    """The reader's own cards (source=personal, the only listing there is)."""
    source = request.args.get("source", "personal")
    if source != "personal":
        raise Unprocessable("Only ?source=personal can be listed; GET /v1/cards/<id> answers any one card.")
    return jsonify({"cards": [card.to_json() for card in _cards().list()]})


@bp.post("/v1/cards")
def card_create():
    """Make a card of one's own: 201 with the card; 422 with the line `pack check` would print."""
    card = _cards().add(json_body())
    response = jsonify(card.to_json())
    response.status_code = 201
    response.headers["Location"] = f"/v1/cards/{card.id}"
    return response


@bp.put("/v1/cards/<card_id>")
def card_replace(card_id):
    """Make or replace the reader's card with this id (an id of a bundled card overrides it)."""
    card, created = _cards().put(card_id, json_body())
    return jsonify(card.to_json()), 201 if created else 200


@bp.delete("/v1/cards/<card_id>")
def card_delete(card_id):
    """Delete one of the reader's cards; a bundled card it overrode is used again."""
    _cards().delete(card_id)
    restored = services().find_card(card_id)
    return jsonify({"deleted": card_id, "restored": restored.to_json() if restored else None})


@bp.get("/v1/card-suggestions")
def card_suggestions():
    """Wikipedia's top matches for a name, to pre-fill a new card (an empty list offline)."""
    name = request.args.get("name", "").strip()
    if not name or len(name) > MAX_NAME:
        raise Unprocessable(f"Give ?name= with 1 to {MAX_NAME} characters.")
    wikipedia = current_app.extensions.get("contextcards_wikipedia")
    return jsonify(suggestions(wikipedia, name))


# -- OpenAPI ----------------------------------------------------------------------------------

CARD_ID = {"name": "card_id", "in": "path", "required": True, "schema": {"type": "string"}}
# Some character str.strip() keeps (it also strips \x1c-\x1f, \x85 and the Unicode spaces).
VISIBLE = r"[^\s\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
TEXT = {"type": "string", "pattern": VISIBLE, "not": {"pattern": MARKUP.pattern}}
FIELDS = {
    "title": TEXT, "kind": {"enum": list(KINDS)},
    "summary": {**TEXT, "maxLength": MAX_SUMMARY},
    "aliases": {"type": "array", "items": {"type": "string", "pattern": VISIBLE}},
    "wikipedia": {"anyOf": [TEXT, {"type": "null"}]},
    "facts": {"type": "array", "items": {**TEXT, "maxLength": MAX_FACT}},
    "as_of": {"type": ["string", "null"], "pattern": r"^(\d{4}(-\d{2}(-\d{2})?)?)?$",
              "description": "When the facts were checked; empty or left out: this month"},
}


def _card_body(with_id: bool) -> dict:
    """A card as a pack file's [[card]] table (knowledge/FORMAT.md); fields a GET adds are ignored."""
    properties = {"id": {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}, **FIELDS} if with_id else FIELDS
    return {"required": True, "content": {"application/json": {"schema": {
        "type": "object", "required": ["title", "kind", "summary"], "properties": properties,
        "additionalProperties": False}}}}


def _json(schema, status="200"):
    return {status: {"description": "OK", "content": {"application/json": {"schema": schema}}}}


OPENAPI_PATHS = {
    "/v1/cards": {
        "get": {"summary": "The reader's own cards",
                "parameters": [{"name": "source", "in": "query", "schema": {"enum": ["personal"]}}],
                "responses": {**_json({"type": "object", "properties": {"cards": {"type": "array", "items": CARD}}}),
                              **error_responses(401, 403, 422)}},
        "post": {"summary": "Make a card of one's own (validated exactly as pack files are)", "requestBody": _card_body(True),
                 "responses": {**_json(CARD, "201"), **error_responses(400, 401, 403, 409, 415, 422)}},
    },
    "/v1/cards/{card_id}": {
        "put": {"summary": "Make or replace one's own card with this id (overrides a bundled card with it)",
                "parameters": [{**CARD_ID, "schema": {"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"}}],
                "requestBody": _card_body(False),
                "responses": {**_json(CARD), **_json(CARD, "201"), **error_responses(400, 401, 403, 409, 415, 422)}},
        "delete": {"summary": "Delete one's own card (a bundled card it overrode shows again)",
                   "parameters": [CARD_ID],
                   "responses": {**_json({"type": "object", "properties": {
                       "deleted": {"type": "string"}, "restored": {"type": ["object", "null"]}}}),
                       **error_responses(401, 403, 404, 409)}},
    },
    "/v1/card-suggestions": {"get": {
        "summary": "Wikipedia's top matches for a name, to pre-fill a new card (empty when lookups are off)",
        "parameters": [{"name": "name", "in": "query", "required": True,
                        "schema": {"type": "string", "minLength": 1, "maxLength": MAX_NAME}}],
        "responses": {**_json({"type": "object", "properties": {
            "wikipedia": {"enum": ["on", "off", "paused"]},
            "suggestions": {"type": "array", "items": {"type": "object"}}}}), **error_responses(401, 403, 422)}}},
}
