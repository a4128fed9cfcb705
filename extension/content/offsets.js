// Maps UTF-16 offsets within a block's text (what the server answers) back to ranges of its text nodes.
(function (ns) {
  "use strict";
  if (ns.offsets) return;

  /** Index of the first segment whose end is after `offset` (segments are sorted and disjoint). */
  function firstSegmentAfter(segments, offset) {
    let lo = 0;
    let hi = segments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (segments[mid].end <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A collapsed offset inside a segment, as an offset into its text node's own data. */
  function rawOffset(segment, local, isEnd) {
    if (!segment.map) return local;
    if (isEnd) return local === 0 ? segment.map[0] : segment.map[local - 1] + 1;
    return segment.map[local];
  }

  function isHighSurrogate(code) {
    return code >= 0xd800 && code <= 0xdbff;
  }

  /**
   * The pieces of text nodes that make up [start, end) of a block: [{node, from, to}] in document order.
   * Line breaks we inserted between runs belong to no node and are simply skipped. An empty list means
   * the range is empty or outside the block; a range that would split a surrogate pair is refused.
   */
  function piecesFor(block, start, end) {
    const text = block.text;
    if (!(start >= 0 && end <= text.length && start < end)) return [];
    if (isHighSurrogate(text.charCodeAt(start - 1)) || isHighSurrogate(text.charCodeAt(end - 1))) return [];
    const pieces = [];
    const segments = block.segments;
    for (let i = firstSegmentAfter(segments, start); i < segments.length && segments[i].start < end; i++) {
      const segment = segments[i];
      const localStart = Math.max(start, segment.start) - segment.start;
      const localEnd = Math.min(end, segment.end) - segment.start;
      const from = rawOffset(segment, localStart, false);
      const to = rawOffset(segment, localEnd, true);
      if (to > from) pieces.push({ node: segment.node, from, to });
    }
    return pieces;
  }

  /** Whether the block's text nodes are still in the page and unchanged since it was extracted. */
  function isCurrent(block) {
    return block.segments.every((s) => s.node.isConnected && s.node.data === s.raw);
  }

  ns.offsets = { piecesFor, isCurrent };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
