// content/blocks.js: which text is read, and how it is cut into blocks.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HELPERS, evalFile, loadPage } from "./helpers.mjs";

function texts(body) {
  const { ns, document } = loadPage(body);
  const { roots, fallback } = ns.blocks.findRoots(document);
  return { texts: [...ns.blocks.extractBlocks(roots, { linkDensity: fallback ? 0.5 : 1 })].map((b) => b.text), roots, fallback };
}

test("inline children are joined into one block per block-level element", () => {
  const { texts: found } = texts(`<article>
    <p><b>Deep</b>Seek said <i>Xi <em>Jinping</em></i> met <a href="/x">the <span>Politburo</span></a>.</p>
    <p>Second paragraph.</p></article>`);
  assert.deepEqual(found, ["DeepSeek said Xi Jinping met the Politburo.", "Second paragraph."]);
});

test("whitespace from the HTML source collapses as the browser shows it", () => {
  const { texts: found } = texts(`<article><p>
      The Bureau of Industry
      and   Security\tadded  firms to the <b> Entity List </b> today.
    </p></article>`);
  assert.deepEqual(found, ["The Bureau of Industry and Security added firms to the Entity List today. "]);
});

test("navigation, page banner, footer, asides, forms, code and scripts are skipped", () => {
  const { texts: found } = texts(`
    <header><p>Site banner with Nvidia in it</p></header>
    <nav><p>Menu Nvidia</p></nav>
    <article>
      <header><h1>Headline about TSMC</h1></header>
      <p>Body text about Huawei.</p>
      <aside><p>Related: Nvidia</p></aside>
      <form><label>Name <input value="Xi Jinping"></label><textarea>DeepSeek</textarea><select><option>SMIC</option></select><button>Send</button></form>
      <pre>code about Nvidia</pre>
      <p>Run <code>nvidia-smi</code> or press <kbd>Ctrl</kbd>; output <samp>ok</samp> then.</p>
      <script>var nvidia = 1;</script><style>.x{}</style><noscript>Enable JS</noscript>
      <footer><p>Copyright Reuters</p></footer>
    </article>
    <footer><p>Site footer</p></footer>`);
  assert.deepEqual(found, ["Headline about TSMC", "Body text about Huawei.", "Run or press ; output then."]);
});

test("hidden, aria-hidden and editable elements are skipped, and so is the card host", () => {
  const { texts: found } = texts(`<article>
    <p>Visible text here.</p>
    <p hidden>Hidden attribute</p>
    <p style="display:none">Display none</p>
    <p style="visibility:hidden">Visibility hidden</p>
    <p aria-hidden="true">Aria hidden</p>
    <div contenteditable="true"><p>Editable DeepSeek</p></div>
    <div contenteditable="false"><p>Not editable text.</p></div>
    <p>Inline <span style="display:none">secret</span>shown.</p>
    <cc-card-host><p>Our own card</p></cc-card-host>
  </article>`);
  assert.deepEqual(found, ["Visible text here.", "Not editable text.", "Inline shown."]);
});

test("article and main landmarks come first: text outside them is not read", () => {
  const { texts: found, fallback } = texts(`
    <div><p>Promo text outside the article that is long enough to count as a paragraph of text.</p></div>
    <main><p>${"Main text about export controls. ".repeat(8)}</p></main>`);
  assert.equal(fallback, false);
  assert.equal(found.length, 1);
  assert.match(found[0], /^Main text/);
});

test("without landmarks, the container densest in paragraphs is read and link lists are dropped", () => {
  const para = "Nvidia designed the H20 for the Chinese market under US export controls. ";
  const { texts: found, roots, fallback } = texts(`
    <div id="menu"><p><a href="/a">Home</a> <a href="/b">World</a> <a href="/c">Business</a></p></div>
    <div id="story"><p>${para}</p><p>${para}</p><p><a href="/1">Related story one</a> <a href="/2">two</a></p><p>${para}</p></div>
    <div id="side"><p>Short note.</p></div>`);
  assert.equal(fallback, true);
  assert.equal(roots[0].id, "story");
  assert.equal(found.length, 3);
});

test("a block with a nested block keeps its own text, separated, and blocks stay in reading order", () => {
  const { texts: found } = texts(`<article><div>Intro text <p>Nested paragraph.</p> tail text</div><p>Line one<br>line two</p></article>`);
  assert.deepEqual(found, ["Intro text \ntail text", "Nested paragraph.", "Line one\nline two"]);
});

test("list items, headings, table cells and quotes are blocks of their own", () => {
  const { texts: found } = texts(`<article><h2>Watch list</h2><ul><li>SMIC yields</li><li>Huawei Ascend</li></ul>
    <table><tr><td>TSMC</td><td>Taiwan</td></tr></table><blockquote><p>Quote here.</p></blockquote></article>`);
  assert.deepEqual(found, ["Watch list", "SMIC yields", "Huawei Ascend", "TSMC", "Taiwan", "Quote here."]);
});

test("blockContainerOf and isExcluded find a node's block and whether it may be read", () => {
  const { ns, document } = loadPage(`<article><p id="p">Some <b id="b">bold</b> text</p><nav id="nav"><span id="s">menu</span></nav></article>`);
  assert.equal(ns.blocks.blockContainerOf(document.getElementById("b").firstChild).id, "p");
  const article = document.querySelector("article");
  assert.equal(ns.blocks.isExcluded(document.getElementById("s"), article), true);
  assert.equal(ns.blocks.isExcluded(document.getElementById("b"), article), false);
});

test("evaluating the scripts twice keeps the first copy (guard against double injection)", () => {
  const { ns, window } = loadPage("<article><p>Text.</p></article>");
  const first = { blocks: ns.blocks, offsets: ns.offsets, wrap: ns.wrap, card: ns.card, interaction: ns.interaction };
  for (const file of HELPERS) evalFile(window, file);
  assert.deepEqual({ blocks: ns.blocks, offsets: ns.offsets, wrap: ns.wrap, card: ns.card, interaction: ns.interaction }, first);
});
