// content/main.js and content/interaction.js with a fake transport: what is sent and wrapped, later content,
// turning off, and cards opened by dwell, focus and the keyboard.

import assert from "node:assert/strict";
import { test } from "node:test";
import { HELPERS, loadPage, sleep, textNodes, until } from "./helpers.mjs";

const NAMES = { DeepSeek: "deepseek", "Xi Jinping": "xi-jinping", Huawei: "huawei", "Entity List": "entity-list", H20: "nvidia-h20" };
const CARDS = Object.fromEntries(
  Object.entries(NAMES).map(([title, id]) => [id, { id, title, kind: "org", summary: `About ${title}.`, source: "pack", wikipedia: null, url: null }]),
);

/** A stand-in for the server: finds the known names in each block, with JavaScript (UTF-16) offsets. */
function annotateLikeServer(payload, mentions) {
  const annotations = [];
  const used = {};
  for (const block of payload.blocks) {
    for (const [name, id] of Object.entries(NAMES)) {
      for (const match of block.text.matchAll(new RegExp(name, "g"))) {
        if (mentions === "first" && used[id]) continue;
        used[id] = true;
        annotations.push({ block: block.id, start: match.index, end: match.index + name.length, text: name, card: id, confidence: 0.9 });
      }
    }
  }
  return { page_id: null, annotations, cards: Object.fromEntries(Object.keys(used).map((id) => [id, CARDS[id]])) };
}

function fakeTransport(options = {}) {
  const state = {
    enabled: true,
    mentions: options.mentions || "first",
    calls: { hello: 0, annotate: [], card: [], reports: [] },
    listener: null,
    answer: options.answer || ((payload) => annotateLikeServer(payload, state.mentions)),
  };
  state.transport = {
    async hello() {
      state.calls.hello++;
      return { enabled: state.enabled, reason: state.enabled ? null : "site-off", settings: { dwellMs: 40, mentions: state.mentions, annotateKey: state.mentions } };
    },
    async annotate(payload) {
      // A JSON round trip, like a runtime message: the test sees plain Node objects.
      payload = JSON.parse(JSON.stringify(payload));
      state.calls.annotate.push(payload);
      if (options.delay) await sleep(options.delay);
      return state.answer(payload);
    },
    async card(id) {
      state.calls.card.push(id);
      return options.cardAnswer ? options.cardAnswer(id) : CARDS[id];
    },
    report(status) {
      state.calls.reports.push({ ...status });
    },
    onSettingsChanged(listener) {
      state.listener = listener;
    },
    onStatusRequest() {},
  };
  if (options.history) {
    state.calls.feedback = [];
    state.calls.openHistory = [];
    state.transport.capabilities = { feedback: true, openHistory: true };
    state.transport.feedback = async (body) => {
      state.calls.feedback.push(JSON.parse(JSON.stringify(body)));
      if (options.feedbackError) throw Object.assign(new Error(options.feedbackError), { kind: "not-paired" });
      return { muted: [], corrections: [], site_rules: {} };
    };
    state.transport.openHistory = async (card) => state.calls.openHistory.push(card);
  }
  return state;
}

const ARTICLE = `<article>
  <h1>Chip rules</h1>
  <p id="p1">The start-up <b>Deep</b>Seek trained on the H20 while <i>Xi Jinping</i> urged self-reliance 🙂.</p>
  <p id="p2">Huawei is on the Entity List; DeepSeek is not, and Huawei knows it.</p>
</article>`;

async function runPage(body = ARTICLE, options) {
  const fake = fakeTransport(options);
  const page = loadPage(body, {
    files: [...HELPERS, "content/main.js"],
    before: (window) => {
      window.ContextCards = { transport: fake.transport };
    },
  });
  const controller = page.ns.page;
  await until(() => fake.calls.reports.length || fake.calls.annotate.length > 0);
  await until(() => fake.calls.reports.length);
  return { ...page, fake, controller };
}

const marks = (document) => [...document.querySelectorAll("cc-mark")].map((m) => m.textContent);

