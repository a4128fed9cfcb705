"""One error hierarchy and one JSON error shape: {"error": {"code", "message"}}."""

import errno
import logging

from flask import jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger("contextcards")


class ContextCardsError(Exception):
    """An expected failure with an HTTP status and a machine-readable code."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, code: str | None = None, status: int | None = None,
                 retry_after: int | None = None):
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after
        if code:
            self.code = code
        if status:
            self.status = status


class BadRequest(ContextCardsError):
    status, code = 400, "bad_request"


class Unauthorized(ContextCardsError):
    status, code = 401, "unauthorized"


class Forbidden(ContextCardsError):
    status, code = 403, "forbidden"


class NotFound(ContextCardsError):
    status, code = 404, "not_found"


class Conflict(ContextCardsError):
    status, code = 409, "conflict"


class PayloadTooLarge(ContextCardsError):
    status, code = 413, "payload_too_large"


class UnsupportedMediaType(ContextCardsError):
    status, code = 415, "unsupported_media_type"


class Unprocessable(ContextCardsError):
    status, code = 422, "invalid_request"


class TooManyRequests(ContextCardsError):
    status, code = 429, "too_many_requests"


class ServiceUnavailable(ContextCardsError):
    status, code = 503, "unavailable"


class PackError(Exception):
    """A knowledge pack file that cannot be used; the message names the file and entry."""


def error_response(status: int, code: str, message: str):
    """The canonical JSON error answer."""
    response = jsonify({"error": {"code": code, "message": message}})
    response.status_code = status
    return response


def _http_code(exc: HTTPException) -> str:
    if exc.code == 413:
        return PayloadTooLarge.code
    return (exc.name or "error").lower().replace(" ", "_").replace("'", "")


def init_app(app):
    """Route every error, expected or not, to the JSON shape; never HTML, never a traceback."""

    @app.errorhandler(ContextCardsError)
    def handle_known(exc):
        response = error_response(exc.status, exc.code, exc.message)
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        if exc.status == 401:
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.errorhandler(HTTPException)
    def handle_http(exc):
        messages = {413: "The request body is larger than the server accepts."}
        response = error_response(exc.code or 500, _http_code(exc), messages.get(exc.code, exc.description or ""))
        if exc.code == 405 and exc.valid_methods:
            response.headers["Allow"] = ", ".join(exc.valid_methods)
        return response

    @app.errorhandler(OSError)
    def handle_storage(exc):
        # A full or read-only disk: nothing was written, and the answer says why.
        if exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return error_response(507, "insufficient_storage", "The disk is full: nothing was saved or deleted.")
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
            return error_response(503, "storage_read_only",
                                  "The data folder cannot be written: nothing was saved or deleted.")
        return handle_unexpected(exc)

    @app.errorhandler(Exception)
    def handle_unexpected(exc):
        # The type only: the message could quote page text.
        log.error("internal error: %s", type(exc).__name__)
        return error_response(500, "internal_error", "The server hit an unexpected error.")
