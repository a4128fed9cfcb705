// The reader's own cards, the pages' side: the make-card page and the history page ask the service worker
// (background/main.js's one dispatcher, the only part that talks to the server) and get the server's data.

import { askBackground } from "../background/errors.js";
import { FROM_PAGES } from "../background/messages.js";

export const KINDS = Object.freeze(["person", "org", "place", "product", "policy", "law", "event", "concept"]);
const MAX_NAME = 200;

/** One method per message, resolving to the server's data or throwing an ExtensionError in plain words. */
export function cardsApi(send) {
  const ask = (message) => askBackground(send, message, "The server did not answer.");
  return {
    create: (card) => ask({ type: FROM_PAGES.CARD_CREATE, card }),
    suggest: (name) => ask({ type: FROM_PAGES.CARD_SUGGEST, name }),
    uncarded: (limit) => ask({ type: FROM_PAGES.NAMES_UNCARDED, limit }),
  };
}

/** The make-card page for a name, as an extension-relative path. */
export function makeCardPath(name) {
  return `cards/make-card.html?name=${encodeURIComponent(String(name).trim().slice(0, MAX_NAME))}`;
}