test("sends the article's blocks once and underlines first mentions, also across inline elements", async () => {
  const { document, fake } = await runPage();
  assert.equal(fake.calls.annotate.length, 1);
  const payload = fake.calls.annotate[0];
  assert.equal(payload.url, "https://news.example.com/story");
  assert.equal(payload.title, "Test story");
  assert.equal(payload.lang, "en");
  assert.deepEqual(
    payload.blocks.map((b) => b.text),
    ["Chip rules", "The start-up DeepSeek trained on the H20 while Xi Jinping urged self-reliance 🙂.", "Huawei is on the Entity List; DeepSeek is not, and Huawei knows it."],
  );
  assert.deepEqual(marks(document), ["Deep", "Seek", "H20", "Xi Jinping", "Huawei", "Entity List"]);
  assert.deepEqual(fake.calls.reports.at(-1), { count: 5, enabled: true });
});

test("marks are focusable by script but stay out of the page's Tab order", async () => {
  const { document } = await runPage();
  const all = [...document.querySelectorAll("cc-mark")];
  assert.ok(all.every((m) => m.tabIndex === -1 || !m.hasAttribute("tabindex")));
  assert.equal(all.filter((m) => m.hasAttribute("tabindex")).length, 5, "one focus stop per mention");
});

test("'all mentions' underlines every mention", async () => {
  const { document } = await runPage(ARTICLE, { mentions: "all" });
  assert.deepEqual(marks(document), ["Deep", "Seek", "H20", "Xi Jinping", "Huawei", "Entity List", "DeepSeek", "Huawei"]);
});

test("paragraphs added later are sent alone, and names already underlined are not underlined again", async () => {
  const { document, fake } = await runPage();
  const p = document.createElement("p");
  p.textContent = "Later: DeepSeek and the H20 again, and a new Entity List entry.";
  const q = document.createElement("p");
  q.append("Also ", Object.assign(document.createElement("b"), { textContent: "Huawei" }), " news.");
  document.querySelector("article").append(p, q);
  await until(() => fake.calls.annotate.length === 2);
  assert.deepEqual(
    fake.calls.annotate[1].blocks.map((b) => b.text),
    ["Later: DeepSeek and the H20 again, and a new Entity List entry.", "Also Huawei news."],
  );
  await sleep(20);
  assert.equal(p.querySelectorAll("cc-mark").length, 0, "first mentions only: these cards are already on the page");
  // Our own wrapping never counts as the page adding content.
  await sleep(400);
  assert.equal(fake.calls.annotate.length, 2);
});

test("content added outside the article, or in code and navigation, is not sent", async () => {
  const { document, fake } = await runPage();
  document.body.append(Object.assign(document.createElement("p"), { textContent: "Outside the article: Huawei." }));
  const nav = document.createElement("nav");
  nav.textContent = "Menu DeepSeek";
  document.querySelector("article").append(nav, Object.assign(document.createElement("pre"), { textContent: "H20 code" }));
  await sleep(450);
  assert.equal(fake.calls.annotate.length, 1);
});

test("turning off restores the page exactly: markup, node objects, no card host", async () => {
  const fake = fakeTransport();
  let snapshot;
  const page = loadPage(ARTICLE, {
    files: [...HELPERS, "content/main.js"],
    before: (window) => {
      window.ContextCards = { transport: fake.transport };
      snapshot = { html: window.document.body.innerHTML, nodes: textNodes(window.document.body), clone: window.document.body.cloneNode(true) };
    },
  });
  await until(() => fake.calls.reports.length);
  const { document, ns } = page;
  // Open a card so there is a host to remove as well.
  document.querySelector("cc-mark[tabindex]").focus();
  assert.ok(ns.page.interaction.cardView.isOpen);
  fake.enabled = false;
  await fake.listener();
  assert.equal(document.body.innerHTML, snapshot.html);
  assert.ok(document.body.isEqualNode(snapshot.clone));
  const nodes = textNodes(document.body);
  assert.ok(nodes.length === snapshot.nodes.length && nodes.every((n, i) => n === snapshot.nodes[i]));
  assert.equal(document.querySelector("cc-card-host"), null);
  assert.deepEqual(fake.calls.reports.at(-1), { count: 0, enabled: false });
  // And on again: the same marks come back.
  fake.enabled = true;
  await fake.listener();
  assert.deepEqual(marks(document), ["Deep", "Seek", "H20", "Xi Jinping", "Huawei", "Entity List"]);
});

