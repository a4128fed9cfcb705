"""Wikipedia for the long tail: client, cache, choice of page, text, cards and CLI; the only network access."""

from ..store import StoreBusy, get_store
from .background import BackgroundRefresh
from .cache import MemoryTable, apply_refreshed_summaries
from .cards import WikipediaCards


def init_app(app) -> WikipediaCards:
    """Wikipedia cards for this app, added to the card route and /health (the annotator is given them)."""
    services = app.extensions["contextcards"]
    try:
        table = get_store(app).kv("wikipedia")
    except StoreBusy:
        table = MemoryTable()  # another process holds the store: cache in memory for this one
    cards = WikipediaCards(app.config["CC"], services.pack, table)
    if not app.config["CC"].offline:
        apply_refreshed_summaries(services.pack, table)
    app.extensions["contextcards_wikipedia"] = cards
    services.card_sources.append(cards.card)
    services.health_sources.append(cards.report_health)
    return cards


def start_background_refresh(app) -> BackgroundRefresh | None:
    """Refresh pack summaries while the server is idle, when lookups are on and this process holds the store."""
    config = app.config["CC"]
    cards = app.extensions.get("contextcards_wikipedia")
    if config.offline or not config.background_refresh or cards is None or isinstance(cards.cache.table, MemoryTable):
        return None
    services = app.extensions["contextcards"]
    refresher = BackgroundRefresh(cards, cards.cache.table, app.extensions["contextcards_catalog"],
                                  services.annotator.idle_for)
    refresher.start()
    app.extensions["contextcards_refresh"] = refresher
    return refresher
