// Opens and closes cards: dwell on a mention, focus, the Alt+Shift+K/J shortcut, Escape, and pending cards asked again.
(function (ns) {
  "use strict";
  if (ns.interaction || !ns.card || !ns.wrap || !ns.mentions) return;

  const CLOSE_DELAY_MS = 300; // like Wikipedia's page previews: leaving briefly does not close the card
  const PENDING_RETRY_MS = [700, 1500, 3000];
  const MARK = ns.wrap.MARK_TAG;

  /** Whether the reader can see a name: rendered, not hidden by CSS (a collapsed section, display: none). */
  function isShown(mark) {
    if (typeof mark.checkVisibility !== "function") return true; // no layout to ask (jsdom)
    return mark.getClientRects().length > 0 && mark.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  }

  function byDocumentOrder(a, b) {
    if (a === b) return 0;
    return a.compareDocumentPosition(b) & 4 /* DOCUMENT_POSITION_FOLLOWING */ ? -1 : 1;
  }

  /**
   * The reader's side of one page. `page` is what the page controller lends it: {doc, store (the MentionStore),
   * transport, settings(), generation(), removeMentions(drop), reannotate()}.
   */
  class CardInteraction {
    constructor(page) {
      this.page = page;
      this.store = page.store;
      this.doc = page.doc;
      this.view = page.doc.defaultView;
      this.openMention = null;
      this.timers = { open: 0, close: 0, pending: 0 };
      this.positionQueued = false;
      this.quietFocus = null; // a mention we focus ourselves (after Escape) without opening its card again
      const handlers = {
        onPointerEnter: () => this.cancelClose(),
        onPointerLeave: () => this.scheduleClose(),
        onRetry: (id) => this.refreshPending(id, 0),
        onLeave: () => this.returnFocus(),
      };
      // The demo page's transport has no history: its cards show neither the actions nor the link.
      const can = (page.transport && page.transport.capabilities) || {};
      if (can.feedback) handlers.onFeedback = (action, cardId) => this.feedback(action, cardId);
      if (can.openHistory) handlers.onOpenHistory = (cardId) => this.openHistory(cardId);
      this.cardView = new ns.card.CardView(page.doc, handlers);
      this.listeners = {
        mouseover: (e) => this.onPointerOver(e),
        mouseout: (e) => this.onPointerOut(e),
        focusin: (e) => this.onFocusIn(e),
        focusout: (e) => this.onFocusOut(e),
        keydown: (e) => this.onKeyDown(e),
        pointerdown: (e) => this.onPointerDown(e),
        scroll: () => this.onViewportChange(),
        resize: () => this.onViewportChange(),
      };
    }

    /** Listen on the window in the capture phase, so a page that stops propagation cannot break the cards. */
    install() {
      for (const [type, listener] of Object.entries(this.listeners)) {
        this.view.addEventListener(type, listener, { capture: true, passive: type === "scroll" });
      }
    }

    /** Stop listening, close and remove the card. */
    uninstall() {
      for (const [type, listener] of Object.entries(this.listeners)) {
        this.view.removeEventListener(type, listener, { capture: true });
      }
      for (const id of Object.values(this.timers)) clearTimeout(id);
      this.setActive(this.openMention, false);
      this.openMention = null;
      this.cardView.destroy();
    }

    /** Close the card if it belongs to a mention that is going away. */
    forget(mention) {
      if (mention === this.openMention) this.close();
    }

    mentionAt(node) {
      const el = node && node.nodeType === 1 ? node : node && node.parentElement;
      const mark = el && el.closest ? el.closest(MARK) : null;
      return this.store.at(mark);
    }

    onPointerOver(event) {
      const mention = this.mentionAt(event.target);
      if (!mention) return;
      if (mention === this.openMention) {
        this.cancelClose();
        return;
      }
      clearTimeout(this.timers.open);
      const anchor = event.target.closest(MARK);
      const pointer = { x: event.clientX, y: event.clientY };
      this.timers.open = setTimeout(() => this.open(mention, { anchor, pointer }), this.page.settings().dwellMs);
    }

    onPointerOut(event) {
      const from = this.mentionAt(event.target);
      if (!from || this.mentionAt(event.relatedTarget) === from || this.cardView.owns(event.relatedTarget)) return;
      clearTimeout(this.timers.open);
      if (from === this.openMention) this.scheduleClose();
    }

    onPointerDown(event) {
      if (!this.openMention || this.cardView.owns(event.target) || this.mentionAt(event.target)) return;
      this.close();
    }

    onFocusIn(event) {
      const mention = this.mentionAt(event.target);
      if (mention && event.target === this.quietFocus) return;
      if (mention) {
        clearTimeout(this.timers.open);
        if (mention !== this.openMention) this.open(mention, { anchor: mention.marks[0], announce: true });
        else this.cancelClose();
      } else if (this.cardView.owns(event.target)) {
        this.cancelClose();
      }
    }

    onFocusOut(event) {
      const leaving = this.mentionAt(event.target) || (this.cardView.owns(event.target) ? this.openMention : null);
      if (!leaving || leaving !== this.openMention) return;
      const next = event.relatedTarget;
      if (this.cardView.owns(next) || this.mentionAt(next) === leaving) return;
      this.scheduleClose();
    }

    /** Put keyboard focus back on the open card's name without opening anything again. */
    returnFocus(mention = this.openMention) {
      const mark = mention && mention.marks[0];
      if (!mark || !mark.isConnected) return;
      this.quietFocus = mark;
      mark.focus({ preventScroll: true });
      this.quietFocus = null;
    }

    onKeyDown(event) {
      if (event.key === "Escape" && this.openMention) {
        const mention = this.openMention;
        const focusWasInCard = this.cardView.hasFocus();
        this.close();
        if (focusWasInCard) this.returnFocus(mention);
        event.stopPropagation();
        return;
      }
      // Alt+Shift+K / Alt+Shift+J: next / previous mention. event.code, since Alt changes event.key on macOS.
      if (event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey && (event.code === "KeyK" || event.code === "KeyJ")) {
        if (this.focusMention(event.code === "KeyK" ? 1 : -1)) event.preventDefault();
        return;
      }
      if (event.key === "Enter" && this.openMention && this.mentionAt(event.target) === this.openMention) {
        event.preventDefault();
        this.cardView.focus();
      }
    }

    onViewportChange() {
      if (!this.openMention || this.positionQueued) return;
      this.positionQueued = true;
      this.view.requestAnimationFrame(() => {
        this.positionQueued = false;
        this.cardView.position();
      });
    }

    /** Move keyboard focus to the next (1) or previous (-1) visible mention; from the viewport when none has focus. */
    focusMention(direction) {
      const marks = this.store.firstMarks().filter((m) => m.isConnected && isShown(m)).sort(byDocumentOrder);
      if (!marks.length) return false;
      const current = marks.indexOf(this.doc.activeElement);
      let index;
      if (current >= 0) {
        index = (current + direction + marks.length) % marks.length;
      } else if (direction > 0) {
        index = marks.findIndex((m) => m.getBoundingClientRect().bottom > 0);
        if (index < 0) index = 0;
      } else {
        const below = marks.findIndex((m) => m.getBoundingClientRect().top >= this.view.innerHeight);
        index = below > 0 ? below - 1 : marks.length - 1;
      }
      const mark = marks[index];
      // Scrolled by us, not by focus(): the browser would leave the name under a sticky header.
      mark.focus({ preventScroll: true });
      this.revealMark(mark);
      return true;
    }

    /** Scroll a name into view when it is off screen or under a fixed or sticky element (a header, a banner). */
    revealMark(mark) {
      const rect = mark.getBoundingClientRect();
      const inView = rect.top >= 0 && rect.bottom <= this.view.innerHeight;
      const x = Math.min(this.view.innerWidth - 1, Math.max(0, rect.left + Math.min(rect.width, 40) / 2));
      if (typeof this.doc.elementFromPoint !== "function") return; // no layout to ask (jsdom)
      const hit = inView ? this.doc.elementFromPoint(x, (rect.top + rect.bottom) / 2) : null;
      const covered = inView && hit && !mark.contains(hit) && !this.cardView.owns(hit);
      if (inView && !covered) return;
      mark.scrollIntoView({ block: "center", inline: "nearest" });
      if (this.openMention && this.openMention.marks[0] === mark) this.cardView.position();
    }

    cardFor(mention) {
      return this.store.card(mention.cardId) || { id: mention.cardId, title: mention.text, status: "pending" };
    }

    extrasFor(mention) {
      return { alternatives: mention.alternatives.map((id) => this.store.card(id)).filter(Boolean) };
    }

    open(mention, { anchor, pointer, announce }) {
      clearTimeout(this.timers.open);
      this.cancelClose();
      this.setActive(this.openMention, false);
      this.openMention = mention;
      this.setActive(mention, true);
      const card = this.cardFor(mention);
      this.cardView.show(anchor || mention.marks[0], card, { ...this.extrasFor(mention), pointer, announce });
      if (card.status === "pending") this.refreshPending(card.id, 0);
    }

    close() {
      clearTimeout(this.timers.close);
      clearTimeout(this.timers.pending);
      this.setActive(this.openMention, false);
      this.openMention = null;
      this.cardView.hide();
    }

    scheduleClose() {
      clearTimeout(this.timers.close);
      this.timers.close = setTimeout(() => {
        if (!this.cardView.hasFocus()) this.close();
      }, CLOSE_DELAY_MS);
    }

    cancelClose() {
      clearTimeout(this.timers.close);
    }

    setActive(mention, on) {
      if (!mention) return;
      for (const mark of mention.marks) {
        if (on) mark.setAttribute("data-active", "");
        else mark.removeAttribute("data-active");
      }
    }

    /**
     * "not-this" (this term on this site links to no card) or "mute" (this card is never underlined again), for the
     * open card. Once the server has it: the card closes, the underlines it covers go, and a notice offers Undo.
     */
    async feedback(action, cardId) {
      const mention = this.openMention;
      if (!mention || mention.cardId !== cardId) throw new ns.ContentError("closed", "The card was closed.");
      const term = mention.text;
      const generation = this.page.generation();
      const fromKeyboard = this.cardView.hasFocus();
      await this.page.transport.feedback(action === "mute" ? { card: cardId, action: "mute", term } : { card: cardId, action: "correct", to: null, term });
      if (generation !== this.page.generation()) return;
      this.close();
      const key = String(term).trim().toLowerCase();
      const removed = this.page.removeMentions((m) => m.cardId === cardId && (action === "mute" || String(m.text).trim().toLowerCase() === key));
      const what = action === "mute" ? "Muted" : "Unlinked";
      const text = `${what} “${term}”: ${removed === 1 ? "1 underline" : `${removed} underlines`} removed.`;
      this.cardView.say(text);
      const undo = async () => {
        await this.page.transport.feedback({ card: cardId, action: action === "mute" ? "unmute" : "uncorrect", term });
        this.cardView.say(`${what === "Muted" ? "Unmuted" : "Linked again"} “${term}”.`);
        await this.page.reannotate();
      };
      this.cardView.showNotice(text, undo, { focusUndo: fromKeyboard });
    }

    /** Open the history page's view of one card in a new tab. */
    openHistory(cardId) {
      this.page.transport.openHistory(cardId).catch(() => {});
    }

    /** Ask the server again for a card that was still pending; show it when it is ready. */
    refreshPending(cardId, attempt) {
      clearTimeout(this.timers.pending);
      const generation = this.page.generation();
      const redraw = (extra) => {
        if (this.openMention && this.openMention.cardId === cardId) {
          this.cardView.update(this.cardFor(this.openMention), { ...this.extrasFor(this.openMention), ...extra });
        }
      };
      if (attempt === 0) redraw({});
      const retryOrGiveUp = () => {
        if (attempt < PENDING_RETRY_MS.length) {
          this.timers.pending = setTimeout(() => this.refreshPending(cardId, attempt + 1), PENDING_RETRY_MS[attempt]);
        } else {
          redraw({ pendingFailed: true });
        }
      };
      this.page.transport.card(cardId).then(
        (card) => {
          if (generation !== this.page.generation() || !card) return;
          // The fetched card replaces the pending one; what only the page's answer carried (history) is kept.
          const before = this.store.card(cardId);
          const merged = before && before.seen_before && !card.seen_before ? { ...card, seen_before: before.seen_before } : card;
          this.store.setCard(cardId, merged);
          if (card.status === "pending") retryOrGiveUp();
          else redraw({});
        },
        (error) => {
          if (generation !== this.page.generation()) return;
          // 404: Wikipedia has no page that fits; asking again would not change that.
          if (error && error.kind === "not-found") redraw({ noCard: true });
          else retryOrGiveUp();
        },
      );
    }
  }

  ns.interaction = { CardInteraction };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