test("a block the page changed while the answer was on its way is not wrapped, and is sent again", async () => {
  const fake = fakeTransport({ delay: 80 });
  const page = loadPage(ARTICLE, {
    files: [...HELPERS, "content/main.js"],
    before: (window) => {
      window.ContextCards = { transport: fake.transport };
    },
  });
  await until(() => fake.calls.annotate.length === 1);
  page.document.querySelector("#p2").firstChild.data = "Huawei changed its text; Entity List again. ";
  await until(() => fake.calls.annotate.length === 2, 3000);
  assert.deepEqual(fake.calls.annotate[1].blocks.map((b) => b.text), ["Huawei changed its text; Entity List again. "]);
  await until(() => page.document.querySelectorAll("#p2 cc-mark").length === 2);
  assert.deepEqual([...page.document.querySelectorAll("#p2 cc-mark")].map((m) => m.textContent), ["Huawei", "Entity List"]);
});

test("annotations whose text does not match the block, or that overlap, are ignored", async () => {
  const answer = (payload) => {
    const block = payload.blocks.find((b) => b.text.startsWith("Huawei"));
    return {
      annotations: [
        { block: block.id, start: 0, end: 6, text: "Huawei", card: "huawei" },
        { block: block.id, start: 3, end: 9, text: "wei is", card: "entity-list" },
        { block: block.id, start: 10, end: 16, text: "Nvidia", card: "deepseek" },
        { block: "nope", start: 0, end: 3, text: "Hua", card: "huawei" },
      ],
      cards: CARDS,
    };
  };
  const { document } = await runPage(ARTICLE, { answer });
  assert.deepEqual(marks(document), ["Huawei"]);
});

test("a server failure leaves the page untouched and is reported in the page status", async () => {
  const fake = fakeTransport({
    answer: () => {
      throw Object.assign(new Error("The Context Cards server is not running."), { kind: "server-not-running" });
    },
  });
  const page = loadPage(ARTICLE, {
    files: [...HELPERS, "content/main.js"],
    before: (window) => {
      window.ContextCards = { transport: fake.transport };
    },
  });
  await until(() => page.ns.page && page.ns.page.lastError);
  assert.equal(page.document.querySelectorAll("cc-mark").length, 0);
  assert.equal(page.ns.page.status().error.kind, "server-not-running");
});

test("Alt+Shift+K focuses the next mention and focus opens its card; Enter enters it; Escape closes", async () => {
  const { window, document, ns } = await runPage();
  const press = (init) => document.activeElement.dispatchEvent(new window.KeyboardEvent("keydown", { bubbles: true, cancelable: true, ...init }));
  press({ key: "K", code: "KeyK", altKey: true, shiftKey: true });
  const first = document.querySelector("cc-mark[tabindex]");
  assert.equal(document.activeElement, first);
  assert.ok(ns.page.interaction.cardView.isOpen);
  assert.equal(ns.page.interaction.cardView.root.querySelector("h2").textContent, "DeepSeek");
  press({ key: "K", code: "KeyK", altKey: true, shiftKey: true });
  assert.equal(document.activeElement.textContent, "H20");
  assert.equal(ns.page.interaction.cardView.root.querySelector("h2").textContent, "H20");
  press({ key: "J", code: "KeyJ", altKey: true, shiftKey: true });
  assert.equal(document.activeElement, first);
  press({ key: "Enter", code: "Enter" });
  assert.ok(ns.page.interaction.cardView.hasFocus());
  press({ key: "Escape", code: "Escape" });
  assert.equal(ns.page.interaction.cardView.isOpen, false);
  assert.equal(document.activeElement, first, "focus goes back to the mention");
});

