// The demo page's transport: the interface of content/transport.js over same-origin fetch, so /demo runs
// the extension's own content-script code with no extension installed. The demo's annotate never saves.
(function (ns) {
  "use strict";
  if (ns.transport) return;

  const ANNOTATE_PATH = "/demo/annotate";
  const CARD_PATH = "/demo/cards/"; // the same card as /v1/cards/<id>, without history, needing no token
  const DWELL_MS = 400;

  const TransportError = ns.ContentError; // the content side's one error class (content/errors.js)

  async function fetchJson(path, init) {
    let response;
    try {
      response = await fetch(path, { ...init, credentials: "same-origin", cache: "no-store" });
    } catch {
      throw new TransportError("server-not-running", "The Context Cards server stopped answering.");
    }
    const data = await response.json().catch(() => null);
    if (!response.ok || data === null) {
      const message = (data && data.error && data.error.message) || `The server answered ${response.status}.`;
      throw new TransportError(response.status === 404 ? "not-found" : "server-error", message);
    }
    return data;
  }

  const controls = {
    enabled: document.getElementById("demo-enabled"),
    mentions: document.getElementById("demo-mentions"),
    status: document.getElementById("demo-status"),
  };
  let settingsListener = null;
  for (const control of [controls.enabled, controls.mentions]) {
    if (control) control.addEventListener("change", () => settingsListener && settingsListener());
  }

  function mentions() {
    return controls.mentions && controls.mentions.value === "all" ? "all" : "first";
  }

  ns.transport = {
    TransportError,
    // The demo is stateless: no feedback and no history page, so its cards show neither action.
    capabilities: Object.freeze({ feedback: false, openHistory: false }),
    async hello() {
      const enabled = !controls.enabled || controls.enabled.checked;
      const settings = { dwellMs: DWELL_MS, mentions: mentions(), annotateKey: mentions() };
      return { enabled, reason: enabled ? null : "site-off", settings };
    },
    annotate(payload) {
      const body = { ...payload, mentions: mentions(), save: false };
      return fetchJson(ANNOTATE_PATH, {
        method: "POST",
        headers: { "Content-Type": "application/json", Accept: "application/json" },
        body: JSON.stringify(body),
      });
    },
    card(id) {
      return fetchJson(CARD_PATH + encodeURIComponent(id), { headers: { Accept: "application/json" } });
    },
    report(status) {
      if (!controls.status) return;
      if (!status.enabled) controls.status.textContent = "Underlines are off: the page is exactly as it was.";
      else controls.status.textContent = status.count === 1 ? "1 card on this page." : `${status.count} cards on this page.`;
    },
    onSettingsChanged(listener) {
      settingsListener = listener;
    },
    onStatusRequest() {
      // The demo has no popup to answer.
    },
  };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
