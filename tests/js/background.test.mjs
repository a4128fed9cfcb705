// background/main.js: one dispatcher, who may send what, private windows, badge, settings broadcast.

import assert from "node:assert/strict";
import { before, beforeEach, test } from "node:test";
import { fakeChrome, fakeFetch } from "./fake-browser.mjs";

const { chrome, state } = fakeChrome();
const EXTENSION_PAGE = { id: chrome.runtime.id, url: "chrome-extension://pokcfipdlbjicehphfgigidkolofbfja/popup/popup.html" };
const tabSender = (url = "https://news.example.com/story#part", incognito = false) => ({ id: chrome.runtime.id, url, tab: { id: 7, incognito } });
let server;

before(async () => {
  globalThis.chrome = chrome;
  await import("../../extension/background/main.js");
});

beforeEach(() => {
  state.stored = {};
  state.badges = {};
  state.sentToTabs = [];
  state.createdTabs = [];
  server = fakeFetch((url, init) => {
    if (url.endsWith("/v1/feedback")) {
      if (!init.headers.Authorization) return { status: 401, body: { error: { code: "unauthorized", message: "Pair first." } } };
      return { body: { muted: [{ card: "ai", term: "AI", site: null }], corrections: [], site_rules: {} } };
    }
    if (url.endsWith("/v1/annotate")) {
      const body = JSON.parse(init.body);
      return {
        body: {
          page_id: null,
          annotations: [
            { block: body.blocks[0].id, start: 0, end: 2, text: "AI", card: "ai", confidence: 0.9 },
            { block: body.blocks[0].id, start: 3, end: 7, text: "TSMC", card: "tsmc", confidence: 0.9 },
          ],
          cards: { ai: { id: "ai", title: "Artificial intelligence" }, tsmc: { id: "tsmc", title: "TSMC" } },
        },
      };
    }
    if (url.endsWith("/v1/settings")) {
      const rules = init.method === "POST" ? JSON.parse(init.body).site_rules : {};
      return { body: { muted: [], corrections: [], site_rules: Object.fromEntries(Object.entries(rules).filter(([, r]) => r)) } };
    }
    if (url.endsWith("/health")) return { body: { status: "ok", version: "0.1.0", pack_size: 600 } };
    return { status: 404, body: { error: { code: "not_found", message: "nope" } } };
  });
  globalThis.fetch = server.fetch;
});

const annotateMessage = { type: "annotate", payload: { title: "Story", lang: "en", blocks: [{ id: "b1", text: "AI TSMC" }] } };

test("hello tells a content script whether its page is on, with the settings it needs and never the token", async () => {
  state.stored = { token: "secret-token", dwellMs: 600 };
  const answer = await state.send({ type: "hello" }, tabSender());
  assert.equal(answer.ok, true);
  assert.equal(answer.enabled, true);
  assert.equal(answer.settings.dwellMs, 600);
  assert.ok(!JSON.stringify(answer).includes("secret-token"));
});

test("annotate forwards the page to the server with the sender's URL (no fragment), settings and save", async () => {
  state.stored = { mentions: "all", token: "tok" };
  const answer = await state.send(annotateMessage, tabSender());
  assert.equal(answer.ok, true);
  assert.equal(answer.result.annotations.length, 2);
  const [call] = server.calls;
  assert.equal(call.url, "http://127.0.0.1:8731/v1/annotate");
  assert.equal(call.init.headers.Authorization, "Bearer tok");
  assert.deepEqual(call.body, { url: "https://news.example.com/story", title: "Story", blocks: [{ id: "b1", text: "AI TSMC" }], mentions: "all", seen_days: 30, save: true, lang: "en" });
});

test("pages in private windows are sent with save: false", async () => {
  await state.send(annotateMessage, tabSender("https://news.example.com/", true));
  assert.equal(server.calls[0].body.save, false);
});

test("the server's answer reaches the page as it came: mutes and corrections are the server's to apply", async () => {
  state.stored = { mutedTerms: ["artificial intelligence"] };
  const answer = await state.send(annotateMessage, tabSender());
  assert.deepEqual(answer.result.annotations.map((a) => a.card), ["ai", "tsmc"]);
});

test("a site turned off gets no annotation and an 'off' badge", async () => {
  state.stored = { siteRules: { "example.com": "never" } };
  const hello = await state.send({ type: "hello" }, tabSender());
  assert.deepEqual([hello.enabled, hello.reason], [false, "site-off"]);
  assert.equal(state.badges[7].text, "off");
  const answer = await state.send(annotateMessage, tabSender());
  assert.equal(answer.ok, false);
  assert.equal(server.calls.length, 0);
});

test("when the server is not running the badge says '!' and the page gets the reason", async () => {
  globalThis.fetch = fakeFetch(() => new TypeError("Failed to fetch")).fetch;
  const answer = await state.send(annotateMessage, tabSender());
  assert.equal(answer.ok, false);
  assert.equal(answer.error.kind, "server-not-running");
  assert.equal(state.badges[7].text, "!");
  assert.match(state.badges[7].title, /not running/);
});

test("the page's count becomes the badge", async () => {
  await state.send({ type: "page-status", count: 12, enabled: true }, tabSender());
  assert.equal(state.badges[7].text, "12");
  await state.send({ type: "page-status", count: 0, enabled: true }, tabSender());
  assert.equal(state.badges[7].text, "");
});

