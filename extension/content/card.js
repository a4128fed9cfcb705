// The card: drawn in a closed shadow root with DOM methods and textContent only, placed next to its mention.
(function (ns) {
  "use strict";
  if (ns.card) return;

  const HOST_TAG = "cc-card-host";
  const GAP = 9; // px between the mention and the card: room for the pointer
  const EDGE = 8; // px kept free at the viewport's edges
  const MIN_HEIGHT = 96; // px: a card squeezed smaller than this would show nothing useful
  const POINTER_INSET = 14; // px: the pointer stays clear of the rounded corners
  const TYPE_PX = { min: 14, max: 17 };
  const NOTICE_MS = 6000; // how long "Muted … Undo" stays (longer while the pointer or focus is on it)
  const SUMMARY_FITS_CHARS = 110; // about what three lines hold at the card's width: longer ones are cut until "More"

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
  // The card is compact like Wikipedia's page previews: the summary is cut at three lines until "More" is open.
  const STYLES = `
:host { all: initial !important; position: fixed !important; inset: 0 auto auto 0 !important; width: 0 !important;
  height: 0 !important; z-index: 2147483647 !important; display: block !important; overflow: visible !important; }
[hidden] { display: none !important; }
.card { position: fixed; box-sizing: border-box; width: max-content; max-width: min(320px, calc(100vw - 16px));
  border-radius: 8px; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  text-align: start; white-space: normal; letter-spacing: normal; word-spacing: normal; text-transform: none;
  background: #ffffff; color: #1f2328; border: 1px solid #d0d7de;
  box-shadow: 0 4px 14px rgba(31, 35, 40, 0.14); animation: cc-in 120ms ease-out; }
.card:focus { outline: none; }
.card:focus-visible { outline: 2px solid #2f6fd6; outline-offset: 2px; }
.body { box-sizing: border-box; padding: 10px 12px; overflow-y: auto; overscroll-behavior: contain; border-radius: 8px; }
.pointer { position: absolute; width: 10px; height: 10px; background: inherit; border: inherit; transform: rotate(45deg);
  pointer-events: none; }
.card[data-side="below"] .pointer { top: -6px; border-right: 0; border-bottom: 0; }
.card[data-side="above"] .pointer { bottom: -6px; border-left: 0; border-top: 0; }
.kind { margin: 0 0 1px; font-size: 0.72em; letter-spacing: 0.06em; text-transform: uppercase; color: #57606a; }
.title { margin: 0 0 4px; font-size: 1.08em; font-weight: 600; line-height: 1.3; }
.summary { margin: 0 0 6px; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; overflow: hidden; }
.card[data-expanded] .summary { display: block; -webkit-line-clamp: none; }
.facts { margin: 0 0 6px; padding: 0 0 0 18px; }
.facts li { margin: 0; }
.status, .alternatives, .seen, .feedback-note { margin: 0 0 6px; color: #57606a; font-size: 0.9em; }
.seen button.seen-link { padding: 0; border: 0; background: none; color: #0b57d0; text-decoration: underline; font-size: inherit; }
.status[data-state="pending"]::before { content: ""; display: inline-block; width: 8px; height: 8px; margin-inline-end: 6px;
  border-radius: 50%; background: currentColor; animation: cc-pulse 1s ease-in-out infinite alternate; }
.actions { display: flex; gap: 8px; margin: 0 0 6px; }
.footer { display: flex; align-items: baseline; justify-content: space-between; gap: 8px; margin: 0; font-size: 0.8em; color: #57606a; }
.source { margin: 0; }
.more { padding: 0; border: 0; background: none; color: #0b57d0; font-size: inherit; white-space: nowrap; }
.more::after { content: " ▾"; }
.card[data-expanded] .more::after { content: " ▴"; }
a { color: #0b57d0; }
button { font: inherit; font-size: 0.85em; padding: 2px 8px; border-radius: 4px; border: 1px solid #d0d7de;
  background: #f6f8fa; color: inherit; cursor: pointer; }
.announce { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
.card[data-scheme="dark"] { background: #1c2128; color: #e6edf3; border-color: #444c56; box-shadow: 0 4px 14px rgba(0, 0, 0, 0.5); }
.card[data-scheme="dark"] .kind, .card[data-scheme="dark"] .status, .card[data-scheme="dark"] .alternatives,
.card[data-scheme="dark"] .seen, .card[data-scheme="dark"] .feedback-note, .card[data-scheme="dark"] .footer { color: #9da7b3; }
.card[data-scheme="dark"] .seen button.seen-link, .card[data-scheme="dark"] .more { background: none; color: #79b8ff; }
.card[data-scheme="dark"] a { color: #79b8ff; }
.card[data-scheme="dark"] button:not(.more):not(.seen-link) { background: #2d333b; border-color: #444c56; }
.notice { position: fixed; left: 50%; bottom: 16px; transform: translateX(-50%); box-sizing: border-box;
  max-width: calc(100vw - 16px); display: flex; align-items: center; gap: 12px; padding: 8px 12px; border-radius: 8px;
  font: 14px/1.4 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #1f2328; color: #ffffff;
  box-shadow: 0 4px 14px rgba(31, 35, 40, 0.3); animation: cc-in 120ms ease-out; }
.notice button { font-size: 14px; background: none; border: 0; color: #9cc3ff; font-weight: 600; padding: 2px 4px; }
.notice[data-scheme="dark"] { background: #e6edf3; color: #1f2328; }
.notice[data-scheme="dark"] button { color: #0b57d0; }
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

  /** The page's type at the anchor, so the card reads like the article it sits on (a serif page gets a serif card). */
  function pageType(anchorEl) {
    const view = anchorEl.ownerDocument.defaultView;
    const style = view && view.getComputedStyle(anchorEl);
    const size = style ? parseFloat(style.fontSize) : NaN;
    return {
      family: (style && style.fontFamily) || "",
      size: Number.isFinite(size) ? Math.round(Math.min(TYPE_PX.max, Math.max(TYPE_PX.min, size * 0.88))) : TYPE_PX.min,
    };
  }

  /**
   * Where the card goes: below the anchor, else above; when it fits neither, on the roomier side with a height
   * limit (it scrolls inside). Always fully inside the viewport. `pointerLeft` is where the pointer meets the word.
   */
  function placement(anchor, size, viewport) {
    const room = { below: viewport.height - EDGE - (anchor.bottom + GAP), above: anchor.top - GAP - EDGE };
    let side;
    let maxHeight = null;
    if (size.height <= room.below) side = "below";
    else if (size.height <= room.above) side = "above";
    else {
      side = room.below >= room.above ? "below" : "above";
      maxHeight = Math.min(viewport.height - 2 * EDGE, Math.max(MIN_HEIGHT, room[side]));
    }
    const height = maxHeight === null ? size.height : Math.min(size.height, maxHeight);
    const wanted = side === "below" ? anchor.bottom + GAP : anchor.top - GAP - height;
    const top = Math.max(EDGE, Math.min(wanted, viewport.height - EDGE - height));
    const width = Math.min(size.width, viewport.width - 2 * EDGE);
    const left = Math.max(EDGE, Math.min(anchor.left, viewport.width - EDGE - width));
    const middle = (anchor.left + anchor.right) / 2 - left;
    const pointerLeft = Math.max(POINTER_INSET, Math.min(middle, width - POINTER_INSET));
    return { top: Math.round(top), left: Math.round(left), side, maxHeight: maxHeight === null ? null : Math.floor(maxHeight),
      pointerLeft: Math.round(pointerLeft) };
  }

  /** The card's controls that take keyboard focus, in order (hidden ones left out). */
  function focusableIn(box) {
    return Array.from(box.querySelectorAll("button, a[href]")).filter((node) => !node.disabled && node.getClientRects().length);
  }

  /**
   * One card UI per page: a host element with a closed shadow root, created on first use.
   * `handlers`: onPointerEnter, onPointerLeave, onRetry, and onLeave (keyboard focus leaves the card: Tab past the
   * last control, Shift+Tab before the first), all optional. Two more turn on the history actions when given (the
   * demo page has neither): onFeedback(action, cardId) → promise, action "not-this" or "mute", which rejects with an
   * error whose message the card shows; onOpenHistory(cardId).
   */
  class CardView {
    constructor(doc, handlers) {
      this.doc = doc;
      this.handlers = handlers || {};
      this.host = null;
      this.root = null;
      this.cardEl = null;
      this.bodyEl = null;
      this.pointerEl = null;
      this.announcer = null;
      this.anchor = null;
    }

    ensureHost() {
      if (this.host && this.host.isConnected) return;
      const doc = this.doc;
      this.host = doc.createElement(HOST_TAG);
      // Closed: the page's scripts cannot reach the card's contents (history details live here).
      this.root = this.host.attachShadow({ mode: "closed" });
      this.adoptStyles();
      this.cardEl = el(doc, "div", "card");
      this.cardEl.setAttribute("role", "dialog");
      this.cardEl.setAttribute("aria-modal", "false");
      this.cardEl.setAttribute("aria-labelledby", "cc-card-title");
      this.cardEl.tabIndex = -1;
      this.cardEl.hidden = true;
      this.pointerEl = el(doc, "div", "pointer");
      this.bodyEl = el(doc, "div", "body");
      this.cardEl.append(this.pointerEl, this.bodyEl);
      this.cardEl.addEventListener("keydown", (event) => this.onKeyDown(event));
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
     * {alternatives: [card], pendingFailed: bool, noCard: bool, announce: bool, pointer: {x, y}}.
     */
    show(anchor, card, extra) {
      this.ensureHost();
      this.anchor = anchor;
      this.cardEl.removeAttribute("data-expanded");
      const type = pageType(anchor);
      this.cardEl.style.fontFamily = type.family;
      this.cardEl.style.fontSize = `${type.size}px`;
      this.render(card, extra || {});
      this.cardEl.hidden = false;
      this.position(extra && extra.pointer);
      if (extra && extra.announce) this.announce(card);
    }

    /** Redraw the open card (a pending card became ready) without moving the anchor. */
    update(card, extra) {
      if (!this.isOpen) return;
      const focused = this.root.activeElement;
      const focusedKey = focused && (focused.dataset.action || focused.className);
      this.render(card, extra || {});
      this.position();
      // A redraw must not drop keyboard focus to the page: put it back on the same control, or on the card.
      if (focused) {
        const again = focusedKey && focusableIn(this.bodyEl).find((n) => (n.dataset.action || n.className) === focusedKey);
        (again || this.cardEl).focus();
      }
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

    /** Tab moves through the card's controls; past the last (or before the first) focus goes back to the name. */
    onKeyDown(event) {
      if (event.key !== "Tab" || event.altKey || event.ctrlKey || event.metaKey) return;
      const controls = focusableIn(this.bodyEl);
      const current = controls.indexOf(this.root.activeElement);
      const next = current < 0 ? (event.shiftKey ? -1 : 0) : current + (event.shiftKey ? -1 : 1);
      event.preventDefault();
      event.stopPropagation();
      if (next >= 0 && next < controls.length) controls[next].focus();
      else if (this.handlers.onLeave) this.handlers.onLeave();
    }

    /**
     * A small visible notice with an Undo button, for about NOTICE_MS (kept while pointed at or focused).
     * `onUndo()` may return a promise; `focusUndo` moves keyboard focus to Undo (the action came from the keyboard).
     */
    showNotice(text, onUndo, { focusUndo = false } = {}) {
      this.ensureHost();
      this.hideNotice();
      const doc = this.doc;
      const notice = el(doc, "div", "notice");
      notice.setAttribute("role", "status");
      notice.dataset.scheme = pageScheme(doc);
      const undo = el(doc, "button", "undo", "Undo");
      undo.type = "button";
      undo.dataset.action = "undo";
      undo.addEventListener("click", () => {
        undo.disabled = true;
        Promise.resolve()
          .then(onUndo)
          .then(() => this.hideNotice(), () => {
            undo.disabled = false;
            message.textContent = "Could not undo that; try again.";
          });
      });
      const message = el(doc, "span", "notice-text", text);
      notice.append(message, undo);
      this.root.append(notice);
      this.noticeEl = notice;
      const expire = () => {
        if (this.noticeEl !== notice) return;
        if (notice.matches(":hover") || notice.contains(this.root.activeElement)) this.noticeTimer = setTimeout(expire, 1000);
        else this.hideNotice();
      };
      this.noticeTimer = setTimeout(expire, NOTICE_MS);
      if (focusUndo) undo.focus();
    }

    hideNotice() {
      clearTimeout(this.noticeTimer);
      if (this.noticeEl) this.noticeEl.remove();
      this.noticeEl = null;
    }

    /** Remove the card from the page entirely (turning off restores the page). */
    destroy() {
      this.hideNotice();
      if (this.host) this.host.remove();
      this.host = this.root = this.cardEl = this.bodyEl = this.pointerEl = this.announcer = this.anchor = null;
    }

    announce(card) {
      const kind = KIND_LABELS[card.kind] || "";
      this.announcer.textContent = [card.title, kind, card.summary].filter(Boolean).join(". ");
    }

    /** Say something to screen readers (what an action did). */
    say(text) {
      if (this.announcer) this.announcer.textContent = text;
    }

    render(card, extra) {
      const doc = this.doc;
      const box = this.bodyEl;
      box.replaceChildren();
      this.cardEl.dataset.scheme = pageScheme(doc);
      this.cardEl.dataset.card = String(card.id || "");
      const pending = card.status === "pending";
      this.cardEl.setAttribute("aria-busy", pending && !extra.pendingFailed && !extra.noCard ? "true" : "false");

      if (KIND_LABELS[card.kind]) box.append(el(doc, "p", "kind", KIND_LABELS[card.kind]));
      const title = el(doc, "h2", "title", String(card.title || card.id || ""));
      title.id = "cc-card-title";
      box.append(title);
      if (pending) box.append(this.pendingStatus(card, extra));
      if (card.summary) box.append(el(doc, "p", "summary", String(card.summary)));
      box.append(this.seenBefore(card.seen_before, card.id));

      // Behind "More": the facts, other readings and the actions.
      const more = el(doc, "div", "details");
      more.id = "cc-card-more";
      if (Array.isArray(card.facts) && card.facts.length) {
        const list = el(doc, "ul", "facts");
        for (const fact of card.facts) list.append(el(doc, "li", "", String(fact)));
        more.append(list);
      }
      const alternatives = (extra.alternatives || []).filter((alt) => alt && alt.title);
      if (alternatives.length) {
        more.append(el(doc, "p", "alternatives", `Could also be: ${alternatives.map((alt) => alt.title).join(", ")}`));
      }
      more.append(...this.feedbackActions(card));
      const expanded = this.cardEl.hasAttribute("data-expanded");
      more.hidden = !expanded;
      box.append(more);

      const footer = el(doc, "div", "footer");
      footer.append(this.sourceLine(card));
      const summaryCut = Boolean(card.summary) && String(card.summary).length > SUMMARY_FITS_CHARS;
      if (more.querySelector("li, .alternatives, .actions:not([hidden])") || summaryCut) {
        const toggle = el(doc, "button", "more", expanded ? "Less" : "More");
        toggle.type = "button";
        toggle.dataset.action = "more";
        toggle.setAttribute("aria-expanded", String(expanded));
        toggle.setAttribute("aria-controls", more.id);
        toggle.addEventListener("click", () => this.setExpanded(!this.cardEl.hasAttribute("data-expanded")));
        footer.append(toggle);
      }
      box.append(footer);
    }

    /** Open or close the "More" part, and place the card again (its height changed). */
    setExpanded(on) {
      if (!this.isOpen) return;
      this.cardEl.toggleAttribute("data-expanded", on);
      const more = this.bodyEl.querySelector(".details");
      const toggle = this.bodyEl.querySelector("button.more");
      if (more) more.hidden = !on;
      if (toggle) {
        toggle.textContent = on ? "Less" : "More";
        toggle.setAttribute("aria-expanded", String(on));
      }
      this.position();
    }

    pendingStatus(card, extra) {
      const doc = this.doc;
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
      return status;
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
      if (card.source) parts.push(SOURCE_LABELS[card.source] || String(card.source));
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

    /** Place the card by its anchor's first line box (or the one the pointer is on); see placement(). */
    position(pointer) {
      if (!this.isOpen || !this.anchor || !this.anchor.isConnected) return;
      const view = this.doc.defaultView;
      const rects = Array.from(this.anchor.getClientRects());
      let anchor = rects[0] || this.anchor.getBoundingClientRect();
      if (pointer) anchor = rects.find((r) => pointer.y >= r.top && pointer.y <= r.bottom) || anchor;
      this.bodyEl.style.maxHeight = "";
      const size = { width: this.cardEl.offsetWidth, height: this.cardEl.offsetHeight };
      const viewport = { width: view.innerWidth, height: view.innerHeight };
      const spot = placement(anchor, size, viewport);
      // The body scrolls inside when the card is limited in height (its border takes 2 px).
      if (spot.maxHeight !== null) this.bodyEl.style.maxHeight = `${spot.maxHeight - 2}px`;
      this.cardEl.style.top = `${spot.top}px`;
      this.cardEl.style.left = `${spot.left}px`;
      this.cardEl.dataset.side = spot.side;
      this.pointerEl.style.left = `${spot.pointerLeft - 6}px`;
    }
  }

  ns.card = { CardView, HOST_TAG, placement, wikipediaHref, asOfLabel, KIND_LABELS };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