test("a card opens after the dwell time, stays while the pointer is on it, and closes after leaving", async () => {
  const { window, document, ns } = await runPage();
  const mark = [...document.querySelectorAll("cc-mark")].find((m) => m.textContent === "Huawei");
  const fire = (target, type, related) => target.dispatchEvent(new window.MouseEvent(type, { bubbles: true, relatedTarget: related || null }));
  fire(mark, "mouseover");
  await sleep(15);
  assert.equal(ns.page.interaction.cardView.isOpen, false, "not before the dwell time");
  await until(() => ns.page.interaction.cardView.isOpen, 500);
  assert.equal(ns.page.interaction.cardView.root.querySelector("h2").textContent, "Huawei");
  assert.ok(mark.hasAttribute("data-active"));
  // Into the card: it stays open well past the close delay.
  const host = document.querySelector("cc-card-host");
  fire(mark, "mouseout", host);
  host.dispatchEvent(new window.MouseEvent("mouseenter"));
  await sleep(400);
  assert.ok(ns.page.interaction.cardView.isOpen);
  host.dispatchEvent(new window.MouseEvent("mouseleave"));
  await sleep(100);
  assert.ok(ns.page.interaction.cardView.isOpen, "not closed at once");
  await until(() => !ns.page.interaction.cardView.isOpen, 600);
  assert.ok(!mark.hasAttribute("data-active"));
});

test("passing over a mention without resting does not open a card", async () => {
  const { window, document, ns } = await runPage();
  const mark = document.querySelector("cc-mark");
  mark.dispatchEvent(new window.MouseEvent("mouseover", { bubbles: true }));
  mark.dispatchEvent(new window.MouseEvent("mouseout", { bubbles: true, relatedTarget: document.body }));
  await sleep(120);
  assert.equal(ns.page.interaction.cardView.isOpen, false);
});

test("a pending card is shown as pending, asked for again, and redrawn when ready", async () => {
  let asks = 0;
  const answer = (payload) => {
    const result = annotateLikeServer(payload, "first");
    result.cards["nvidia-h20"] = { id: "nvidia-h20", title: "H20", kind: "product", status: "pending" };
    return result;
  };
  const cardAnswer = (id) => {
    asks++;
    return asks < 2 ? { id, title: "H20", kind: "product", status: "pending" } : { ...CARDS[id], summary: "A data-centre GPU." };
  };
  const { document, ns, fake } = await runPage(ARTICLE, { answer, cardAnswer });
  const mark = [...document.querySelectorAll("cc-mark")].find((m) => m.textContent === "H20");
  mark.focus();
  const root = ns.page.interaction.cardView.root;
  assert.match(root.querySelector(".status").textContent, /Looking this up/);
  await until(() => root.querySelector(".summary"), 3000);
  assert.equal(root.querySelector(".summary").textContent, "A data-centre GPU.");
  assert.equal(root.querySelector(".status"), null);
  assert.deepEqual(fake.calls.card, ["nvidia-h20", "nvidia-h20"]);
});

test("a pending card the server has no page for says so at once and is not asked for again", async () => {
  const answer = (payload) => {
    const result = annotateLikeServer(payload, "first");
    result.cards["nvidia-h20"] = { id: "nvidia-h20", title: "H20", kind: "product", status: "pending" };
    return result;
  };
  const cardAnswer = () => {
    throw Object.assign(new Error("There is no card."), { kind: "not-found" });
  };
  const { document, ns, fake } = await runPage(ARTICLE, { answer, cardAnswer });
  const mark = [...document.querySelectorAll("cc-mark")].find((m) => m.textContent === "H20");
  mark.focus();
  const root = ns.page.interaction.cardView.root;
  await until(() => root.querySelector('.status[data-state="none"]'), 3000);
  assert.match(root.querySelector(".status").textContent, /No encyclopedia article/);
  assert.equal(root.querySelector("button.retry"), null);
  await sleep(300);
  assert.deepEqual(fake.calls.card, ["nvidia-h20"]);
});

// ---- the card's history actions: "not this", "mute" and "seen on N earlier pages" ------------------------------

const ACTIONS_ARTICLE = `<article>
  <p id="p1">Huawei said <b>Deep</b>Seek and Huawei, then DeepSeek again; <i>HUAWEI</i> too.</p>
  <p id="p2">The H20 and Huawei.</p>
</article>`;