test("unknown messages, content messages without a tab and page messages from web pages are refused", async () => {
  assert.equal((await state.send({ type: "evil" }, tabSender())).error.kind, "unknown-message");
  assert.equal((await state.send({ type: "annotate", payload: {} }, { id: chrome.runtime.id, url: "https://x.test/" })).error.kind, "bad-sender");
  for (const type of ["set-site", "pair", "server-status", "pairing-status", "history-search", "history-clear"]) {
    const answer = await state.send({ type, host: "x.test", on: false }, tabSender());
    assert.equal(answer.error.kind, "bad-sender", type);
  }
  assert.deepEqual(state.stored, {});
});

test("the popup switches a site off on the server, which owns site rules; the cache follows and every tab is told", async () => {
  const answer = await state.send({ type: "set-site", host: "news.example.com", on: false }, EXTENSION_PAGE);
  assert.equal(answer.ok, true);
  const posted = server.calls.find((c) => c.url.endsWith("/v1/settings"));
  assert.deepEqual([posted.init.method, posted.body], ["POST", { site_rules: { "news.example.com": "never" } }]);
  assert.deepEqual(state.stored.siteRules, { "news.example.com": "never" });
  assert.deepEqual(state.sentToTabs.map((s) => [s.tabId, s.message.type]), [[1, "settings-changed"], [2, "settings-changed"]]);
});

test("server status and pairing status for the extension's pages", async () => {
  const status = await state.send({ type: "server-status" }, EXTENSION_PAGE);
  assert.deepEqual(status, { ok: true, health: { status: "ok", version: "0.1.0", pack_size: 600 } });
  const pairing = await state.send({ type: "pairing-status" }, EXTENSION_PAGE);
  assert.deepEqual(pairing, { ok: true, available: false, paired: false });
});

test("pairing stores the token the server returns", async () => {
  globalThis.fetch = fakeFetch(() => ({ body: { token: "new-token" } })).fetch;
  const answer = await state.send({ type: "pair", code: " 123456 " }, EXTENSION_PAGE);
  assert.equal(answer.ok, true);
  assert.equal(state.stored.token, "new-token");
});

test("feedback from a card: mute goes to the server for every site, 'not this' for the sender's site", async () => {
  state.stored = { token: "tok" };
  const muted = await state.send({ type: "feedback", body: { card: "ai", action: "mute", term: "AI" } }, tabSender("https://www.News.example.com/a#x"));
  assert.equal(muted.ok, true);
  assert.deepEqual(muted.settings.muted, [{ card: "ai", term: "AI", site: null }]);
  const corrected = await state.send(
    { type: "feedback", body: { card: "ai", action: "correct", to: "tsmc", term: "AI", site: "evil.test" } },
    tabSender("https://www.News.example.com/a#x"),
  );
  assert.equal(corrected.ok, true);
  assert.deepEqual(server.calls.map((c) => [c.url, c.init.method, c.init.headers.Authorization]), [
    ["http://127.0.0.1:8731/v1/feedback", "POST", "Bearer tok"],
    ["http://127.0.0.1:8731/v1/feedback", "POST", "Bearer tok"],
  ]);
  assert.deepEqual(server.calls[0].body, { card: "ai", action: "mute", term: "AI" });
  // "Not this" always links the term to no card, on the site the message really came from.
  assert.deepEqual(server.calls[1].body, { card: "ai", action: "correct", to: null, term: "AI", site: "news.example.com" });
});

test("feedback is refused without a tab or with a bad body, and a server refusal is passed on", async () => {
  const noTab = await state.send({ type: "feedback", body: { card: "ai", action: "mute", term: "AI" } }, { id: chrome.runtime.id, url: "https://x.test/" });
  assert.equal(noTab.error.kind, "bad-sender");
  for (const body of [undefined, { card: "ai", action: "delete", term: "AI" }, { card: "", action: "mute", term: "AI" }, { card: "ai", action: "mute" }]) {
    assert.equal((await state.send({ type: "feedback", body }, tabSender())).error.kind, "bad-message", JSON.stringify(body));
  }
  assert.equal(server.calls.length, 0);
  const unpaired = await state.send({ type: "feedback", body: { card: "ai", action: "mute", term: "AI" } }, tabSender());
  assert.deepEqual([unpaired.ok, unpaired.error.kind], [false, "not-paired"]);
});

test("open-history opens the history page's view of the card in a new tab next to the page", async () => {
  const sender = { ...tabSender(), tab: { id: 7, index: 3, windowId: 2, incognito: false } };
  const answer = await state.send({ type: "open-history", card: "a/b c" }, sender);
  assert.equal(answer.ok, true);
  assert.deepEqual(state.createdTabs, [
    { url: "chrome-extension://pokcfipdlbjicehphfgigidkolofbfja/history/history.html?entity=a%2Fb%20c", openerTabId: 7, index: 4, windowId: 2 },
  ]);
  const fromPrivate = await state.send({ type: "open-history", card: "ai" }, tabSender("https://x.test/", true));
  assert.equal(fromPrivate.ok, true);
  assert.deepEqual(state.createdTabs[1], { url: "chrome-extension://pokcfipdlbjicehphfgigidkolofbfja/history/history.html?entity=ai" });
  assert.equal((await state.send({ type: "open-history" }, tabSender())).error.kind, "bad-message");
  assert.equal((await state.send({ type: "open-history", card: "ai" }, EXTENSION_PAGE)).error.kind, "bad-sender");
  assert.equal(state.createdTabs.length, 2);
});
