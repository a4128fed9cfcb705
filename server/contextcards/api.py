"""The v1 JSON API: thin views that parse, call one service and answer JSON."""

import threading
from contextlib import nullcontext

from flask import Blueprint, current_app, jsonify, request
from werkzeug.exceptions import BadRequest as HTTPBadRequest

from . import __version__
from .annotate import parse_request, to_json
from .errors import BadRequest, NotFound, Unauthorized, Unprocessable
from .knowledge import Card
from .offsets import LONE_SURROGATE
from .openapi import openapi_spec
from .pairing import MAX_CODE_CHARS

bp = Blueprint("api", __name__)
# The deepest real body is three levels ({"blocks": [{"id", "text"}]}); the parser itself overflows near 1,000.
MAX_JSON_DEPTH = 16
# json.loads holds the GIL for the whole body (tens of ms for megabytes): large bodies are parsed one at a time,
# so a burst of them cannot stall /health for the sum of their parses.
LARGE_BODY_BYTES = 256 * 1024
_large_body_gate = threading.Lock()


def json_body():
    """The parsed JSON body, or a 400 that says why it could not be read. Lone UTF-16 surrogates ("\\ud800"),
    which no UTF-8 file or page can hold, become U+FFFD one for one (UTF-16 offsets do not move)."""
    large = request.content_length is None or request.content_length > LARGE_BODY_BYTES
    try:
        with _large_body_gate if large else nullcontext():
            return _checked(request.get_json())
    except HTTPBadRequest:
        raise BadRequest("The body is not valid JSON.", code="malformed_json") from None
    except RecursionError:
        raise _too_deep() from None


def _too_deep() -> BadRequest:
    return BadRequest(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.", code="too_deeply_nested")


def _checked(value, depth: int = 0):
    """The value with lone surrogates replaced, or a 400 when it nests deeper than MAX_JSON_DEPTH."""
    if isinstance(value, str):
        return LONE_SURROGATE.sub("\ufffd", value) if LONE_SURROGATE.search(value) else value
    if isinstance(value, (list, dict)) and depth >= MAX_JSON_DEPTH:
        raise _too_deep()
    if isinstance(value, list):
        return [_checked(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {_checked(key): _checked(item, depth + 1) for key, item in value.items()}
    return value


def services():
    return current_app.extensions["contextcards"]


@bp.post("/v1/annotate")
def annotate():
    """Annotate a page's blocks and save it to history unless told not to."""
    svc = services()
    svc.annotator.refuse_if_busy()
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
    if not isinstance(code, str) or not 1 <= len(code) <= MAX_CODE_CHARS:
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
