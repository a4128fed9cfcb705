"""The reader's own cards: a pack file in the data directory, its routes, CLI and the catalog it feeds."""

from ..catalog import Catalog
from .cards import PersonalCards
from .routes import OPENAPI_PATHS, bp


def init_app(app) -> PersonalCards:
    """Load the reader's cards over the packs, keep them in step with their file, and add the card routes."""
    services = app.extensions["contextcards"]
    catalog = Catalog(services)
    app.extensions["contextcards_catalog"] = catalog
    wikipedia_cards = app.extensions.get("contextcards_wikipedia")
    history = app.extensions.get("contextcards_history")

    def follow(pack):
        """The other holders of the pack see the reader's cards too (Wikipedia pages they name, corrections)."""
        if wikipedia_cards is not None:
            wikipedia_cards.pack = pack
            wikipedia_cards.pack_by_title = {card.wikipedia: card.id for card in pack.cards.values() if card.wikipedia}
        if history is not None:
            history.reader.pack = pack

    services.pack_listeners.append(follow)
    cards = PersonalCards(app.config["CC"].data_dir, frozenset(catalog.base), catalog.set_personal)
    app.extensions["contextcards_personal"] = cards
    if services.annotator is not None:
        services.annotator.before_request = cards.sync
    services.health_sources.append(lambda report: report_health(cards, report))
    services.openapi_paths.update(OPENAPI_PATHS)
    app.register_blueprint(bp)
    return cards


def report_health(cards: PersonalCards, report: dict) -> None:
    """The health_sources hook: how many personal cards are in use, and a problem with their file."""
    report["personal_cards"] = len(cards.cards)
    if cards.problem:
        report["degraded"].append(f"personal cards file not used as it is now: {cards.problem}")
