// history/history.js and history/history-api.js: the history page against a fake api, and its messages to the server.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { JSDOM } from "jsdom";
import { ServerClient, queryString } from "../../extension/background/server-client.js";
import { messagingApi } from "../../extension/history/history-api.js";
import { HistoryPage, isoWeek, safeHref, sentenceNode, weekSeries, weekStart } from "../../extension/history/history.js";
import { fakeFetch } from "./fake-browser.mjs";
import { EXTENSION, until } from "./helpers.mjs";

const PAGES = [
  {
    id: "p1", url: "https://news.example/xi", site: "news.example", title: "Xi speech", visits: 3,
    first_visit: "2025-06-14T09:00:00.000Z", last_visit: "2025-06-14T09:00:00.000Z",
    mentions: [
      { card: "deepseek", card_title: "DeepSeek", text: "DeepSeek", sentence: "Xi Jinping praised DeepSeek in Beijing.", at: 19 },
      { card: "xi-jinping", card_title: "Xi Jinping", text: "Xi Jinping", sentence: "Xi Jinping praised DeepSeek in Beijing.", at: 0 },
    ],
  },
  {
    id: "p2", url: "javascript:alert(1)", site: "blog.example", title: "<img src=x onerror=alert(1)>", visits: 1,
    first_visit: "2025-06-08T09:00:00.000Z", last_visit: "2025-06-08T09:00:00.000Z",
    mentions: [{ card: "deepseek", card_title: "<b>DeepSeek</b>", text: "DeepSeek", sentence: "😀 DeepSeek trained a model.", at: 2 }],
  },
];

/** A fake api recording every call; answers from `answers` by method name. */
function fakeApi(answers = {}) {
  const calls = [];
  const api = {};
  for (const name of ["search", "entityPages", "deletePage", "clearAll", "exportHistory", "feedback"]) {
    api[name] = async (...args) => {
      calls.push([name, ...args]);
      const answer = answers[name];
      if (answer instanceof Error) throw answer;
      return typeof answer === "function" ? answer(...args) : answer;
    };
  }
  return { api, calls };
}

function openPage(answers, url = "http://extension.test/history/history.html") {
  const html = readFileSync(join(EXTENSION, "history", "history.html"), "utf8");
  const dom = new JSDOM(html, { url, pretendToBeVisual: true });
  const { api, calls } = fakeApi(answers);
  const page = new HistoryPage(dom.window.document, api, { location: dom.window.location, history: dom.window.history });
  return { page, calls, document: dom.window.document, window: dom.window, ready: page.start() };
}

const list = (answer) => ({ pages: PAGES, total: PAGES.length, next_cursor: null, ...answer });

test("pages are listed by day with their cards; server text only ever as text", async () => {
  const { document, ready } = openPage({ search: list() });
  await ready;
  const days = [...document.querySelectorAll("h2.day")].map((h) => h.textContent);
  assert.equal(days.length, 2);
  assert.match(days[0], /14/);
  const titles = [...document.querySelectorAll(".page h3")].map((h) => h.textContent);
  assert.deepEqual(titles, ["Xi speech", "<img src=x onerror=alert(1)>"]);
  assert.equal(document.querySelector("img[src=x]"), null);
  assert.equal(document.querySelector("b"), null);
  assert.equal(document.querySelector(".page a").getAttribute("href"), "https://news.example/xi");
  assert.equal(document.querySelector(".page a").rel, "noopener noreferrer");
  assert.equal(document.querySelectorAll(".page a").length, 1, "a javascript: address is not a link");
  assert.deepEqual([...document.querySelectorAll(".page")[0].querySelectorAll(".card-chip")].map((b) => b.textContent), ["DeepSeek", "Xi Jinping"]);
  assert.match(document.querySelector(".page .meta").textContent, /3 visits/);
  assert.equal(document.getElementById("status").textContent, "2 saved pages.");
});

test("searching sends the words, and the address remembers them", async () => {
  const { document, calls, window, ready } = openPage({ search: list() });
  await ready;
  document.getElementById("q").value = "  deepseek beijing ";
  document.getElementById("search-form").dispatchEvent(new window.Event("submit", { cancelable: true }));
  await until(() => calls.length === 2);
  assert.deepEqual(calls[1], ["search", { q: "deepseek beijing", site: "", limit: 50, cursor: undefined }]);
  assert.equal(window.location.search, "?q=deepseek+beijing");
});

test("a site button filters by site; the filter chip removes it", async () => {
  const { document, calls, ready } = openPage({ search: list() });
  await ready;
  document.querySelector(".page .site").click();
  await until(() => calls.length === 2);
  assert.equal(calls[1][1].site, "news.example");
  await until(() => document.querySelector(".filter"));
  assert.equal(document.querySelector(".filter").textContent.startsWith("Site: news.example"), true);
  document.querySelector(".filter .remove").click();
  await until(() => calls.length === 3);
  assert.equal(calls[2][1].site, "");
});

