"""The cards in use: the loaded packs with their refreshed summaries, and the reader's own cards over them.

A change makes a new Pack (and, when aliases may have changed, a new alias index over the
already loaded spaCy pipeline) and hands both to the app at once, so a request in flight
finishes with the cards it started with and the next one uses the new set.
"""

import threading
from dataclasses import replace

from .knowledge import Card, Pack
from .recognition import Recognizer


class Catalog:
    """Merges the reader's cards over the packs (same id wins) and applies refreshed summaries."""

    def __init__(self, services):
        self.services = services
        self.lock = threading.Lock()
        self.base: dict[str, Card] = dict(services.pack.cards)
        self.personal: dict[str, Card] = {}

    def set_personal(self, cards: list[Card]) -> None:
        """Use this set of personal cards from the next request on; a bundled card a personal one hid shows again."""
        with self.lock:
            self.personal = {card.id: card for card in cards}
            pack = Pack(list({**self.base, **self.personal}.values()))
            recognizer = Recognizer(self.services.config.model, pack)
            self.services.use_pack(pack, recognizer)

    def refresh_summary(self, card_id: str, summary: str, refreshed: str) -> bool:
        """A pack card's summary as Wikipedia has it now (its facts and as_of stay); False if there is no such card."""
        with self.lock:
            card = self.base.get(card_id)
            if card is None:
                return False
            card = self.base[card_id] = replace(card, summary=summary, source="wikipedia",
                                                summary_refreshed=refreshed)
            if card_id not in self.personal:
                self.services.pack.cards[card_id] = card  # one item: aliases are unchanged, so is the index
            return True
