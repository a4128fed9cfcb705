// content/offsets.js: UTF-16 offsets from the server back to text nodes (emoji, CJK, collapsed whitespace).

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPage } from "./helpers.mjs";

function firstBlock(body) {
  const page = loadPage(`<article>${body}</article>`);
  const [block] = page.ns.blocks.extractBlocks([page.document.querySelector("article")]);
  return { ...page, block };
}

/** The text each piece covers, read back from the DOM. */
function covered(pieces) {
  return [...pieces].map((p) => p.node.data.slice(p.from, p.to));
}

test("offsets after an emoji count UTF-16 code units, as the server sends them", () => {
  const { ns, block } = firstBlock("<p>🙂 DeepSeek 👍🏽 and Nvidia</p>");
  // "🙂" is two code units; "👍🏽" (thumbs up + skin tone) is four.
  assert.equal(block.text.indexOf("DeepSeek"), 3);
  assert.deepEqual(covered(ns.offsets.piecesFor(block, 3, 11)), ["DeepSeek"]);
  const nvidia = block.text.indexOf("Nvidia");
  assert.equal(nvidia, 21);
  assert.deepEqual(covered(ns.offsets.piecesFor(block, nvidia, nvidia + 6)), ["Nvidia"]);
});

test("CJK text maps one code unit per character", () => {
  const { ns, block } = firstBlock("<p>国家主席<b>习近平</b>在中共中央政治局会议上讲话，提到华为和𠮷野家。</p>");
  const xi = block.text.indexOf("习近平");
  assert.deepEqual(covered(ns.offsets.piecesFor(block, xi, xi + 3)), ["习近平"]);
  const huawei = block.text.indexOf("华为");
  assert.deepEqual(covered(ns.offsets.piecesFor(block, huawei, huawei + 2)), ["华为"]);
  // 𠮷 is outside the BMP: two code units.
  const yoshinoya = block.text.indexOf("𠮷野家");
  assert.deepEqual(covered(ns.offsets.piecesFor(block, yoshinoya, yoshinoya + 4)), ["𠮷野家"]);
});

test("a range that would split a surrogate pair is refused", () => {
  const { ns, block } = firstBlock("<p>a🙂b</p>");
  assert.deepEqual([...ns.offsets.piecesFor(block, 2, 4)], []);
  assert.deepEqual([...ns.offsets.piecesFor(block, 0, 2)], []);
  assert.deepEqual(covered(ns.offsets.piecesFor(block, 1, 3)), ["🙂"]);
});

test("a mention across inline elements becomes one piece per text node", () => {
  const { ns, block } = firstBlock("<p>Chinese start-up <b>Deep</b>Seek said</p>");
  const start = block.text.indexOf("DeepSeek");
  const pieces = ns.offsets.piecesFor(block, start, start + 8);
  assert.deepEqual(covered(pieces), ["Deep", "Seek"]);
  assert.equal(pieces[0].node.parentNode.localName, "b");
});

test("collapsed whitespace maps back to the raw text of the node", () => {
  const { ns, block } = firstBlock("<p>\n    President Xi\n      Jinping   spoke</p>");
  assert.equal(block.text, "President Xi Jinping spoke");
  const start = block.text.indexOf("Xi Jinping");
  assert.deepEqual(covered(ns.offsets.piecesFor(block, start, start + 10)), ["Xi\n      Jinping"]);
  const spoke = block.text.indexOf("spoke");
  assert.deepEqual(covered(ns.offsets.piecesFor(block, spoke, spoke + 5)), ["spoke"]);
});

test("line breaks we add between runs belong to no node and are skipped", () => {
  const { ns, block } = firstBlock("<p>Entity<br>List</p>");
  assert.equal(block.text, "Entity\nList");
  assert.deepEqual(covered(ns.offsets.piecesFor(block, 0, 11)), ["Entity", "List"]);
});

test("empty, reversed and out-of-range offsets give no pieces", () => {
  const { ns, block } = firstBlock("<p>Short text</p>");
  for (const [start, end] of [[3, 3], [5, 2], [-1, 3], [0, 99]]) {
    assert.deepEqual([...ns.offsets.piecesFor(block, start, end)], [], `${start}-${end}`);
  }
});

test("isCurrent notices when the page changed or removed the block's text", () => {
  const { ns, block, document } = firstBlock("<p id='p'>Some <b>text</b> here</p>");
  assert.equal(ns.offsets.isCurrent(block), true);
  document.querySelector("b").firstChild.data = "words";
  assert.equal(ns.offsets.isCurrent(block), false);
  const again = ns.blocks.extractBlocks([document.querySelector("article")])[0];
  document.getElementById("p").remove();
  assert.equal(ns.offsets.isCurrent(again), false);
});
