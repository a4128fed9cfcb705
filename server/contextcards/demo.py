"""The demo page: the real content script over a same-origin transport, stateless, no install needed."""

from flask import Blueprint, current_app, jsonify, send_from_directory

from .annotate import parse_request, to_json
from .api import json_body, services
from .errors import NotFound

bp = Blueprint("demo", __name__)


def _extension_dir():
    folder = current_app.config["CC"].extension_dir
    if not (folder / "demo" / "demo.html").is_file():
        raise NotFound("The demo page ships with the source checkout; extension/ was not found.")
    return folder


@bp.get("/demo")
def page():
    """The demo article."""
    return send_from_directory(_extension_dir() / "demo", "demo.html")


@bp.get("/demo/static/<path:name>")
def static_file(name):
    """The extension's own scripts and styles, so the demo runs exactly the same code."""
    return send_from_directory(_extension_dir(), name)


@bp.post("/demo/annotate")
def annotate():
    """Annotate without saving or reading history."""
    svc = services()
    annotate_request = parse_request(json_body(), svc.config)
    annotate_request.save = False
    return jsonify(to_json(svc.annotator.annotate(annotate_request, stateless=True)))
