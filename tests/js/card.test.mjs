// content/card.js: what a card shows, that server text is only ever text, links, placement and states.

import assert from "node:assert/strict";
import { test } from "node:test";
import { loadPage } from "./helpers.mjs";

const CARD = {
  id: "bureau-of-industry-and-security",
  title: "Bureau of Industry and Security",
  kind: "org",
  summary: "Agency of the US Department of Commerce that administers export controls.",
  source: "pack",
  wikipedia: "Bureau of Industry and Security",
  url: "https://en.wikipedia.org/wiki/Bureau_of_Industry_and_Security",
  facts: ["Parent: US Department of Commerce", "Runs: the Entity List"],
  as_of: "2025-06",
};

function openCard(card, extra = {}, handlers = {}) {
  const page = loadPage("<article><p>The <span id='a'>BIS</span> said.</p></article>");
  const view = new page.ns.card.CardView(page.document, handlers);
  view.show(page.document.getElementById("a"), card, extra);
  return { ...page, view, root: view.root };
}

test("the card shows kind, title, summary, facts, as-of date, source and the Wikipedia link", () => {
  const { root, view } = openCard(CARD);
  assert.equal(view.isOpen, true);
  // Compact: the facts wait behind "More".
  const more = root.querySelector("button.more");
  assert.equal(more.getAttribute("aria-expanded"), "false");
  assert.equal(root.querySelector(".facts").closest("[hidden]"), root.querySelector(".details"));
  more.click();
  assert.equal(more.getAttribute("aria-expanded"), "true");
  assert.equal(root.querySelector(".facts").closest("[hidden]"), null);
  assert.equal(root.querySelector(".kind").textContent, "Organisation");
  assert.equal(root.querySelector("h2").textContent, CARD.title);
  assert.equal(root.querySelector(".summary").textContent, CARD.summary);
  assert.deepEqual([...root.querySelectorAll(".facts li")].map((li) => li.textContent), CARD.facts);
  const source = root.querySelector(".source").textContent;
  assert.match(source, /^Context Cards knowledge pack, as of June 2025 · Wikipedia$/);
  const link = root.querySelector("a.wikipedia");
  assert.equal(link.href, CARD.url);
  assert.equal(link.rel, "noopener noreferrer");
});

test("the card lives in a closed shadow root the page cannot open, with a dialog role and nothing aria-hidden", () => {
  const { document, root } = openCard(CARD);
  const host = document.querySelector("cc-card-host");
  assert.ok(host);
  assert.equal(host.shadowRoot, null);
  assert.equal(host.parentNode, document.documentElement);
  const dialog = root.querySelector(".card");
  assert.equal(dialog.getAttribute("role"), "dialog");
  assert.equal(dialog.getAttribute("aria-labelledby"), root.querySelector("h2").id);
  assert.equal(root.querySelectorAll("[aria-hidden]").length, 0);
});

test("markup and script in server text stay text", () => {
  const hostile = {
    ...CARD,
    title: "<img src=x onerror=alert(1)>",
    summary: "</style><script>alert(1)</script>",
    facts: ["<b>bold</b>"],
    source: "<i>x</i>",
    as_of: "<svg onload=alert(1)>",
    url: "javascript:alert(1)",
  };
  const { root } = openCard(hostile);
  assert.equal(root.querySelector("h2").textContent, hostile.title);
  assert.equal(root.querySelector(".summary").textContent, hostile.summary);
  for (const tag of ["img", "script", "b", "i", "svg"]) assert.equal(root.querySelectorAll(`.card ${tag}`).length, 0, tag);
  assert.equal(root.querySelectorAll("a").length, 0);
});

test("only http(s) links to wikipedia.org become links", () => {
  const { ns } = loadPage("");
  const href = ns.card.wikipediaHref;
  assert.equal(href("https://en.wikipedia.org/wiki/TSMC"), "https://en.wikipedia.org/wiki/TSMC");
  assert.equal(href("http://zh.wikipedia.org/wiki/x"), "http://zh.wikipedia.org/wiki/x");
  for (const bad of [
    "javascript:alert(1)",
    "data:text/html,hi",
    "https://evil.com/wiki/x",
    "https://en.wikipedia.org.evil.com/wiki/x",
    "https://user:pw@en.wikipedia.org/wiki/x",
    "//en.wikipedia.org/wiki/x",
    "ftp://en.wikipedia.org/x",
    null,
    42,
  ]) {
    assert.equal(href(bad), null, String(bad));
  }
});

test("a card with a Wikipedia title but no usable URL names it as text", () => {
  const { root } = openCard({ ...CARD, url: "https://evil.example/x" });
  assert.equal(root.querySelectorAll("a").length, 0);
  assert.match(root.querySelector(".source").textContent, /Wikipedia: Bureau of Industry and Security/);
});

test("a pending card says it is being looked up; after giving up it offers to try again", () => {
  let retried = null;
  const pending = { id: "h20", title: "H20", status: "pending" };
  const { root, view } = openCard(pending, {}, { onRetry: (id) => (retried = id) });
  const status = root.querySelector(".status");
  assert.equal(status.getAttribute("role"), "status");
  assert.match(status.textContent, /Looking this up/);
  assert.equal(root.querySelector(".card").getAttribute("aria-busy"), "true");
  view.update(pending, { pendingFailed: true });
  const retry = root.querySelector("button.retry");
  assert.ok(retry);
  retry.click();
  assert.equal(retried, "h20");
  view.update({ ...CARD, id: "h20" }, {});
  assert.equal(root.querySelector(".status"), null);
  assert.equal(root.querySelector(".card").getAttribute("aria-busy"), "false");
});

