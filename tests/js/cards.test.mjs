// The reader's own cards in the extension: the messages and requests, the make-card form, the uncarded list.

import assert from "node:assert/strict";
import { test } from "node:test";
import { JSDOM } from "jsdom";

import { BadMessage, ExtensionError } from "../../extension/background/errors.js";
import { FROM_PAGES } from "../../extension/background/messages.js";
import { ServerClient } from "../../extension/background/server-client.js";
import { cardsApi, makeCardPath } from "../../extension/cards/cards-api.js";
import { MakeCardPage, cardFromForm } from "../../extension/cards/make-card.js";
import { showUncarded } from "../../extension/cards/uncarded-list.js";

const MAKE_CARD_HTML = new URL("../../extension/cards/make-card.html", import.meta.url);

test("card requests become the server's card routes, and malformed ones are refused before any fetch", async () => {
  const calls = [];
  const fetchImpl = async (url, init) => {
    calls.push({ url, method: init.method, body: init.body });
    return new Response(JSON.stringify({ id: "x" }), { status: 200, headers: { "Content-Type": "application/json" } });
  };
  const client = new ServerClient("http://127.0.0.1:8731", "t0ken", fetchImpl);
  assert.deepEqual(await client.createCard({ title: "X" }), { id: "x" });
  assert.deepEqual(calls[0], { url: "http://127.0.0.1:8731/v1/cards", method: "POST", body: JSON.stringify({ title: "X" }) });
  await client.cardSuggestions(" Lisa Su & co ");
  assert.equal(calls[1].url, "http://127.0.0.1:8731/v1/card-suggestions?name=Lisa%20Su%20%26%20co");
  await client.uncardedNames(9999);
  assert.equal(calls[2].url, "http://127.0.0.1:8731/v1/names/uncarded?limit=50");
  assert.throws(() => client.createCard(["x"]), BadMessage);
  assert.throws(() => client.cardSuggestions("  "), BadMessage);
  assert.equal(calls.length, 3);
  assert.equal(makeCardPath("Quillon / Labs"), "cards/make-card.html?name=Quillon%20%2F%20Labs");
});

test("the pages' api sends one message per call and gives the data, or the error in plain words", async () => {
  const sent = [];
  const api = cardsApi(async (message) => { sent.push(message); return { ok: true, data: { id: "x" } }; });
  assert.deepEqual(await api.create({ title: "X" }), { id: "x" });
  await api.uncarded(20);
  assert.deepEqual(sent, [{ type: FROM_PAGES.CARD_CREATE, card: { title: "X" } }, { type: FROM_PAGES.NAMES_UNCARDED, limit: 20 }]);
  const refusing = cardsApi(async () => ({ ok: false, error: { kind: "server-error", message: "kind must be one of person, org" } }));
  await assert.rejects(refusing.create({}), (error) => error instanceof ExtensionError && /kind must be one of/.test(error.message));
  const silent = cardsApi(async () => { throw new Error("no receiver"); });
  await assert.rejects(silent.suggest("X"), (error) => error.kind === "no-background");
});

test("the form becomes a [[card]] table without empty fields", () => {
  assert.deepEqual(cardFromForm({ title: " Quillon Labs ", kind: "org", summary: " A lab. ", aliases: "Quillon, , QL", wikipedia: " " }),
    { title: "Quillon Labs", kind: "org", summary: "A lab.", aliases: ["Quillon", "QL"] });
});

async function makeCardDom(api, name) {
  const dom = await JSDOM.fromFile(MAKE_CARD_HTML.pathname);
  const page = new MakeCardPage(dom.window.document, api, name);
  await page.start();
  return { doc: dom.window.document, page };
}

test("online, a Wikipedia match fills the form; saving shows the card made", async () => {
  const made = [];
  const api = {
    suggest: async () => ({ wikipedia: "on", suggestions: [{ title: "Lisa Su", wikipedia: "Lisa Su", kind: "person",
      summary: "Lisa Su is an executive.", description: "<b>American</b> executive" }] }),
    create: async (card) => { made.push(card); return { id: "lisa-su", ...card }; },
  };
  const { doc, page } = await makeCardDom(api, "Dr Su");
  assert.equal(doc.getElementById("title").value, "Dr Su");
  const use = doc.querySelector(".use-match");
  assert.equal(use.textContent, "Use “Lisa Su”");
  assert.equal(doc.querySelector(".description").textContent, "<b>American</b> executive"); // text, never HTML
  use.click();
  assert.equal(doc.getElementById("kind").value, "person");
  await page.save();
  assert.deepEqual(made, [{ title: "Lisa Su", kind: "person", summary: "Lisa Su is an executive.", aliases: ["Dr Su"], wikipedia: "Lisa Su" }]);
  assert.match(doc.getElementById("result").textContent, /^Saved “Lisa Su”/);
  assert.equal(doc.getElementById("result").dataset.cardId, "lisa-su");
});

test("offline, the reader writes the card; a refused card shows the server's line and can be sent again", async () => {
  const api = {
    suggest: async () => ({ wikipedia: "off", suggestions: [] }),
    create: async () => { throw new Error("personal-cards.toml: card 1 (x): summary must be a non-empty string"); },
  };
  const { doc, page } = await makeCardDom(api, "Quillon");
  assert.match(doc.getElementById("matches-status").textContent, /lookups are off/);
  assert.equal(doc.getElementById("matches").hidden, true);
  await page.save();
  assert.match(doc.getElementById("result").textContent, /summary must be a non-empty string/);
  assert.equal(doc.getElementById("save").disabled, false);
});

test("the history page lists names met without a card, as text, each with a link to make one", async () => {
  const dom = new JSDOM(`<section id="uncarded" hidden><ul id="uncarded-list"></ul></section>`);
  const doc = dom.window.document;
  await showUncarded(doc, cardsApi(async () => ({ ok: true, data: { names: [
    { name: "Quentin <i>Marlowe</i>", label: "PERSON", pages: 2, last_seen: "2026-11-30T10:00:00.000Z", sentence: "He <b>spoke</b>." },
  ] } })));
  assert.equal(doc.getElementById("uncarded").hidden, false);
  const item = doc.querySelector(".uncarded-name");
  assert.equal(item.querySelector("strong").textContent, "Quentin <i>Marlowe</i>");
  assert.equal(item.querySelector("q").textContent, "He <b>spoke</b>.");
  assert.match(item.textContent, /on 2 pages, last/);
  assert.equal(item.querySelector("a.make-card").getAttribute("href"), "../cards/make-card.html?name=Quentin%20%3Ci%3EMarlowe%3C%2Fi%3E");
  await showUncarded(doc, cardsApi(async () => ({ ok: true, data: { names: [] } })));
  assert.equal(doc.getElementById("uncarded").hidden, true);
});
