"""The reader's settings: muted cards, link corrections (per site or everywhere) and site rules.

They live in the store's "settings" key-value table, are read on every annotate as
LinkOptions, and change through POST /v1/feedback and
POST /v1/settings. Site rules: "never" means pages on that site (and its subdomains)
are never saved; "always" is for the extension (annotate without asking).
"""

from dataclasses import dataclass

from .record import site_matches, site_of
from ..knowledge import alias_key
from ..linking import LinkOptions
from ..store import Store

SITE_RULES = ("always", "never")


def _optional_text(value) -> bool:
    return value is None or isinstance(value, str)


def valid_settings(stored) -> bool:
    """Whether a stored settings record has every field, of the type this module writes."""
    try:
        return (all(isinstance(m["card"], str) and _optional_text(m.get("term")) and _optional_text(m.get("site"))
                    for m in stored["muted"])
                and all(isinstance(c["card"], str) and _optional_text(c["term"]) and _optional_text(c.get("site"))
                        and _optional_text(c["to"]) for c in stored["corrections"])
                and isinstance(stored["muted"], list) and isinstance(stored["corrections"], list)
                and isinstance(stored["site_rules"], dict)
                and all(isinstance(site, str) and rule in SITE_RULES for site, rule in stored["site_rules"].items()))
    except (KeyError, TypeError, AttributeError):
        return False


@dataclass
class Feedback:
    """What the reader said about a card: mute or unmute it, or correct the link for a term."""

    card: str
    action: str
    to: str | None = None
    term: str | None = None
    site: str | None = None


class ReaderSettings:
    """Muted cards, corrections and site rules, cached in memory and saved to the store on every change."""

    def __init__(self, store: Store, pack=None):
        self.pack = pack
        self.lock = store.lock
        self.table = store.kv("settings")
        with self.lock:
            stored = self.table.get("user")
            if stored is not None and not valid_settings(stored):
                # Hand-edited or written by a broken build: the reader starts from no settings, told in /health.
                self.table.set_aside("user", "settings with a missing or wrong-typed field")
                stored = None
            self._settings = stored or {"muted": [], "corrections": [], "site_rules": {}}

    def site_rule(self, site: str | None) -> str | None:
        """The rule for a site: the most specific of the rules that cover it."""
        rules = [(len(rule_site), rule) for rule_site, rule in self._settings["site_rules"].items()
                 if site_matches(site, rule_site)]
        return max(rules)[1] if rules else None

    def settings(self) -> dict:
        """Muted cards, corrections and site rules, as stored."""
        with self.lock:
            return {"muted": [dict(m) for m in self._settings["muted"]],
                    "corrections": [dict(c) for c in self._settings["corrections"]],
                    "site_rules": dict(self._settings["site_rules"])}

    def _save_settings(self, settings: dict) -> dict:
        self.table.set("user", settings)
        self._settings = settings
        return self.settings()

    def apply_feedback(self, feedback: Feedback) -> dict:
        """Mute, unmute or correct; the settings afterwards."""
        with self.lock:
            settings = self.settings()

            def same_place(item):
                return item.get("site") == feedback.site

            if feedback.action == "mute":
                if not any(m["card"] == feedback.card and same_place(m) for m in settings["muted"]):
                    settings["muted"].append({"card": feedback.card, "term": feedback.term, "site": feedback.site})
            elif feedback.action == "unmute":
                settings["muted"] = [m for m in settings["muted"] if not (m["card"] == feedback.card and
                                                                         (feedback.site is None or same_place(m)))]
            else:
                settings["corrections"] = [c for c in settings["corrections"]
                                           if not (same_place(c) and self._same_term(c, feedback))]
                if feedback.action == "correct":
                    settings["corrections"].append({"term": feedback.term, "site": feedback.site,
                                                    "card": feedback.card, "to": feedback.to})
            return self._save_settings(settings)

    @staticmethod
    def _same_term(correction: dict, feedback: Feedback) -> bool:
        if feedback.term is None:
            return correction["card"] == feedback.card
        return correction["term"] is not None and alias_key(correction["term"]) == alias_key(feedback.term)

    def _terms(self, correction: dict) -> list[str]:
        """The words a correction is for: its term, or every name of its card in the pack."""
        if correction["term"] is not None:
            return [correction["term"]]
        card = self.pack.get(correction["card"]) if self.pack else None
        return [card.title, *card.aliases] if card else []

    def set_site_rules(self, rules: dict[str, str | None]) -> dict:
        """Set (or, with None, remove) the rule of each site given; the settings afterwards."""
        with self.lock:
            settings = self.settings()
            for site, rule in rules.items():
                if rule is None:
                    settings["site_rules"].pop(site, None)
                else:
                    settings["site_rules"][site] = rule
            return self._save_settings(settings)

    def link_options(self, url: str) -> LinkOptions:
        """The muted cards and corrections that apply on the site of this page."""
        site = site_of(url)
        with self.lock:
            muted = frozenset(m["card"] for m in self._settings["muted"]
                              if m.get("site") is None or site_matches(site, m["site"]))
            corrections: dict[str, str | None] = {}
            # Corrections for every site first, so a correction made on this site wins.
            for item in sorted(self._settings["corrections"], key=lambda c: c.get("site") is not None):
                if item.get("site") is None or site_matches(site, item["site"]):
                    corrections.update((alias_key(term), item["to"]) for term in self._terms(item))
        return LinkOptions(muted=muted, corrections=corrections)
