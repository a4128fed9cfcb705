"""The history of pages read: a store-backed service, its routes, records, exports, reader settings and CLI."""

import atexit
import logging

from ..store import StoreBusy, get_store
from .routes import OPENAPI_PATHS, bp
from .service import HistoryService
from . import uncarded

log = logging.getLogger("contextcards")


def init_app(app) -> HistoryService | None:
    """Open the store, build the index, add the routes, /health and OpenAPI entries; None when another process has it."""
    services = app.extensions["contextcards"]
    services.openapi_paths.update(OPENAPI_PATHS)
    services.openapi_paths.update(uncarded.OPENAPI_PATHS)
    app.register_blueprint(bp)
    app.register_blueprint(uncarded.bp)
    try:
        store = get_store(app)
    except StoreBusy as exc:
        # A second process on the same data directory (`contextcards annotate` while the server runs):
        # it works without history rather than overwrite the other's files.
        reason = f"history off: {exc}"
        log.warning(reason)
        services.health_sources.append(lambda report: report["degraded"].append(reason))
        return None
    history = HistoryService(store, services.pack)
    atexit.register(history.close)
    app.extensions["contextcards_history"] = history
    app.extensions["contextcards_uncarded"] = uncarded.UncardedNames(
        store, history.clock, lambda page_id: history.get(page_id) is not None)
    services.health_sources.append(history.report_health)
    return history