/** A page with every mention underlined, its snapshot taken before the extension ran. */
async function historyPage(options = {}) {
  const fake = fakeTransport({ mentions: "all", history: true, ...options });
  let snapshot;
  const page = loadPage(ACTIONS_ARTICLE, {
    files: [...HELPERS, "content/main.js"],
    before: (window) => {
      window.ContextCards = { transport: fake.transport };
      snapshot = { nodes: textNodes(window.document.body), clone: window.document.body.cloneNode(true) };
    },
  });
  await until(() => fake.calls.reports.length);
  return { ...page, fake, snapshot, interaction: page.ns.page.interaction };
}

function openOn(document, interaction, text, index = 0) {
  const mark = [...document.querySelectorAll("cc-mark[tabindex]")].filter((m) => m.textContent === text)[index];
  mark.focus();
  assert.ok(interaction.cardView.isOpen);
  return mark;
}

test("'Mute' sends the card, closes it and removes every underline of that card, the other marks staying", async () => {
  const { document, fake, interaction, ns } = await historyPage();
  assert.deepEqual(marks(document), ["Huawei", "Deep", "Seek", "Huawei", "DeepSeek", "H20", "Huawei"]);
  const h20Mark = document.querySelector("#p2 cc-mark");
  openOn(document, interaction, "Huawei", 1);
  interaction.cardView.root.querySelector('[data-slot="feedback"] button[data-action="mute"]').click();
  await until(() => !interaction.cardView.isOpen);
  assert.deepEqual(fake.calls.feedback, [{ card: "huawei", action: "mute", term: "Huawei" }]);
  assert.deepEqual(marks(document), ["Deep", "Seek", "DeepSeek", "H20"]);
  assert.equal(document.querySelector("#p2 cc-mark"), h20Mark, "the marks that stay are the same elements");
  assert.deepEqual(fake.calls.reports.at(-1), { count: 2, enabled: true });
  assert.equal(ns.page.store.list.length, 3);
  // The marks that stay still open their cards.
  openOn(document, interaction, "H20");
  assert.equal(interaction.cardView.root.querySelector("h2").textContent, "H20");
});

test("'Not this' corrects the term to no card and removes only the marks of that text for that card", async () => {
  const answer = (payload) => {
    const result = annotateLikeServer(payload, "all");
    // "HUAWEI" in capitals is also the huawei card: a different text of the same card.
    const block = payload.blocks[0];
    const at = block.text.indexOf("HUAWEI");
    if (at >= 0) result.annotations.push({ block: block.id, start: at, end: at + 6, text: "HUAWEI", card: "huawei", confidence: 0.9 });
    return result;
  };
  const { document, fake, interaction } = await historyPage({ answer });
  assert.ok(marks(document).includes("HUAWEI"));
  openOn(document, interaction, "Deep");
  assert.equal(interaction.cardView.root.querySelector("h2").textContent, "DeepSeek");
  interaction.cardView.root.querySelector('button[data-action="not-this"]').click();
  await until(() => !interaction.cardView.isOpen);
  assert.deepEqual(fake.calls.feedback, [{ card: "deepseek", action: "correct", to: null, term: "DeepSeek" }]);
  assert.deepEqual(marks(document), ["Huawei", "Huawei", "HUAWEI", "H20", "Huawei"]);
  assert.match(interaction.cardView.announcer.textContent, /Unlinked “DeepSeek”: 2 underlines removed/);
});

test("after removing every underline with feedback the page is exactly as it was, text nodes included", async () => {
  const { document, fake, interaction, snapshot } = await historyPage();
  for (const text of ["Huawei", "Deep", "H20"]) {
    openOn(document, interaction, text);
    interaction.cardView.root.querySelector('button[data-action="mute"]').click();
    await until(() => !interaction.cardView.isOpen);
  }
  assert.equal(document.querySelectorAll("cc-mark").length, 0);
  assert.ok(document.body.isEqualNode(snapshot.clone));
  const nodes = textNodes(document.body);
  assert.ok(nodes.length === snapshot.nodes.length && nodes.every((n, i) => n === snapshot.nodes[i]));
  assert.deepEqual(fake.calls.reports.at(-1), { count: 0, enabled: true });
});

