// The page's mentions and cards, in one store read by the page controller (main.js) and the reader's side (interaction.js).
(function (ns) {
  "use strict";
  if (ns.mentions) return;

  /**
   * A mention: {cardId, text, alternatives, block, pieces, records, marks}. The store keeps them in the order they
   * were wrapped (undo goes backwards), finds one by any of its marks or by its block, counts the underlines of each
   * card, and holds the cards the server sent.
   */
  class MentionStore {
    constructor() {
      this.clear();
    }

    clear() {
      this.list = [];
      this.byMark = new WeakMap();
      this.byBlock = new Map();
      this.counts = new Map();
      this.cards = new Map();
    }

    add(mention) {
      for (const mark of mention.marks) this.byMark.set(mark, mention);
      this.list.push(mention);
      if (!this.byBlock.has(mention.block)) this.byBlock.set(mention.block, []);
      this.byBlock.get(mention.block).push(mention);
      this.counts.set(mention.cardId, this.countOf(mention.cardId) + 1);
    }

    /** Forget a mention (its block's list is the caller's to set: see keepInBlock). */
    remove(mention) {
      const index = this.list.indexOf(mention);
      if (index >= 0) this.list.splice(index, 1);
      this.counts.set(mention.cardId, Math.max(0, this.countOf(mention.cardId) - 1));
    }

    /** The mention one of our marks belongs to, or null. */
    at(mark) {
      return (mark && this.byMark.get(mark)) || null;
    }

    inBlock(element) {
      return this.byBlock.get(element) || [];
    }

    /** After a block is wrapped again: the mentions that stay in it (none: the block is forgotten). */
    keepInBlock(element, kept) {
      if (kept.length) this.byBlock.set(element, kept);
      else this.byBlock.delete(element);
    }

    /** How many underlines a card has on the page. */
    countOf(cardId) {
      return this.counts.get(cardId) || 0;
    }

    /** How many different cards are underlined (the badge). */
    cardCount() {
      return new Set(this.list.map((m) => m.cardId)).size;
    }

    /** The first mark of every mention, in no particular order. */
    firstMarks() {
      return this.list.map((m) => m.marks[0]);
    }

    card(id) {
      return this.cards.get(id);
    }

    setCard(id, card) {
      this.cards.set(id, card);
    }
  }

  ns.mentions = { MentionStore };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
