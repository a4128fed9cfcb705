// content/wrap.js: wrapping mentions (also across inline elements) and restoring the DOM exactly.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPage, textNodes } from "./helpers.mjs";

const ARTICLE = `<article>
  <p id="p1">On <b>Deep</b>Seek and <i>Xi <em>Jin</em>ping</i>: the <a href="/bis">Bureau of Industry and Security</a> put
     Huawei on the Entity List, and Huawei 🙂 answered.</p>
  <p id="p2">TSMC makes chips; TSMC is in Taiwan; 中国 and 习近平.</p>
</article>`;

/** Wrap [start, end) ranges of the first block(s) the way main.js does: each block's ranges from its end backwards. */
function wrapAll(ns, document, wanted) {
  const blocks = ns.blocks.extractBlocks([document.querySelector("article")]);
  const records = [];
  for (const block of blocks) {
    const ranges = wanted
      .map((word) => [...block.text.matchAll(new RegExp(word, "g"))].map((m) => [m.index, m.index + m[0].length]))
      .flat()
      .sort((a, b) => a[0] - b[0]);
    for (let i = ranges.length - 1; i >= 0; i--) {
      const pieces = ns.offsets.piecesFor(block, ranges[i][0], ranges[i][1]);
      records.push(...ns.wrap.wrapPieces(pieces, () => document.createElement("cc-mark")));
    }
  }
  return records;
}

test("a mention across inline elements is wrapped piece by piece and reads the same", () => {
  const { ns, document } = loadPage(ARTICLE);
  const before = document.body.textContent;
  wrapAll(ns, document, ["DeepSeek", "Xi Jinping"]);
  const marks = [...document.querySelectorAll("cc-mark")].map((m) => [m.parentNode.localName, m.textContent]);
  assert.deepEqual(marks, [["b", "Deep"], ["p", "Seek"], ["i", "Xi "], ["em", "Jin"], ["i", "ping"]]);
  assert.equal(document.body.textContent, before);
});

test("several mentions in one text node, emoji and CJK, all wrapped at the right places", () => {
  const { ns, document } = loadPage(ARTICLE);
  wrapAll(ns, document, ["Huawei", "Entity List", "TSMC", "习近平", "Bureau of Industry and Security"]);
  const marks = [...document.querySelectorAll("cc-mark")].map((m) => m.textContent);
  assert.deepEqual(marks, ["Bureau of Industry and Security", "Huawei", "Entity List", "Huawei", "TSMC", "TSMC", "习近平"]);
});

test("unwrapping restores the DOM exactly: same markup, same nodes, same text nodes", () => {
  const { ns, document } = loadPage(ARTICLE);
  const html = document.body.innerHTML;
  const clone = document.body.cloneNode(true);
  const nodes = textNodes(document.body);
  const records = wrapAll(ns, document, ["DeepSeek", "Xi Jinping", "Huawei", "Entity List", "TSMC", "习近平", "中国"]);
  assert.notEqual(document.body.innerHTML, html);
  ns.wrap.unwrapAll(records);
  assert.equal(document.body.innerHTML, html);
  assert.ok(document.body.isEqualNode(clone));
  const after = textNodes(document.body);
  assert.equal(after.length, nodes.length);
  assert.ok(after.every((node, i) => node === nodes[i]), "the page's own text node objects are back in place");
});

test("a mention that is a whole text node keeps the node itself inside the mark", () => {
  const { ns, document } = loadPage("<article><p>x <b>Nvidia</b> y</p></article>");
  const node = document.querySelector("b").firstChild;
  const [block] = ns.blocks.extractBlocks([document.querySelector("article")]);
  const records = ns.wrap.wrapPieces(ns.offsets.piecesFor(block, 2, 8), () => document.createElement("cc-mark"));
  assert.equal(document.querySelector("cc-mark").firstChild, node);
  ns.wrap.unwrapAll(records);
  assert.equal(document.querySelector("b").firstChild, node);
  assert.equal(document.querySelector("b").childNodes.length, 1);
});

test("unwrapping never throws when the page removed or rewrote what we wrapped", () => {
  const { ns, document } = loadPage(ARTICLE);
  const records = wrapAll(ns, document, ["Huawei", "TSMC", "DeepSeek"]);
  document.getElementById("p2").remove();
  const mark = document.querySelector("#p1 cc-mark");
  mark.firstChild.data = "Changed";
  assert.doesNotThrow(() => ns.wrap.unwrapAll(records));
  assert.equal(document.querySelectorAll("cc-mark").length, 0);
  assert.match(document.getElementById("p1").textContent, /Changed/);
});