test("feedback that fails (not paired) leaves the underlines and says so in the card", async () => {
  const { document, interaction } = await historyPage({ feedbackError: "Pair the extension with the server first." });
  openOn(document, interaction, "H20");
  const before = marks(document);
  const mute = interaction.cardView.root.querySelector('button[data-action="mute"]');
  mute.click();
  const note = await until(() => {
    const found = interaction.cardView.root.querySelector(".feedback-note");
    return found && !found.hidden && found;
  });
  assert.equal(note.textContent, "Could not save that: Pair the extension with the server first.");
  assert.equal(mute.disabled, false);
  assert.ok(interaction.cardView.isOpen);
  assert.deepEqual(marks(document), before);
});

test("'Seen on N earlier pages' asks the transport to open the history page for the card", async () => {
  const answer = (payload) => {
    const result = annotateLikeServer(payload, "all");
    result.cards.huawei = { ...result.cards.huawei, seen_before: { count: 2, last: { title: "Older story", url: "https://x.test/" } } };
    return result;
  };
  const { document, fake, interaction } = await historyPage({ answer });
  openOn(document, interaction, "Huawei");
  const link = interaction.cardView.root.querySelector('[data-slot="seen-before"] button.seen-link');
  assert.equal(link.textContent, "Seen on 2 earlier pages");
  link.click();
  await until(() => fake.calls.openHistory.length);
  assert.deepEqual(fake.calls.openHistory, ["huawei"]);
});

test("a transport without history capabilities (the demo) shows neither the actions nor the history link", async () => {
  const answer = (payload) => {
    const result = annotateLikeServer(payload, "first");
    result.cards.huawei = { ...result.cards.huawei, seen_before: { count: 2 } };
    return result;
  };
  const { document, ns } = await runPage(ACTIONS_ARTICLE, { answer });
  openOn(document, ns.page.interaction, "Huawei");
  const root = ns.page.interaction.cardView.root;
  assert.equal(root.querySelector('[data-slot="feedback"]').hidden, true);
  assert.equal(root.querySelector("button[data-action]"), null);
  assert.equal(root.querySelector("button.seen-link"), null);
  assert.equal(root.querySelector('[data-slot="seen-before"]').textContent, "Seen on 2 earlier pages.");
});

test("familiar names: the server's count for the window when it gives one, else the all-time count if recent", async () => {
  const { ns } = await runPage();
  const { isFamiliar } = ns.familiarity;
  const now = Date.parse("2026-12-01T12:00:00Z");
  const window = { pages: 10, days: 30 };
  const seen = (count, visited, recent) => ({ seen_before: { count, last: visited ? { visited } : null, ...(recent ? { recent } : {}) } });
  assert.equal(isFamiliar(seen(12, "2026-11-30T09:00:00Z"), window, now), true);
  assert.equal(isFamiliar(seen(9, "2026-11-30T09:00:00Z"), window, now), false);
  assert.equal(isFamiliar(seen(50, "2026-09-01T09:00:00Z"), window, now), false, "none of them in the last 30 days");
  // A server that counts the window itself is believed over the all-time count.
  assert.equal(isFamiliar(seen(50, "2026-11-30T09:00:00Z", { days: 30, count: 3 }), window, now), false);
  assert.equal(isFamiliar(seen(10, "2026-11-30T09:00:00Z", { days: 30, count: 10 }), window, now), true);
  assert.equal(isFamiliar(seen(50, "2026-11-30T09:00:00Z", { days: 7, count: 3 }), window, now), true, "another window: fall back");
  assert.equal(isFamiliar({ id: "x" }, window, now), false);
});

test("headings are not underlined: the first mention in the body text is", async () => {
  const { document } = await runPage("<article><h1>Huawei and DeepSeek</h1><p>Huawei met DeepSeek.</p></article>", { mentions: "all" });
  assert.deepEqual([...document.querySelectorAll("h1 cc-mark")].length, 0);
  assert.deepEqual(marks(document), ["Huawei", "DeepSeek"]);
});
