// Wraps ranges of text nodes in mark elements and undoes each wrap exactly, original text nodes included.
(function (ns) {
  "use strict";
  if (ns.wrap) return;

  const MARK_TAG = "cc-mark";

  /**
   * Wrap node.data[from, to) in a new mark element made by `makeMark()`; returns the undo record.
   * The original node keeps the text before the range (or becomes the wrapped text when from is 0),
   * so undoing restores the very same node objects the page had.
   */
  function wrapRange(node, from, to, makeMark) {
    const head = from > 0 ? node : null;
    const mid = from > 0 ? node.splitText(from) : node;
    const tail = to - from < mid.length ? mid.splitText(to - from) : null;
    const mark = makeMark();
    mid.parentNode.insertBefore(mark, mid);
    mark.appendChild(mid);
    return { mark, head, mid, tail };
  }

  /**
   * Undo one wrap. Undo records in the reverse order they were made; a record whose nodes the page
   * moved or removed in the meantime is undone as far as it safely can be and never throws.
   */
  function unwrapRange(record) {
    const { mark, head, mid, tail } = record;
    if (mark.parentNode && mid.parentNode === mark) mark.parentNode.replaceChild(mid, mark);
    else if (mark.parentNode) {
      while (mark.firstChild) mark.parentNode.insertBefore(mark.firstChild, mark);
      mark.remove();
    }
    if (tail && tail.parentNode && mid.nextSibling === tail) {
      mid.appendData(tail.data);
      tail.remove();
    }
    if (head && head.parentNode && head.nextSibling === mid) {
      head.appendData(mid.data);
      mid.remove();
    }
  }

  /**
   * Wrap every piece of one mention ([{node, from, to}] from offsets.piecesFor). Pieces must not overlap
   * earlier-made wraps' ranges in the same node: wrap a block's mentions from its end backwards.
   */
  function wrapPieces(pieces, makeMark) {
    const records = [];
    // Backwards, so each wrap leaves the offsets of the pieces before it in the same node valid.
    for (let i = pieces.length - 1; i >= 0; i--) {
      const { node, from, to } = pieces[i];
      records.push(wrapRange(node, from, to, () => makeMark(i)));
    }
    return records;
  }

  /** Undo records made by wrapPieces (or several calls), newest first. */
  function unwrapAll(records) {
    for (let i = records.length - 1; i >= 0; i--) unwrapRange(records[i]);
  }

  ns.wrap = { MARK_TAG, wrapRange, unwrapRange, wrapPieces, unwrapAll };
})((globalThis.ContextCards = globalThis.ContextCards || {}));
