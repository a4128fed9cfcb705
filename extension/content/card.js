// The card: drawn in a closed shadow root with DOM methods and textContent only, placed next to its mention.
(function (ns) {
  "use strict";
  if (ns.card) return;

  const HOST_TAG = "cc-card-host";
  const GAP = 6; // px between the mention and the card
  const EDGE = 8; // px kept free at the viewport's edges

  const KIND_LABELS = {
    person: "Person",
    org: "Organisation",
    place: "Place",
    product: "Product",
    policy: "Policy",
    law: "Law or regulation",
    event: "Event",
    concept: "Concept",
  };
  const SOURCE_LABELS = { pack: "Context Cards knowledge pack", personal: "your own card", wikipedia: "Wikipedia" };
  const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];

  // Host rules are !important: inside a shadow tree those beat the page's own !important rules for the host.
  const STYLES = `
:host { all: initial !important; position: fixed !important; inset: 0 auto auto 0 !important; width: 0 !important;
  height: 0 !important; z-index: 2147483647 !important; display: block !important; overflow: visible !important; }
[hidden] { display: none !important; }
.card { position: fixed; box-sizing: border-box; width: max-content; max-width: min(360px, calc(100vw - 16px));
  padding: 12px 14px; border-radius: 8px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  text-align: start; white-space: normal; letter-spacing: normal; word-spacing: normal; text-transform: none;
  background: #ffffff; color: #1f2328; border: 1px solid #d0d7de;
  box-shadow: 0 4px 16px rgba(31, 35, 40, 0.16); animation: cc-in 120ms ease-out; }
.card:focus { outline: none; }
.card:focus-visible { outline: 2px solid #2f6fd6; outline-offset: 2px; }
.kind { margin: 0 0 2px; font-size: 11px; letter-spacing: 0.06em; text-transform: uppercase; color: #57606a; }
.title { margin: 0 0 6px; font-size: 16px; font-weight: 600; line-height: 1.3; }
.summary { margin: 0 0 8px; }
.facts { margin: 0 0 8px; padding: 0 0 0 18px; }
.facts li { margin: 0; }
.status, .alternatives, .seen, .feedback-note { margin: 0 0 8px; color: #57606a; }
.seen button.seen-link { padding: 0; border: 0; background: none; color: #0b57d0; text-decoration: underline; font-size: inherit; }
.status[data-state="pending"]::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-inline-end: 6px;
  border-radius: 50%; background: currentColor; animation: cc-pulse 1s ease-in-out infinite alternate; }
.actions { display: flex; gap: 8px; margin: 0 0 8px; }
.source { margin: 0; font-size: 12px; color: #57606a; }
a { color: #0b57d0; }
button { font: inherit; font-size: 12px; padding: 2px 8px; border-radius: 4px; border: 1px solid #d0d7de;
  background: #f6f8fa; color: inherit; cursor: pointer; }
.announce { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.card[data-scheme="dark"] { background: #1c2128; color: #e6edf3; border-color: #444c56; box-shadow: 0 4px 16px rgba(0, 0, 0, 0.5); }
.card[data-scheme="dark"] .kind, .card[data-scheme="dark"] .status, .card[data-scheme="dark"] .alternatives,
.card[data-scheme="dark"] .seen, .card[data-scheme="dark"] .feedback-note, .card[data-scheme="dark"] .source { color: #9da7b3; }
.card[data-scheme="dark"] .seen button.seen-link { background: none; color: #79b8ff; }
.card[data-scheme="dark"] a { color: #79b8ff; }
.card[data-scheme="dark"] button { background: #2d333b; border-color: #444c56; }
@keyframes cc-in { from { opacity: 0; } to { opacity: 1; } }
@keyframes cc-pulse { from { opacity: 0.25; } to { opacity: 1; } }
@media (prefers-reduced-motion: reduce) { .card, .status[data-state="pending"]::before { animation: none; } }
`;

  /** Create an element with a class and, optionally, text (always as textContent). */
  function el(doc, tag, className, text) {
    const node = doc.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** A link target only for http(s) URLs on wikipedia.org; null for anything else. */
  function wikipediaHref(url) {
    if (typeof url !== "string") return null;
    let parsed;
    try {
      parsed = new URL(url);
    } catch {
      return null;
    }
    const httpish = parsed.protocol === "https:" || parsed.protocol === "http:";
    const host = parsed.hostname.toLowerCase();
    if (!httpish || parsed.username || parsed.password) return null;
    return host === "wikipedia.org" || host.endsWith(".wikipedia.org") ? parsed.href : null;
  }

  /** "2025-06" → "June 2025"; anything else is shown as given. */
  function asOfLabel(value) {
    const match = /^(\d{4})-(\d{2})$/.exec(String(value));
    if (match && Number(match[2]) >= 1 && Number(match[2]) <= 12) return `${MONTHS[Number(match[2]) - 1]} ${match[1]}`;
    return String(value);
  }

  /** "light" or "dark": the page's own background when it paints one, else the reader's preference. */
  function pageScheme(doc) {
    const view = doc.defaultView;
    for (const node of [doc.body, doc.documentElement]) {
      if (!node || !view) continue;
      const match = /rgba?\(([\d.]+),\s*([\d.]+),\s*([\d.]+)(?:,\s*([\d.]+))?\)/.exec(view.getComputedStyle(node).backgroundColor);
      if (!match || (match[4] !== undefined && Number(match[4]) < 0.5)) continue;
      const [r, g, b] = [match[1], match[2], match[3]].map(Number);
      return 0.2126 * r + 0.7152 * g + 0.0722 * b < 110 ? "dark" : "light";
    }
    return view && view.matchMedia && view.matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
  }

  /** Where the card goes: below the anchor, or above when it does not fit below; kept inside the viewport. */
  function placement(anchor, size, viewport) {
    const below = anchor.bottom + GAP;
    const above = anchor.top - GAP - size.height;
    const fitsBelow = below + size.height <= viewport.height - EDGE;
    const side = fitsBelow || above < EDGE ? "below" : "above";
    const top = side === "below" ? below : above;
    const maxLeft = viewport.width - EDGE - size.width;
    const left = Math.max(EDGE, Math.min(anchor.left, maxLeft));
    return { top: Math.round(top), left: Math.round(left), side };
  }

  /**
   * One card UI per page: a host element with a closed shadow root, created on first use.
   * `handlers`: onPointerEnter, onPointerLeave, onRetry, onEscape (all optional). Two more turn on the history
   * actions when given (the demo page has neither): onFeedback(action, cardId) → promise, action "not-this" or
   * "mute", which rejects with an error whose message the card shows; onOpenHistory(cardId).
   */
  class CardView {
    constructor(doc, handlers) {
      this.doc = doc;
      this.handlers = handlers || {};
      this.host = null;
      this.root = null;
      this.cardEl = null;
      this.announcer = null;
      this.anchor = null;
    }

    ensureHost() {
      if (this.host && this.host.isConnected) return;
      const doc = this.doc;
      this.host = doc.createElement(HOST_TAG);
      // Closed: the page's scripts cannot reach the card's contents (history details will live here).
      this.root = this.host.attachShadow({ mode: "closed" });
      this.adoptStyles();
      this.cardEl = el(doc, "div", "card");
      this.cardEl.setAttribute("role", "dialog");
      this.cardEl.setAttribute("aria-modal", "false");
      this.cardEl.setAttribute("aria-labelledby", "cc-card-title");
      this.cardEl.tabIndex = -1;
      this.cardEl.hidden = true;
      this.announcer = el(doc, "div", "announce");
      this.announcer.setAttribute("aria-live", "polite");
      this.root.append(this.cardEl, this.announcer);
      this.host.addEventListener("mouseenter", () => this.handlers.onPointerEnter && this.handlers.onPointerEnter());
      this.host.addEventListener("mouseleave", () => this.handlers.onPointerLeave && this.handlers.onPointerLeave());
      // Outside <body> so page rules like `body > *` never touch it.
      doc.documentElement.appendChild(this.host);
    }

    adoptStyles() {
      const view = this.doc.defaultView;
      try {
        const sheet = new view.CSSStyleSheet();
        sheet.replaceSync(STYLES);
        this.root.adoptedStyleSheets = [sheet];
      } catch {
        // Firefox content scripts cannot adopt a sheet made in their own compartment (bug 1751346): use <style>.
        this.root.appendChild(el(this.doc, "style", "", STYLES));
      }
    }

    get isOpen() {
      return Boolean(this.cardEl && !this.cardEl.hidden);
    }

    /** Whether a node is the card host (events from inside a closed root are retargeted to it). */
    owns(node) {
      return Boolean(node && this.host && (node === this.host || this.host.contains(node)));
    }

    /**
     * Show a card next to an anchor element. `card` may be pending; `extra` holds
     * {alternatives: [card], pendingFailed: bool, announce: bool, pointer: {x, y}}.
     */
    show(anchor, card, extra) {
      this.ensureHost();
      this.anchor = anchor;
      this.render(card, extra || {});
      this.cardEl.hidden = false;
      this.position(extra && extra.pointer);
      if (extra && extra.announce) this.announce(card);
    }

    /** Redraw the open card (a pending card became ready) without moving the anchor. */
    update(card, extra) {
      if (!this.isOpen) return;
      this.render(card, extra || {});
      this.position();
    }

    hide() {
      if (!this.cardEl) return;
      this.cardEl.hidden = true;
      this.anchor = null;
      this.announcer.textContent = "";
    }

    /** Move keyboard focus into the card (Enter on a focused mention). */
    focus() {
      if (this.isOpen) this.cardEl.focus();
    }

    hasFocus() {
      return Boolean(this.root && this.isOpen && this.root.activeElement);
    }

    /** Remove the card from the page entirely (turning off restores the page). */
    destroy() {
      if (this.host) this.host.remove();
      this.host = this.root = this.cardEl = this.announcer = this.anchor = null;
    }

    announce(card) {
      const kind = KIND_LABELS[card.kind] || "";
      this.announcer.textContent = [card.title, kind, card.summary].filter(Boolean).join(". ");
    }

    render(card, extra) {
      const doc = this.doc;
      const box = this.cardEl;
      box.replaceChildren();
      box.dataset.scheme = pageScheme(doc);
      box.dataset.card = String(card.id || "");
      const pending = card.status === "pending";
      box.setAttribute("aria-busy", pending && !extra.pendingFailed && !extra.noCard ? "true" : "false");

      if (KIND_LABELS[card.kind]) box.append(el(doc, "p", "kind", KIND_LABELS[card.kind]));
      const title = el(doc, "h2", "title", String(card.title || card.id || ""));
      title.id = "cc-card-title";
      box.append(title);

      if (pending) {
        const status = el(doc, "p", "status");
        status.setAttribute("role", "status");
        if (extra.noCard) {
          status.dataset.state = "none";
          status.append("No encyclopedia article fits this name.");
        } else if (extra.pendingFailed) {
          status.dataset.state = "failed";
          status.append("Could not look this up yet. ");
          const retry = el(doc, "button", "retry", "Try again");
          retry.type = "button";
          retry.addEventListener("click", () => this.handlers.onRetry && this.handlers.onRetry(card.id));
          status.append(retry);
        } else {
          status.dataset.state = "pending";
          status.append("Looking this up…");
        }
        box.append(status);
      }
      if (card.summary) box.append(el(doc, "p", "summary", String(card.summary)));
      if (Array.isArray(card.facts) && card.facts.length) {
        const list = el(doc, "ul", "facts");
        for (const fact of card.facts) list.append(el(doc, "li", "", String(fact)));
        box.append(list);
      }
      const alternatives = (extra.alternatives || []).filter((alt) => alt && alt.title);
      if (alternatives.length) {
        box.append(el(doc, "p", "alternatives", `Could also be: ${alternatives.map((alt) => alt.title).join(", ")}`));
      }
      box.append(this.seenBefore(card.seen_before, card.id));
      box.append(...this.feedbackActions(card));
      box.append(this.sourceLine(card));
    }

    /** "Not this" and "Mute", with a line for what happened; hidden when the transport cannot send feedback. */
    feedbackActions(card) {
      const doc = this.doc;
      const actions = el(doc, "div", "actions");
      actions.dataset.slot = "feedback";
      const note = el(doc, "p", "feedback-note");
      note.setAttribute("role", "status");
      note.hidden = true;
      const onFeedback = this.handlers.onFeedback;
      if (!onFeedback || !card.id) {
        actions.hidden = true;
        return [actions, note];
      }
      const buttons = [
        ["not-this", "Not this", "This word does not mean this here: stop linking it on this site"],
        ["mute", "Mute", "Never underline this again"],
      ].map(([action, label, title]) => {
        const button = el(doc, "button", action, label);
        button.type = "button";
        button.title = title;
        button.dataset.action = action;
        button.addEventListener("click", () => {
          for (const b of buttons) b.disabled = true;
          note.hidden = true;
          Promise.resolve()
            .then(() => onFeedback(action, card.id))
            .catch((error) => {
              if (!note.isConnected) return;
              note.textContent = `Could not save that: ${String((error && error.message) || error || "unknown error")}`;
              note.hidden = false;
              for (const b of buttons) b.disabled = false;
            });
        });
        return button;
      });
      actions.append(...buttons);
      return [actions, note];
    }

    /** "Seen on N earlier pages, most recently “Title”." — hidden when there is no history to show. */
    seenBefore(seen, cardId) {
      const line = el(this.doc, "p", "seen");
      line.dataset.slot = "seen-before";
      const count = seen && Number(seen.count);
      if (!count) {
        line.hidden = true;
        return line;
      }
      const label = count === 1 ? "Seen on 1 earlier page" : `Seen on ${count} earlier pages`;
      const rest = seen.last && seen.last.title ? `, most recently “${String(seen.last.title)}”.` : ".";
      const onOpenHistory = this.handlers.onOpenHistory;
      if (onOpenHistory && cardId) {
        // Opens the history page's view of this card in a new tab (through the service worker).
        const button = el(this.doc, "button", "seen-link", label);
        button.type = "button";
        button.title = "Show where you read about this before";
        button.addEventListener("click", () => onOpenHistory(cardId));
        line.append(button, rest);
      } else {
        line.textContent = label + rest;
      }
      return line;
    }

    sourceLine(card) {
      const doc = this.doc;
      const line = el(doc, "p", "source");
      const parts = [];
      if (card.source) parts.push(`Source: ${SOURCE_LABELS[card.source] || String(card.source)}`);
      // The server says calmly when the facts are over a year old ("as of June 2025 — may be out of date").
      if (card.as_of) parts.push(card.age_note ? String(card.age_note) : `as of ${asOfLabel(card.as_of)}`);
      line.append(parts.join(", "));
      const href = wikipediaHref(card.url);
      if (href) {
        if (parts.length) line.append(" · ");
        const link = el(doc, "a", "wikipedia", "Wikipedia");
        link.href = href;
        link.target = "_blank";
        link.rel = "noopener noreferrer";
        line.append(link);
      } else if (card.wikipedia) {
        if (parts.length) line.append(" · ");
        line.append(`Wikipedia: ${String(card.wikipedia)}`);
      }
      return line;
    }

    /** Place the card by its anchor's first line box (or the one the pointer is on), flipping at the edges. */
    position(pointer) {
      if (!this.isOpen || !this.anchor || !this.anchor.isConnected) return;
      const view = this.doc.defaultView;
      const rects = Array.from(this.anchor.getClientRects());
      let anchor = rects[0] || this.anchor.getBoundingClientRect();
      if (pointer) anchor = rects.find((r) => pointer.y >= r.top && pointer.y <= r.bottom) || anchor;
      const size = { width: this.cardEl.offsetWidth, height: this.cardEl.offsetHeight };
      const spot = placement(anchor, size, { width: view.innerWidth, height: view.innerHeight });
      this.cardEl.style.top = `${spot.top}px`;
      this.cardEl.style.left = `${spot.left}px`;
      this.cardEl.dataset.side = spot.side;
    }
  }

  ns.card = { CardView, HOST_TAG, placement, wikipediaHref, asOfLabel, KIND_LABELS };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
