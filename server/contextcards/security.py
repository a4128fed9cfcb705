"""The request guards every route passes through: loopback Host only, JSON bodies only, exact CORS origins."""

from urllib.parse import urlsplit

from flask import current_app, request
from flask_cors import CORS

from .errors import Forbidden, Unauthorized, UnsupportedMediaType
from .pairing import Pairing

BODY_METHODS = {"POST", "PUT", "PATCH"}
# Everything else needs the token: new routes are private unless listed here.
PUBLIC_ENDPOINTS = {"api.health", "api.pair", "demo.page", "demo.static_file", "demo.annotate", "demo.card"}


def check_host():
    """Refuse any Host but 127.0.0.1, localhost or [::1] with our port: DNS rebinding gets 403.

    A request line in absolute form (`GET http://host/path`) names the host that counts (RFC 9112,
    3.2.2): it must be an allowed one too.
    """
    allowed = current_app.config["CC"].allowed_hosts
    target = request.environ.get("REQUEST_URI", "/")
    absolute_host = None if target.startswith("/") or target == "*" else urlsplit(target).netloc.lower()
    if request.headers.get("Host", "").lower() not in allowed or absolute_host not in (None, *allowed):
        raise Forbidden("This server only answers requests addressed to 127.0.0.1.", code="bad_host")


def check_token():
    """Private routes need `Authorization: Bearer <token>`; CORS preflights carry no credentials."""
    if request.method == "OPTIONS" or request.endpoint is None or request.endpoint in PUBLIC_ENDPOINTS:
        return
    if not current_app.extensions["contextcards_pairing"].authorized(request.headers.get("Authorization")):
        raise Unauthorized("Send Authorization: Bearer <token>. Pair the extension with the code that "
                           "`contextcards pair` prints, or read the token with `contextcards token`.")


def check_content_type():
    """Only application/json bodies: a page cannot send one without a CORS preflight."""
    if request.routing_exception is not None:
        return  # no such route or method: Flask answers 404 or 405 itself
    if request.method in BODY_METHODS and request.mimetype != "application/json":
        raise UnsupportedMediaType("Send the body as application/json.")


def init_app(app):
    """Install the guards before every request, and CORS for the configured extension origins only."""
    app.extensions["contextcards_pairing"] = Pairing(app.config["CC"].data_dir)
    app.before_request(check_host)
    app.before_request(check_token)
    app.before_request(check_content_type)
    CORS(
        app,
        resources={r"/v1/*": {"origins": list(app.config["CC"].allowed_origins)}},
        supports_credentials=False,
        allow_private_network=False,
        allow_headers=["Content-Type", "Authorization"],
        methods=["GET", "POST", "PUT", "DELETE"],
        max_age=600,
    )
