// Loads the extension's classic content scripts into a jsdom window, the way the browser runs them.

import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { JSDOM } from "jsdom";

export const EXTENSION = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "extension");

/** The DOM helpers every test loads (main.js is loaded only where a test wants the whole page running). */
export const HELPERS = ["content/errors.js", "content/blocks.js", "content/offsets.js", "content/wrap.js", "content/card.js", "content/mentions.js", "content/interaction.js"];

/** A jsdom window with `html` as its body, the given extension files evaluated in it, in order. */
export function loadPage(body, { files = HELPERS, before, url = "https://news.example.com/story" } = {}) {
  const dom = new JSDOM(`<!doctype html><html lang="en"><head><title>Test story</title></head><body>${body}</body></html>`, {
    url,
    runScripts: "outside-only",
    pretendToBeVisual: true,
  });
  const { window } = dom;
  if (before) before(window);
  for (const file of files) evalFile(window, file);
  return { dom, window, document: window.document, ns: window.ContextCards };
}

/** Evaluate one extension file in the window as a classic script. */
export function evalFile(window, file) {
  window.eval(readFileSync(join(EXTENSION, file), "utf8"));
}

/** Every text node under a node, in document order. */
export function textNodes(root) {
  const out = [];
  const walker = root.ownerDocument.createTreeWalker(root, 4);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) out.push(node);
  return out;
}

/** Resolve after the given milliseconds (timers in jsdom are real timers). */
export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Wait until `check()` is truthy, polling; fails the test after `timeout` ms. */
export async function until(check, timeout = 2000) {
  const start = Date.now();
  for (;;) {
    const value = check();
    if (value) return value;
    if (Date.now() - start > timeout) throw new Error(`condition not met within ${timeout} ms: ${check}`);
    await sleep(10);
  }
}
