"""The HTTP server: waitress on loopback only, sized so that hostile connections cannot lock the reader out,
and answering its own errors (bad framing, oversized headers) in the API's JSON shape.

Any web page can open connections to 127.0.0.1. Waitress stops accepting new ones at its
connection limit, so a few dozen slow or idle connections used to lock everyone out. The limit
is now far above what one browser can open (Chromium's socket pool holds 256 per profile), an
idle connection is closed after CHANNEL_TIMEOUT seconds without a byte, and a request only
takes a thread once waitress has read all of it, so slow senders never hold a thread. Waitress
has no deadline for a whole request: a connection trickling a header line now and then stays
open until MAX_HEADER_BYTES, but it is one connection among CONNECTION_LIMIT.
"""

import gc
import json
import sys

from waitress import create_server
from waitress.channel import HTTPChannel
from waitress.task import ErrorTask

# Two pages run NLP, at most annotate.MAX_WAITING wait for a turn; the rest of the threads answer
# /health, cards and busy 429s at once, however many large pages arrive together.
THREADS = 16
CONNECTION_LIMIT = 500
CHANNEL_TIMEOUT = 15  # seconds of silence before an idle or stalled connection is closed
CLEANUP_INTERVAL = 5  # how often waitress looks for such connections
MAX_HEADER_BYTES = 64 * 1024
# Read large bodies in few, large reads: waitress's one I/O thread needs the GIL for each, and NLP holds it.
RECV_BYTES = 256 * 1024
SWITCH_INTERVAL = 0.001
ERROR_CODES = {413: "payload_too_large", 431: "headers_too_large", 500: "internal_error"}


class JsonErrorTask(ErrorTask):
    """Waitress's own error answers (400, 413, 431, 500) as {"error": {"code", "message"}}."""

    def execute(self):
        error = self.request.error
        code = ERROR_CODES.get(error.code, error.reason.lower().replace(" ", "_"))
        body = json.dumps({"error": {"code": code, "message": f"{error.reason}: {error.body}"}}).encode()
        self.status = f"{error.code} {error.reason}"
        self.response_headers.append(("Content-Type", "application/json"))
        self.set_close_on_finish()
        self.content_length = len(body)
        self.write(body)


class JsonErrorChannel(HTTPChannel):
    """A waitress connection whose framing errors are answered by JsonErrorTask."""

    error_task_class = JsonErrorTask


def make_server(app, port: int, max_body_bytes: int):
    """The waitress server for the app on 127.0.0.1:port (never any other interface)."""
    server = create_server(
        app, host="127.0.0.1", port=port, threads=THREADS, ident="contextcards",
        connection_limit=CONNECTION_LIMIT, channel_timeout=CHANNEL_TIMEOUT, cleanup_interval=CLEANUP_INTERVAL,
        asyncore_use_poll=True,  # select() cannot watch descriptors above 1023
        max_request_header_size=MAX_HEADER_BYTES, recv_bytes=RECV_BYTES,
        # Above Flask's own limit, so oversized bodies get Flask's JSON 413 before waitress's.
        max_request_body_size=2 * max_body_bytes,
        clear_untrusted_proxy_headers=True)
    server.channel_class = JsonErrorChannel
    # The model, pack and caches loaded so far live as long as the process: keep them out of the garbage
    # collector's full passes, which hold the GIL (about 0.1 s each with them, so /health would wait).
    gc.freeze()
    # Waitress reads and writes every connection on one thread, which needs the GIL for each step while two
    # NLP threads hold it: hand the GIL over every 1 ms rather than 5 ms, so /health is not queued behind them.
    sys.setswitchinterval(SWITCH_INTERVAL)
    return server
