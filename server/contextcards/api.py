"""The v1 JSON API: thin views that parse, call one service and answer JSON."""

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest as HTTPBadRequest

from . import __version__
from .annotate import parse_request, to_json
from .errors import BadRequest, NotFound, Unauthorized, Unprocessable
from .knowledge import Card
from .openapi import openapi_spec

bp = Blueprint("api", __name__)


def json_body():
    """The parsed JSON body, or a 400 that says why it could not be read."""
    try:
        return request.get_json()
    except HTTPBadRequest:
        raise BadRequest("The body is not valid JSON.", code="malformed_json") from None


def services():
    return current_app.extensions["contextcards"]


@bp.post("/v1/annotate")
def annotate():
    """Annotate a page's blocks and save it to history unless told not to."""
    svc = services()
    annotate_request = parse_request(json_body(), svc.config)
    return jsonify(to_json(svc.annotator.annotate(annotate_request)))


def card_or_404(card_id: str) -> Card:
    """A card by id from the pack or any other card source, or a 404."""
    found = services().find_card(card_id)
    if found is None:
        raise NotFound(f"There is no card {card_id[:80]!r}.")
    return found


@bp.get("/v1/cards/<card_id>")
def card(card_id):
    """One card by id, from the pack or any other card source."""
    return jsonify(card_or_404(card_id).to_json())


@bp.post("/v1/pair")
def pair():
    """Exchange a pairing code (printed by the server) for the install's token."""
    body = json_body()
    code = body.get("code") if isinstance(body, dict) else None
    if not isinstance(code, str) or not 1 <= len(code) <= 32:
        raise Unprocessable("Send {\"code\": \"XXXX-XXXX\"} with the code the server printed.")
    token = current_app.extensions["contextcards_pairing"].exchange(code)
    if token is None:
        raise Unauthorized("That pairing code is wrong or has expired; run `contextcards pair` for a new one.",
                           code="bad_pairing_code")
    return jsonify({"token": token})


@bp.get("/health")
def health():
    """Version, model, pack size and whether anything is degraded; history and Wikipedia figures need the token."""
    full = current_app.extensions["contextcards_pairing"].authorized(request.headers.get("Authorization"))
    return jsonify(services().health(full=full))


@bp.get("/v1/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of every route."""
    return jsonify(openapi_spec(__version__, services().openapi_paths))
