// Orchestrates one page: extract blocks, ask for annotations, wrap mentions, follow later content, turn off cleanly.
(function (ns) {
  "use strict";
  if (ns.page || !ns.transport || !ns.blocks || !ns.offsets || !ns.wrap || !ns.card || !ns.mentions || !ns.interaction) return;

  const MUTATION_DEBOUNCE_MS = 300;
  const SLICE_MS = 8; // longest stretch of wrapping before yielding to the page
  const FIRST_REQUEST_CHARS = 20000; // at most this much of what the reader sees goes in the first request
  const REQUEST_CHARS = 40000; // the rest of a long page, in requests this size, one per idle moment
  const REQUEST_BLOCKS = 1000;
  const NEAR_VIEWPORTS = 1; // "near the window": this many window heights above and below it
  const IDLE_TIMEOUT_MS = 1000; // a busy page still gets its later requests sent
  const FIRST_PAINT_WAIT_MS = 100;
  const MARK = ns.wrap.MARK_TAG;

  let bugReported = false;
  /** An unexpected failure (a bug, not a server or network problem): logged once, the page left as it is. */
  function reportBug(error) {
    if (bugReported) return;
    bugReported = true;
    console.error("Context Cards:", error);
  }

  const DAY_MS = 86400000;

  /**
   * Whether the reader met this card on at least `pages` saved pages in the last `days` days. A server that counts
   * that window says so in seen_before.recent {days, count}; with an older one, the all-time count stands in when
   * its most recent page falls inside the window (an upper bound: a familiar name may stay underlined, never the
   * reverse for a name seen once).
   */
  function isFamiliar(card, { pages, days }, now) {
    const seen = card && card.seen_before;
    if (!seen) return false;
    if (seen.recent && Number(seen.recent.days) === days && Number.isFinite(Number(seen.recent.count))) return Number(seen.recent.count) >= pages;
    const last = seen.last ? Date.parse(seen.last.visited) : NaN;
    return Number(seen.count) >= pages && Number.isFinite(last) && now - last <= days * DAY_MS;
  }

  function yieldToPage() {
    const scheduler = globalThis.scheduler;
    if (scheduler && typeof scheduler.yield === "function") return scheduler.yield();
    return new Promise((resolve) => setTimeout(resolve, 0));
  }

  /**
   * Wait until the browser has laid the page out and painted once (100 ms at most: a hidden tab paints nothing), so
   * reading where the blocks are does not force a layout of a long page inside our task.
   */
  function afterFirstPaint(view) {
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, FIRST_PAINT_WAIT_MS);
      if (typeof view.requestAnimationFrame !== "function") return;
      view.requestAnimationFrame(() =>
        setTimeout(() => {
          clearTimeout(timer);
          resolve();
        }, 0),
      );
    });
  }

  /** Wait for a moment the browser has nothing better to do (or IDLE_TIMEOUT_MS at most). */
  function whenIdle(view) {
    if (typeof view.requestIdleCallback === "function") {
      return new Promise((resolve) => view.requestIdleCallback(() => resolve(), { timeout: IDLE_TIMEOUT_MS }));
    }
    return new Promise((resolve) => setTimeout(resolve, 50));
  }

  /**
   * The requests for a list of blocks: first those in and near the window (at most FIRST_REQUEST_CHARS), then the
   * rest in document order. Blocks follow the page from top to bottom, so a binary search finds the first one that
   * reaches the window: a few layout reads, not one per block.
   */
  function visibleFirst(blocks, view) {
    if (blocks.length < 2) return chunksOf(blocks, FIRST_REQUEST_CHARS);
    const margin = view.innerHeight * NEAR_VIEWPORTS;
    const bottomOf = (block) => block.element.getBoundingClientRect().bottom;
    let low = 0;
    let high = blocks.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (bottomOf(blocks[middle]) < -margin) low = middle + 1;
      else high = middle;
    }
    const near = [];
    let chars = 0;
    for (let i = low; i < blocks.length && chars < FIRST_REQUEST_CHARS && near.length < REQUEST_BLOCKS; i++) {
      const rect = blocks[i].element.getBoundingClientRect();
      if (rect.top > view.innerHeight + margin) break;
      near.push(blocks[i]);
      chars += blocks[i].text.length;
    }
    if (!near.length) return chunksOf(blocks, FIRST_REQUEST_CHARS);
    const chosen = new Set(near);
    return [near, ...chunksOf(blocks.filter((b) => !chosen.has(b)), REQUEST_CHARS)];
  }

  /** Requests of at most REQUEST_CHARS / REQUEST_BLOCKS, the first one `firstChars` at most. */
  function chunksOf(blocks, firstChars) {
    const chunks = [];
    let current = [];
    let chars = 0;
    for (const block of blocks) {
      const limit = chunks.length ? REQUEST_CHARS : firstChars;
      if (current.length && (chars + block.text.length > limit || current.length >= REQUEST_BLOCKS)) {
        chunks.push(current);
        current = [];
        chars = 0;
      }
      current.push(block);
      chars += block.text.length;
    }
    if (current.length) chunks.push(current);
    return chunks;
  }

  class PageController {
    constructor(doc, transport) {
      this.doc = doc;
      this.view = doc.defaultView;
      this.transport = transport;
      this.enabled = false;
      this.settings = { dwellMs: 400, mentions: "first", density: "new", familiar: { pages: 10, days: 30 }, annotateKey: "" };
      this.reason = null;
      this.lastError = null;
      this.generation = 0; // bumped on every turn-off: answers to older requests are dropped
      this.nextBlockId = 0;
      this.mutationTimer = 0;
      this.store = new ns.mentions.MentionStore();
      // What the reader's side may use of the page: the store, and these few things, nothing else.
      this.interaction = new ns.interaction.CardInteraction({
        doc,
        store: this.store,
        transport,
        settings: () => this.settings,
        generation: () => this.generation,
        removeMentions: (drop) => this.removeMentions(drop),
        reannotate: () => this.reannotate(),
      });
      this.resetState();
    }

    resetState() {
      this.roots = [];
      this.fallback = false;
      this.sent = new WeakMap(); // block element → the text last sent for it
      this.store.clear();
      this.dirty = new Set();
    }

    async start() {
      this.transport.onSettingsChanged(() => this.refresh().catch(reportBug));
      this.transport.onStatusRequest(() => this.status());
      await this.refresh();
    }

    /** Ask whether this page is on and with which settings; turn on, off, or annotate again. */
    async refresh() {
      let hello;
      try {
        hello = await this.transport.hello();
      } catch (error) {
        this.reason = error.kind || "disconnected";
        if (this.enabled) this.turnOff({ report: false });
        return;
      }
      const previousKey = this.settings.annotateKey;
      this.settings = hello.settings || this.settings;
      this.reason = hello.enabled ? null : hello.reason || "off";
      if (!hello.enabled) {
        if (this.enabled) this.turnOff({ report: true });
        return;
      }
      if (this.enabled && (this.lastError || previousKey !== this.settings.annotateKey)) this.turnOff({ report: false });
      if (!this.enabled) await this.turnOn();
    }

    status() {
      return {
        host: this.view.location.hostname,
        enabled: this.enabled,
        reason: this.reason,
        count: this.cardCount(),
        error: this.lastError ? { kind: this.lastError.kind, message: this.lastError.message } : null,
      };
    }

    cardCount() {
      return this.store.cardCount();
    }

    async turnOn() {
      this.enabled = true;
      this.lastError = null;
      const generation = ++this.generation;
      const found = this.findBlocks();
      this.interaction.install();
      this.observer = new this.view.MutationObserver((records) => this.onMutations(records));
      this.observer.observe(this.doc.body, { childList: true, subtree: true, characterData: true });
      await afterFirstPaint(this.view);
      if (generation !== this.generation) return;
      await this.send(found, generation);
    }

    /** Underline the page again from scratch (an Undo changed what the server links). */
    async reannotate() {
      if (!this.enabled) return;
      this.turnOff({ report: false });
      await this.turnOn();
    }

    /** Remove every underline and the card: the page is left exactly as it was. */
    turnOff({ report }) {
      this.enabled = false;
      this.generation++;
      clearTimeout(this.mutationTimer);
      if (this.observer) this.observer.disconnect();
      this.observer = null;
      this.interaction.uninstall();
      const mentions = this.store.list;
      for (let i = mentions.length - 1; i >= 0; i--) ns.wrap.unwrapAll(mentions[i].records);
      this.resetState();
      if (report) this.transport.report({ count: 0, enabled: false });
    }

    findBlocks() {
      const { roots, fallback } = ns.blocks.findRoots(this.doc);
      this.roots = roots;
      this.fallback = fallback;
      return ns.blocks.extractBlocks(roots, this.extractOptions());
    }

    extractOptions() {
      // Without an article landmark, blocks that are mostly links (menus, link lists) are left out.
      return { linkDensity: this.fallback ? 0.5 : 1 };
    }

    /**
     * Send the blocks not sent yet (or changed since) and wrap what comes back: those in and near the window first,
     * the rest in later requests, each when the browser is idle.
     */
    async send(found, generation) {
      const fresh = found.filter((b) => this.sent.get(b.element) !== b.text);
      if (!fresh.length) return;
      for (const block of fresh) {
        block.id = `b${++this.nextBlockId}`;
        this.sent.set(block.element, block.text);
      }
      const chunks = visibleFirst(fresh, this.view);
      for (const [index, chunk] of chunks.entries()) {
        if (index > 0) {
          await whenIdle(this.view);
          if (generation !== this.generation) return;
        }
        let result;
        try {
          result = await this.transport.annotate({
            url: this.view.location.href,
            title: this.doc.title,
            lang: this.doc.documentElement.lang || undefined,
            blocks: chunk.map((b) => ({ id: b.id, text: b.text })),
          });
        } catch (error) {
          if (generation !== this.generation) return;
          this.lastError = error;
          // Not sent after all: turning on again (a setting changes, the reader reloads) sends them again.
          for (const rest of chunks.slice(index)) for (const b of rest) this.sent.delete(b.element);
          return;
        }
        if (generation !== this.generation) return;
        await this.apply(chunk, result, generation);
        if (generation !== this.generation) return;
        this.transport.report({ count: this.cardCount(), enabled: true });
      }
    }

    /** Wrap the answer's mentions, a block at a time, yielding to the page every few milliseconds. */
    async apply(chunk, result, generation) {
      for (const [id, card] of Object.entries(result.cards || {})) this.store.setCard(id, card);
      const byBlock = new Map();
      for (const a of result.annotations || []) {
        if (!byBlock.has(a.block)) byBlock.set(a.block, []);
        byBlock.get(a.block).push(a);
      }
      let sliceStart = performance.now();
      for (const block of chunk) {
        const annotations = byBlock.get(block.id);
        if (!annotations) continue;
        if (!ns.offsets.isCurrent(block)) {
          // The page changed this block while we waited: send it again with the next batch.
          this.sent.delete(block.element);
          this.markDirty(block.element);
          continue;
        }
        const chosen = this.choose(block, annotations);
        this.ownMutations(() => {
          // From the block's end backwards, so earlier offsets in the same text node stay valid.
          for (let i = chosen.length - 1; i >= 0; i--) this.wrapMention(block, chosen[i]);
        });
        if (performance.now() - sliceStart > SLICE_MS) {
          await yieldToPage();
          if (generation !== this.generation) return;
          sliceStart = performance.now();
        }
      }
    }

    /**
     * The annotations to underline in one block: in order, not overlapping, first mentions only if so set; none in
     * headings, none at density "off", and at "new" none of the cards the reader meets all the time.
     */
    choose(block, annotations) {
      const chosen = [];
      if (this.settings.density === "off" || ns.blocks.isHeading(block.element)) return chosen;
      let lastEnd = -1;
      const claimed = new Set(); // cards chosen in this block (the store counts them once they are wrapped)
      annotations.sort((a, b) => a.start - b.start);
      for (const a of annotations) {
        if (a.start < lastEnd || block.text.slice(a.start, a.end) !== a.text) continue;
        if (this.settings.mentions !== "all" && (this.store.countOf(a.card) || claimed.has(a.card))) continue;
        if (this.settings.density === "new" && isFamiliar(this.store.card(a.card), this.settings.familiar, Date.now())) continue;
        const pieces = ns.offsets.piecesFor(block, a.start, a.end);
        if (!pieces.length) continue;
        chosen.push({ annotation: a, pieces });
        lastEnd = a.end;
        claimed.add(a.card);
      }
      return chosen;
    }

    wrapMention(block, { annotation, pieces }) {
      const records = ns.wrap.wrapPieces(pieces, (index) => {
        const mark = this.doc.createElement(MARK);
        // Focusable by script and click, never by Tab: the page's own Tab order stays as it was.
        if (index === 0) mark.tabIndex = -1;
        return mark;
      });
      const mention = {
        cardId: annotation.card,
        text: annotation.text,
        alternatives: annotation.alternatives || [],
        block: block.element,
        pieces, // kept to wrap the mention again, with its own marks, after a neighbour's underline is removed
        records,
        marks: records.map((r) => r.mark).reverse(),
      };
      this.store.add(mention);
    }

    /** Undo one block's wraps (its text changed under us), newest first. */
    unwrapBlock(element) {
      const mentions = this.store.inBlock(element);
      for (let i = mentions.length - 1; i >= 0; i--) {
        const mention = mentions[i];
        this.interaction.forget(mention);
        ns.wrap.unwrapAll(mention.records);
        this.store.remove(mention);
      }
      this.store.keepInBlock(element, []);
    }

    /**
     * Remove the underlines of the mentions `drop(mention)` picks (the reader's "not this" or "mute"); returns how
     * many went. Wraps are undone newest first only, so each touched block is undone whole, which gives the page back
     * its very text nodes, and the mentions that stay are wrapped again in their original order with their own
     * marks. The badge count is reported again.
     */
    removeMentions(drop) {
      const gone = new Set(this.store.list.filter(drop));
      const picked = gone.size;
      if (!picked) return 0;
      const blocks = new Set(Array.from(gone, (m) => m.block));
      this.ownMutations(() => {
        for (const element of blocks) {
          const inBlock = this.store.inBlock(element);
          for (let i = inBlock.length - 1; i >= 0; i--) ns.wrap.unwrapAll(inBlock[i].records);
          const kept = [];
          for (const mention of inBlock) {
            if (gone.has(mention)) continue;
            const records = this.rewrap(mention);
            if (records) {
              mention.records = records;
              kept.push(mention);
            } else {
              // The page changed this block since it was wrapped: drop the mention; the block is sent again.
              gone.add(mention);
              this.markDirty(element);
            }
          }
          this.store.keepInBlock(element, kept);
        }
      });
      for (const mention of gone) {
        this.interaction.forget(mention);
        this.store.remove(mention);
      }
      this.transport.report({ count: this.cardCount(), enabled: this.enabled });
      return picked;
    }

    /** Wrap a mention's pieces again with its own marks, as wrapPieces did; null (and nothing wrapped) if it cannot. */
    rewrap(mention) {
      const records = [];
      try {
        for (let i = mention.pieces.length - 1; i >= 0; i--) {
          const { node, from, to } = mention.pieces[i];
          if (!node.isConnected || !mention.block.contains(node) || to > node.length) throw new RangeError("moved");
          records.push(ns.wrap.wrapRange(node, from, to, () => mention.marks[i]));
        }
        return records;
      } catch {
        ns.wrap.unwrapAll(records);
        return null;
      }
    }

    /** Run our own DOM changes so the MutationObserver never mistakes them for the page's. */
    ownMutations(change) {
      if (this.observer) this.onMutations(this.observer.takeRecords());
      change();
      if (this.observer) this.observer.takeRecords();
    }

    // ---- content added or changed later -------------------------------------------------------

    markDirty(element) {
      this.dirty.add(element);
      clearTimeout(this.mutationTimer);
      this.mutationTimer = setTimeout(() => this.flushDirty(), MUTATION_DEBOUNCE_MS);
    }

    onMutations(records) {
      for (const record of records) {
        if (this.interaction.cardView.owns(record.target)) continue;
        const nodes = record.type === "childList" ? Array.from(record.addedNodes) : [record.target];
        if (record.type === "childList" && record.removedNodes.length) nodes.push(record.target);
        for (const node of nodes) {
          if (node.nodeType === 1 && node.localName === ns.card.HOST_TAG) continue;
          const container = ns.blocks.blockContainerOf(node.isConnected ? node : record.target);
          if (container) this.dirty.add(container);
        }
      }
      if (this.dirty.size) this.markDirty(this.dirty.values().next().value);
    }

    flushDirty() {
      if (!this.enabled) return;
      if (this.roots.some((root) => !root.isConnected) || (this.fallback && this.roots[0] === this.doc.body)) {
        // The article was replaced, or the page had none yet: look for it again.
        const { roots, fallback } = ns.blocks.findRoots(this.doc);
        this.roots = roots;
        this.fallback = fallback;
      }
      const candidates = Array.from(this.dirty).filter((el) => el.isConnected);
      this.dirty.clear();
      const inScope = new Set();
      for (const el of candidates) {
        for (const root of this.roots) {
          if (root.contains(el) && !ns.blocks.isExcluded(el, root)) inScope.add(el);
          else if (el.contains(root)) inScope.add(root);
        }
      }
      const containers = Array.from(inScope).filter((el) => !Array.from(inScope).some((o) => o !== el && o.contains(el)));
      let found = ns.blocks.extractBlocks(containers, this.extractOptions());
      const changed = found.filter((b) => this.sent.has(b.element) && this.sent.get(b.element) !== b.text && this.store.inBlock(b.element).length);
      if (changed.length) {
        this.ownMutations(() => changed.forEach((b) => this.unwrapBlock(b.element)));
        found = ns.blocks.extractBlocks(containers, this.extractOptions());
      }
      this.send(found, this.generation).catch(reportBug);
    }
  }

  const doc = globalThis.document;
  // Only HTML documents with a body: never XML, images, PDFs or text files shown by the browser.
  if (!doc || !doc.body || !/^(text\/html|application\/xhtml\+xml)$/.test(doc.contentType) || doc.designMode === "on") return;
  ns.familiarity = { isFamiliar };
  ns.page = new PageController(doc, ns.transport);
  ns.page.start().catch(reportBug);
})((globalThis.ContextCards = globalThis.ContextCards || {}));