test("a card opens the card view: where it was read, sentences with the mention marked, a weekly chart", async () => {
  const entity = { card: { id: "deepseek", title: "DeepSeek", summary: "Chinese AI company." }, pages: PAGES, total: 2, next_cursor: null,
    weeks: [{ week: "2025-W23", pages: 1 }, { week: "2025-W24", pages: 1 }, { week: "2025-W26", pages: 3 }] };
  const { document, calls, window, ready } = openPage({ search: list(), entityPages: entity });
  await ready;
  document.querySelector(".card-chip").click();
  await until(() => !document.getElementById("entity-view").hidden);
  assert.deepEqual(calls[1], ["entityPages", "deepseek", { q: "", site: "", limit: 50, cursor: undefined }]);
  assert.equal(window.location.search, "?entity=deepseek");
  const view = document.getElementById("entity-view");
  assert.equal(view.querySelector("h2").textContent, "Where you read about DeepSeek");
  assert.equal(view.querySelector(".summary").textContent, "Chinese AI company.");
  const bars = [...view.querySelectorAll("svg rect")];
  assert.equal(bars.length, 12, "at least twelve weeks, those without pages drawn as empty bars");
  assert.deepEqual(bars.slice(-4).map((b) => b.getAttribute("class")), ["bar", "bar", "bar empty", "bar"]);
  assert.equal(bars.slice(0, -4).every((b) => b.getAttribute("class") === "bar empty"), true);
  assert.match(bars[11].querySelector("title").textContent, /3 pages/);
  assert.match(view.querySelector("svg").getAttribute("aria-label"), /5 in 12 weeks/);
  const marks = [...document.querySelectorAll(".sentence mark")].map((m) => m.textContent);
  assert.deepEqual(marks, ["DeepSeek", "Xi Jinping", "DeepSeek"]);
  assert.equal(document.querySelectorAll(".sentence")[2].textContent, "😀 DeepSeek trained a model.");
});

test("the card view opens straight from the address (?entity=), as the card's link does", async () => {
  const { calls, ready } = openPage({ entityPages: { card: null, pages: [], total: 0, next_cursor: null, weeks: [] } },
    "http://extension.test/history/history.html?entity=deepseek");
  await ready;
  assert.deepEqual(calls[0].slice(0, 2), ["entityPages", "deepseek"]);
});

test("show more continues from the cursor", async () => {
  let n = 0;
  const { document, calls, ready } = openPage({ search: () => (n++ ? list({ pages: [], next_cursor: null }) : list({ total: 60, next_cursor: "C1" })) });
  await ready;
  const more = document.getElementById("more");
  assert.equal(more.hidden, false);
  more.click();
  await until(() => calls.length === 2);
  assert.equal(calls[1][1].cursor, "C1");
  await until(() => more.hidden);
  assert.equal(document.querySelectorAll(".page").length, 2, "the first pages stay");
});

test("deleting one page removes it and its empty day heading", async () => {
  const { document, calls, ready } = openPage({ search: list(), deletePage: { deleted: 1 } });
  await ready;
  document.querySelectorAll(".page .delete")[1].click();
  await until(() => document.querySelectorAll(".page").length === 1);
  assert.deepEqual(calls[1], ["deletePage", "p2"]);
  assert.equal(document.querySelectorAll("h2.day").length, 1);
  assert.match(document.getElementById("status").textContent, /Deleted/);
});

test("deleting everything asks first", async () => {
  let cleared = false;
  const { document, calls, ready } = openPage({ search: () => (cleared ? list({ pages: [], total: 0 }) : list()), clearAll: () => ((cleared = true), { deleted: 2 }) });
  await ready;
  document.getElementById("delete-all").click();
  assert.equal(document.getElementById("confirm-delete").hidden, false);
  document.getElementById("delete-all-no").click();
  assert.equal(calls.some(([name]) => name === "clearAll"), false);
  document.getElementById("delete-all").click();
  document.getElementById("delete-all-yes").click();
  await until(() => /Deleted 2 saved pages/.test(document.getElementById("status").textContent));
  assert.equal(document.querySelectorAll(".page").length, 0);
});

test("export downloads the chosen format with the current filters", async () => {
  const { document, calls, window, page, ready } = openPage({ search: list(), exportHistory: { text: "{}", mimetype: "application/ld+json", filename: "contextcards-history.jsonld" } });
  const made = [];
  page.win.URL = { createObjectURL: (blob) => (made.push(blob), "blob:x"), revokeObjectURL() {} };
  await ready;
  const clicks = [];
  window.HTMLAnchorElement.prototype.click = function click() { clicks.push([this.getAttribute("href"), this.getAttribute("download")]); };
  document.getElementById("export-format").value = "jsonld";
  document.getElementById("export").click();
  await until(() => clicks.length);
  assert.deepEqual(calls[1], ["exportHistory", "jsonld", { q: "", site: "", entity: "" }]);
  assert.deepEqual(clicks[0], ["blob:x", "contextcards-history.jsonld"]);
  assert.equal(made[0].type, "application/ld+json");
});

