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
  server = fakeFetch((url, init) => {
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
  assert.deepEqual(call.body, { url: "https://news.example.com/story", title: "Story", blocks: [{ id: "b1", text: "AI TSMC" }], mentions: "all", save: true, lang: "en" });
});

test("pages in private windows are sent with save: false", async () => {
  await state.send(annotateMessage, tabSender("https://news.example.com/", true));
  assert.equal(server.calls[0].body.save, false);
});

test("muted terms are dropped before the page sees them", async () => {
  state.stored = { mutedTerms: ["artificial intelligence"] };
  const answer = await state.send(annotateMessage, tabSender());
  assert.deepEqual(answer.result.annotations.map((a) => a.card), ["tsmc"]);
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

test("the popup switches a site off; every tab is told the settings changed", async () => {
  const answer = await state.send({ type: "set-site", host: "news.example.com", on: false }, EXTENSION_PAGE);
  assert.equal(answer.ok, true);
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