test("the reserved history slots: 'seen on N earlier pages' shows when given, the feedback slot stays hidden", () => {
  const { root, view } = openCard(CARD);
  assert.equal(root.querySelector('[data-slot="seen-before"]').hidden, true);
  assert.equal(root.querySelector('[data-slot="feedback"]').hidden, true);
  view.update({ ...CARD, seen_before: { count: 3, last: { title: "Chip rules <b>tighten</b>", url: "https://x.test/" } } }, {});
  const seen = root.querySelector('[data-slot="seen-before"]');
  assert.equal(seen.hidden, false);
  assert.equal(seen.textContent, "Seen on 3 earlier pages, most recently “Chip rules <b>tighten</b>”.");
});

test("with history handlers the card has 'Not this' and 'Mute' buttons and a 'seen on' button that call them", async () => {
  const calls = [];
  const handlers = {
    onFeedback: async (action, id) => {
      calls.push([action, id]);
      if (action === "not-this") throw new Error("The server <b>stopped</b>.");
    },
    onOpenHistory: (id) => calls.push(["history", id]),
  };
  const { root } = openCard({ ...CARD, seen_before: { count: 1 } }, {}, handlers);
  const slot = root.querySelector('[data-slot="feedback"]');
  assert.equal(slot.hidden, false);
  assert.deepEqual([...slot.querySelectorAll("button")].map((b) => [b.textContent, b.type, b.dataset.action]), [
    ["Not this", "button", "not-this"],
    ["Mute", "button", "mute"],
  ]);
  const seen = root.querySelector('[data-slot="seen-before"]');
  assert.equal(seen.textContent, "Seen on 1 earlier page.");
  seen.querySelector("button.seen-link").click();
  slot.querySelector('[data-action="not-this"]').click();
  assert.ok(slot.querySelector('[data-action="mute"]').disabled, "one action at a time");
  await new Promise((resolve) => setTimeout(resolve, 10));
  const note = root.querySelector(".feedback-note");
  assert.equal(note.hidden, false);
  assert.equal(note.textContent, "Could not save that: The server <b>stopped</b>.");
  assert.equal(note.querySelector("b"), null);
  slot.querySelector('[data-action="mute"]').click();
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.deepEqual(calls, [["history", CARD.id], ["not-this", CARD.id], ["mute", CARD.id]]);
});

test("alternatives are listed as text", () => {
  const { root } = openCard(CARD, { alternatives: [{ id: "x", title: "Bank for International Settlements" }] });
  assert.equal(root.querySelector(".alternatives").textContent, "Could also be: Bank for International Settlements");
});

test("keyboard opening announces the card through a live region; hiding clears it", () => {
  const { root, view } = openCard(CARD, { announce: true });
  const live = root.querySelector("[aria-live]");
  assert.match(live.textContent, /^Bureau of Industry and Security\. Organisation\. Agency/);
  view.hide();
  assert.equal(live.textContent, "");
  assert.equal(view.isOpen, false);
});

test("placement: below the mention, flipped above at the bottom edge, kept inside the edges, limited when it fits nowhere", () => {
  const { ns } = loadPage("");
  const viewport = { width: 1000, height: 800 };
  const size = { width: 300, height: 200 };
  const at = (top, bottom, left, right = left + 40, box = size, view = viewport) => ({ ...ns.card.placement({ top, bottom, left, right }, box, view) });
  assert.deepEqual(at(100, 120, 50), { top: 129, left: 50, side: "below", maxHeight: null, pointerLeft: 20 });
  assert.deepEqual(at(700, 720, 50), { top: 491, left: 50, side: "above", maxHeight: null, pointerLeft: 20 });
  // At the right edge the card moves left and its pointer moves right, to stay on the word.
  const right = at(100, 120, 950, 990);
  assert.equal(right.left, 692);
  assert.equal(right.pointerLeft, 970 - 692);
  // Fits neither above nor below: on the roomier side, limited in height, inside the window.
  const tall = at(300, 320, 50, 90, { width: 300, height: 700 });
  assert.equal(tall.side, "below");
  assert.equal(tall.maxHeight, 800 - 8 - 329);
  assert.ok(tall.top + tall.maxHeight <= 800 - 8);
  const nearBottom = at(760, 780, 50, 90, { width: 300, height: 900 });
  assert.equal(nearBottom.side, "above");
  assert.ok(nearBottom.top >= 8 && nearBottom.top + nearBottom.maxHeight <= 800 - 8);
  // A narrow phone: never wider than the window.
  const phone = at(500, 520, 300, 340, { width: 360, height: 200 }, { width: 375, height: 740 });
  assert.equal(phone.left, 8);
});

test("the card follows a dark page background, else the reader's colour scheme", () => {
  const dark = loadPage("<article><p id='a'>x</p></article>");
  dark.document.body.style.backgroundColor = "rgb(20, 20, 24)";
  const view = new dark.ns.card.CardView(dark.document, {});
  view.show(dark.document.getElementById("a"), CARD, {});
  assert.equal(view.root.querySelector(".card").dataset.scheme, "dark");
  const { root } = openCard(CARD);
  assert.equal(root.querySelector(".card").dataset.scheme, "light");
});

test("destroy removes the host from the page", () => {
  const { document, view } = openCard(CARD);
  view.destroy();
  assert.equal(document.querySelector("cc-card-host"), null);
});

test("as-of labels", () => {
  const { ns } = loadPage("");
  assert.equal(ns.card.asOfLabel("2024-12"), "December 2024");
  assert.equal(ns.card.asOfLabel("2024-13"), "2024-13");
  assert.equal(ns.card.asOfLabel("spring 2025"), "spring 2025");
});