test("failures are shown in plain words", async () => {
  const { document, ready } = openPage({ search: new Error("The Context Cards server is not running at http://127.0.0.1:8731.") });
  await ready;
  const status = document.getElementById("status");
  assert.match(status.textContent, /not running/);
  assert.equal(status.className, "problem");
});

test("helpers: safe links, sentences by code point, ISO weeks", () => {
  assert.equal(safeHref("https://a.example/x"), "https://a.example/x");
  assert.equal(safeHref("javascript:alert(1)"), null);
  assert.equal(safeHref("data:text/html,x"), null);
  const { document } = new JSDOM("").window;
  const bad = sentenceNode(document, { sentence: "A <b>x</b>", text: "zzz", at: 2 });
  assert.equal(bad.textContent, "A <b>x</b>");
  assert.equal(bad.querySelector("mark"), null);
  assert.equal(isoWeek(new Date("2025-06-02T00:00:00Z")), "2025-W23");
  assert.equal(isoWeek(new Date("2024-12-30T00:00:00Z")), "2025-W01");
  assert.equal(isoWeek(new Date("2021-01-03T00:00:00Z")), "2020-W53");
  assert.equal(weekStart("2025-W23").toISOString().slice(0, 10), "2025-06-02");
  assert.equal(weekStart("2020-W53").toISOString().slice(0, 10), "2020-12-28");
  assert.equal(weekSeries([{ week: "2020-W52", pages: 1 }, { week: "2021-W02", pages: 2 }], 52, 1).map((w) => w.week).join(), "2020-W52,2020-W53,2021-W01,2021-W02");
  assert.equal(weekSeries([{ week: "2025-W23", pages: 1 }]).length, 12);
  assert.equal(weekSeries([{ week: "2025-W23", pages: 1 }])[0].week, "2025-W12");
  assert.equal(weekSeries([{ week: "2020-W01", pages: 1 }, { week: "2025-W01", pages: 1 }]).length, 52);
});

test("history requests go to the server's routes, escaping ids and keeping only known parameters", async () => {
  assert.equal(queryString({ q: "a b", site: "", limit: 50, evil: "x" }), "?q=a+b&limit=50");
  const { fetch, calls } = fakeFetch(() => ({ body: {} }));
  const client = new ServerClient("http://127.0.0.1:8731", "t0ken", fetch);
  await client.searchHistory({ q: "x" });
  await client.entityPages("a/b", { entity: "z", limit: 5 });
  await client.deleteHistoryPage("p1");
  await client.clearHistory();
  assert.deepEqual(calls.map((c) => [c.init.method, c.url.slice("http://127.0.0.1:8731".length)]), [
    ["GET", "/v1/history?q=x"],
    ["GET", "/v1/entities/a%2Fb/pages?limit=5"],
    ["DELETE", "/v1/history/p1"],
    ["DELETE", "/v1/history?confirm=yes"],
  ]);
  assert.equal(calls[0].init.headers.Authorization, "Bearer t0ken");
  await assert.rejects(client.exportHistory("xml", {}), (error) => error.kind === "bad-message");
  await assert.rejects(client.deleteHistoryPage(""), (error) => error.kind === "bad-message");
  assert.equal(calls.length, 4);
});

test("a server refusal comes back as the plain-worded error", async () => {
  const { fetch } = fakeFetch(() => ({ status: 404, body: { error: { code: "not_found", message: "There is no saved page 'p9'." } } }));
  const client = new ServerClient("http://127.0.0.1:8731", "t", fetch);
  await assert.rejects(client.deleteHistoryPage("p9"), (error) => error.kind === "not-found" && error.message === "There is no saved page 'p9'.");
});

test("exports come back as text with their file name", async () => {
  const urls = [];
  const fetch = async (url) => (urls.push(url), new Response("# Context Cards history\n", { status: 200, headers: { "Content-Type": "text/markdown" } }));
  const client = new ServerClient("http://127.0.0.1:8731", "t", fetch);
  const answer = await client.exportHistory("markdown", { site: "a.example", cursor: "c" });
  assert.deepEqual(answer, { text: "# Context Cards history\n", mimetype: "text/markdown", filename: "contextcards-history.md" });
  assert.deepEqual(urls, ["http://127.0.0.1:8731/v1/history/export?site=a.example&format=markdown"]);
});

test("the page's api sends one message per call and throws the plain-worded error", async () => {
  const sent = [];
  const api = messagingApi(async (message) => (sent.push(message), message.type === "history-clear" ? { ok: false, error: { kind: "not-paired", message: "Pair first." } } : { ok: true, data: 1 }));
  assert.equal(await api.search({ q: "x" }), 1);
  await assert.rejects(api.clearAll(), /Pair first/);
  assert.deepEqual(sent, [{ type: "history-search", params: { q: "x" } }, { type: "history-clear" }]);
  const broken = messagingApi(async () => { throw new Error("Receiving end does not exist."); });
  await assert.rejects(broken.search({}), /background is not answering/);
});
