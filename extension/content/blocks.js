// Finds the article's text and cuts it into blocks: one per block-level element, its inline children joined.
// Classic script (content scripts cannot import): everything hangs off globalThis.ContextCards.blocks.
(function (ns) {
  "use strict";
  if (ns.blocks) return;

  // Elements that start a block of their own; everything else is inline and joins its block's text.
  const BLOCK_TAGS = new Set([
    "address", "article", "blockquote", "body", "caption", "center", "dd", "details", "dialog", "div", "dl", "dt",
    "fieldset", "figcaption", "figure", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr",
    "legend", "li", "main", "menu", "ol", "p", "section", "summary", "table", "tbody", "td", "tfoot", "th",
    "thead", "tr", "ul",
  ]);
  // Never read: navigation and asides, form fields, code, embedded content, and things that are not text.
  const SKIP_TAGS = new Set([
    "aside", "audio", "button", "canvas", "code", "datalist", "embed", "footer", "head", "iframe", "img", "input",
    "kbd", "label", "math", "meter", "nav", "noscript", "object", "optgroup", "option", "output", "picture", "pre",
    "progress", "samp", "script", "select", "style", "svg", "template", "textarea", "title", "video",
    // The card's own host: the only node of ours that holds no page text.
    "cc-card-host",
  ]);
  const SKIP_ROLES = new Set([
    "banner", "complementary", "contentinfo", "menu", "menubar", "navigation", "search", "toolbar", "tablist", "dialog",
  ]);
  // A header is the page's banner unless it sits inside an article, main or section (then it holds the headline).
  const SECTIONING = "article, main, section, [role=main]";
  const LANDMARKS = "article, main, [role=main]";
  const MIN_ROOT_CHARS = 200;
  const MIN_BLOCK_CHARS = 3;
  const WHITESPACE = /[ \t\n\r\f]/;
  const NEEDS_COLLAPSING = /[\t\n\r\f]| {2}/;

  /** Whether an element is hidden from the reader (hidden attribute, aria-hidden, display or visibility). */
  function isHidden(el) {
    if (el.hidden || el.getAttribute("aria-hidden") === "true") return true;
    if (typeof el.checkVisibility === "function") {
      // Both option spellings: Chromium 105+ and Firefox 106+ took the second, the first is the newer name.
      return !el.checkVisibility({ visibilityProperty: true, checkVisibilityCSS: true });
    }
    const view = el.ownerDocument.defaultView;
    const style = view && view.getComputedStyle(el);
    return Boolean(style && (style.display === "none" || style.visibility === "hidden"));
  }

  function isEditable(el) {
    const value = el.getAttribute("contenteditable");
    return value !== null && value.toLowerCase() !== "false";
  }

  /** Whether the element itself (not its ancestors) is something we never read. */
  function isSkipped(el) {
    const tag = el.localName;
    if (SKIP_TAGS.has(tag)) return true;
    if (tag === "header" && !(el.parentElement && el.parentElement.closest(SECTIONING))) return true;
    const role = el.getAttribute("role");
    if (role && SKIP_ROLES.has(role)) return true;
    return isEditable(el) || isHidden(el);
  }

  /** Whether an element or any ancestor below `stop` is skipped (used for content added later). */
  function isExcluded(el, stop) {
    for (let node = el; node && node !== stop; node = node.parentElement) {
      if (isSkipped(node)) return true;
    }
    return false;
  }

  /** Whether a block is a heading: its names are not underlined (the first mention in the body text is). */
  function isHeading(el) {
    return Boolean(el.closest && el.closest("h1, h2, h3, h4, h5, h6, [role=heading]"));
  }

  function isBlock(el) {
    return BLOCK_TAGS.has(el.localName);
  }

  /** The nearest block-level element that holds `node` (itself when it is one). */
  function blockContainerOf(node) {
    let el = node.nodeType === 1 ? node : node.parentElement;
    while (el && !isBlock(el)) el = el.parentElement;
    return el;
  }

  /**
   * Collects one block's text. Whitespace runs collapse to one space as the browser shows them;
   * each text node keeps a map from collapsed offsets back to its own offsets when they differ.
   */
  class BlockBuilder {
    constructor(element) {
      this.element = element;
      this.parts = [];
      this.length = 0;
      this.segments = [];
      this.linkChars = 0;
      this.lastWasSpace = true; // drops leading whitespace
      this.breakPending = false;
    }

    addText(node, inLink) {
      const raw = node.data;
      if (!raw) return;
      if (this.breakPending && this.length && /[^ \t\n\r\f]/.test(raw)) {
        this.parts.push("\n");
        this.length += 1;
        this.lastWasSpace = true;
        this.breakPending = false;
      }
      let text = raw;
      let map = null;
      if (NEEDS_COLLAPSING.test(raw) || (this.lastWasSpace && WHITESPACE.test(raw[0]))) {
        const chars = [];
        map = [];
        for (let i = 0; i < raw.length; i++) {
          const ch = raw[i];
          if (WHITESPACE.test(ch)) {
            if (this.lastWasSpace) continue;
            chars.push(" ");
            this.lastWasSpace = true;
          } else {
            chars.push(ch);
            this.lastWasSpace = false;
          }
          map.push(i);
        }
        text = chars.join("");
      } else {
        this.lastWasSpace = raw[raw.length - 1] === " ";
      }
      if (!text) return;
      this.segments.push({ node, raw, start: this.length, end: this.length + text.length, map });
      this.parts.push(text);
      this.length += text.length;
      if (inLink) this.linkChars += text.length;
    }

    /**
     * A line break between runs of text (a <br>, or a nested block in the middle of this one's text);
     * written only when more text follows, so blocks never end in one.
     */
    addBreak() {
      this.breakPending = true;
    }

    finish() {
      return { element: this.element, text: this.parts.join(""), segments: this.segments, linkChars: this.linkChars };
    }
  }

  function walk(parent, builder, out, inLink) {
    for (let child = parent.firstChild; child; child = child.nextSibling) {
      if (child.nodeType === 3) {
        builder.addText(child, inLink);
        continue;
      }
      if (child.nodeType !== 1) continue;
      const tag = child.localName;
      if (tag === "br") {
        builder.addBreak();
        continue;
      }
      const block = isBlock(child);
      if (isSkipped(child)) {
        if (block) builder.addBreak();
        continue;
      }
      if (block) {
        builder.addBreak();
        collectBlock(child, out);
      } else {
        walk(child, builder, out, inLink || tag === "a");
      }
    }
  }

  /** Append the block that `element` starts, then (in document order) the blocks nested in it. */
  function collectBlock(element, out) {
    const index = out.length;
    out.push(null); // keeps the block's place before its nested blocks: blocks stay in reading order
    const builder = new BlockBuilder(element);
    walk(element, builder, out, false);
    out[index] = builder.finish();
  }

  /**
   * Blocks under each container: [{element, text, segments, linkChars}] in document order, without
   * blocks that are empty or too short. `linkDensity` (0..1) drops blocks that are mostly link text.
   */
  function extractBlocks(containers, { linkDensity = 1 } = {}) {
    const out = [];
    for (const container of containers) collectBlock(container, out);
    return out.filter((b) => b.text.trim().length >= MIN_BLOCK_CHARS && b.linkChars <= linkDensity * b.text.length);
  }

  function visibleTextLength(el) {
    return (el.textContent || "").replace(/\s+/g, " ").trim().length;
  }

  /** The element holding most paragraph text (a paragraph scores its parent fully, its grandparent half). */
  function densestContainer(body) {
    const scores = new Map();
    for (const p of body.querySelectorAll("p")) {
      if (isExcluded(p, body)) continue;
      const length = visibleTextLength(p);
      if (length < 40) continue;
      const parent = p.parentElement;
      if (parent) scores.set(parent, (scores.get(parent) || 0) + length);
      const grand = parent && parent.parentElement;
      if (grand) scores.set(grand, (scores.get(grand) || 0) + length / 2);
    }
    let best = null;
    let bestScore = 0;
    for (const [el, score] of scores) {
      if (score > bestScore) {
        best = el;
        bestScore = score;
      }
    }
    return best;
  }

  /**
   * Where the article is: the outermost article/main/[role=main] landmarks when they hold enough text,
   * else the container densest in paragraphs, else the body. `fallback` says the landmarks were not used.
   */
  function findRoots(doc) {
    const body = doc.body;
    if (!body) return { roots: [], fallback: true };
    const landmarks = Array.from(body.querySelectorAll(LANDMARKS)).filter((el) => !isExcluded(el, body));
    const outermost = landmarks.filter((el) => !landmarks.some((other) => other !== el && other.contains(el)));
    const landmarkChars = outermost.reduce((sum, el) => sum + visibleTextLength(el), 0);
    if (outermost.length && landmarkChars >= MIN_ROOT_CHARS) return { roots: outermost, fallback: false };
    const densest = densestContainer(body);
    return { roots: [densest || body], fallback: true };
  }

  ns.blocks = { extractBlocks, findRoots, blockContainerOf, isExcluded, isHidden, isHeading };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
