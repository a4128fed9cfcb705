// The content script's way out: runtime messages to the service worker (the only part that talks to the server).
// The demo page swaps in demo/page-transport.js, which implements the same interface over same-origin fetch.
(function (ns) {
  "use strict";
  if (ns.transport) return;

  const runtime = (globalThis.browser || globalThis.chrome).runtime;
  // The same names as background/messages.js (classic scripts cannot import it; a test keeps them equal).
  const MESSAGES = Object.freeze({
    HELLO: "hello",
    ANNOTATE: "annotate",
    CARD: "card",
    PAGE_STATUS: "page-status",
    FEEDBACK: "feedback",
    OPEN_HISTORY: "open-history",
    SETTINGS_CHANGED: "settings-changed",
    GET_PAGE_STATUS: "get-page-status",
  });

  const TransportError = ns.ContentError; // the content side's one error class (content/errors.js)

  async function send(message) {
    let answer;
    try {
      answer = await runtime.sendMessage(message);
    } catch (error) {
      // The extension was reloaded or removed under this page: this copy of the script is orphaned.
      throw new TransportError("disconnected", String((error && error.message) || error));
    }
    if (!answer || !answer.ok) {
      const reported = (answer && answer.error) || {};
      throw new TransportError(reported.kind || "internal", reported.message || "No answer from the extension.");
    }
    return answer;
  }

  const listeners = { settingsChanged: null, statusRequest: null };
  runtime.onMessage.addListener((message, sender, sendResponse) => {
    if (!message || sender.id !== runtime.id) return false;
    if (message.type === MESSAGES.SETTINGS_CHANGED && listeners.settingsChanged) {
      listeners.settingsChanged();
      return false;
    }
    if (message.type === MESSAGES.GET_PAGE_STATUS && listeners.statusRequest) {
      sendResponse(listeners.statusRequest());
      return false;
    }
    return false;
  });

  ns.transport = {
    MESSAGES,
    TransportError,
    /** {enabled, reason?, settings: {dwellMs, mentions}} for this page. */
    async hello() {
      const answer = await send({ type: MESSAGES.HELLO });
      return { enabled: answer.enabled, reason: answer.reason, settings: answer.settings };
    },
    /** {url, title, lang, blocks} → {annotations, cards}. */
    async annotate(payload) {
      return (await send({ type: MESSAGES.ANNOTATE, payload })).result;
    },
    /** A card by id (asked again while it is pending). */
    async card(id) {
      return (await send({ type: MESSAGES.CARD, id })).card;
    },
    /** What this transport can do beyond annotating: the card's history actions. */
    capabilities: Object.freeze({ feedback: true, openHistory: true }),
    /** {card, action: "mute" | "correct", to?, term?}: the service worker adds this page's site and the token. */
    async feedback(body) {
      return (await send({ type: MESSAGES.FEEDBACK, body })).settings;
    },
    /** Open the history page's view of one card in a new tab. */
    async openHistory(card) {
      await send({ type: MESSAGES.OPEN_HISTORY, card });
    },
    /** Tell the extension what the page shows now: {count, enabled}. */
    report(status) {
      send({ type: MESSAGES.PAGE_STATUS, count: status.count, enabled: status.enabled }).catch(() => {});
    },
    onSettingsChanged(listener) {
      listeners.settingsChanged = listener;
    },
    onStatusRequest(listener) {
      listeners.statusRequest = listener;
    },
  };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
