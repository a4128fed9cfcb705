"""The app factory: layer the configuration, load the pack and pipeline once, register the blueprints."""

from dataclasses import dataclass, field

from flask import Flask

from . import __version__, api, demo, errors, history, personal, security, wikipedia
from .annotate import Annotator
from .config import Config, config_from_env, ensure_private_dir
from .knowledge import Card, Pack, load_pack
from .recognition import Recognizer, get_recognizer


@dataclass
class Services:
    """The per-app resources the views use; other modules add card sources and health entries."""

    config: Config
    pack: Pack
    recognizer: Recognizer
    annotator: Annotator | None = None
    card_sources: list = field(default_factory=list)
    health_sources: list = field(default_factory=list)
    openapi_paths: dict = field(default_factory=dict)
    pack_listeners: list = field(default_factory=list)

    def use_pack(self, pack: Pack, recognizer: Recognizer) -> None:
        """Serve another pack from the next request on (the reader's own cards changed)."""
        self.pack, self.recognizer = pack, recognizer
        if self.annotator is not None:
            self.annotator.use(pack, recognizer)
        for listener in self.pack_listeners:
            listener(pack)

    def find_card(self, card_id: str) -> Card | None:
        """A card from the pack, else from the first other source that knows it."""
        if self.annotator is not None and self.annotator.before_request is not None:
            self.annotator.before_request()
        card = self.pack.get(card_id)
        if card:
            return card
        for source in self.card_sources:
            found = source(card_id)
            if found:
                return found
        return None

    def health(self, full: bool = True) -> dict:
        """What /health reports; without `full` (no token) only whether the server works, nothing the reader did."""
        reasons = [self.recognizer.degraded_reason] if self.recognizer.degraded_reason else []
        report = {
            "status": "ok",
            "version": __version__,
            "model": None if reasons else self.recognizer.model_name,
            "ner": self.recognizer.has_ner,
            "pack_size": len(self.pack),
            "degraded": list(reasons),
        }
        public = {**report, "degraded": list(reasons)}
        for source in self.health_sources:
            source(report)
        if report["degraded"]:
            report["status"] = public["status"] = "degraded"
        if full:
            return report
        # History and Wikipedia figures (page counts, set-aside files, a paused lookup) tell what the reader did.
        if len(report["degraded"]) > len(reasons):
            public["degraded"].append("history or Wikipedia trouble: ask /health with the token for details")
        return public


def create_app(config: Config | None = None) -> Flask:
    """Build an app from a Config (or the environment); no work happens at import time."""
    config = config or config_from_env()
    app = Flask(__name__, static_folder=None)
    app.config["CC"] = config
    app.config["MAX_CONTENT_LENGTH"] = config.max_body_bytes
    app.json.sort_keys = False
    ensure_private_dir(config.data_dir)
    pack = load_pack(config.packs, config.bundled_pack)
    recognizer = get_recognizer(config.model, pack)
    services = app.extensions["contextcards"] = Services(config, pack, recognizer)
    errors.init_app(app)
    security.init_app(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(demo.bp)
    wikipedia_cards = wikipedia.init_app(app)
    history_service = history.init_app(app)
    services.annotator = Annotator(config, services.pack, services.recognizer, wikipedia_cards, history_service,
                                   app.extensions.get("contextcards_uncarded"))
    personal.init_app(app)
    return app
