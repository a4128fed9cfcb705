// background/server-client.js: requests as the server wants them, and failures as plain-worded errors.

import assert from "node:assert/strict";
import { test } from "node:test";
import { ServerClient, retryWaitMs } from "../../extension/background/server-client.js";
import { fakeFetch } from "./fake-browser.mjs";

const ADDRESS = "http://127.0.0.1:8731";

test("annotate posts JSON to /v1/annotate with no token before pairing", async () => {
  const { fetch, calls } = fakeFetch(() => ({ body: { page_id: null, annotations: [], cards: {} } }));
  const client = new ServerClient(ADDRESS, "", fetch);
  const payload = { url: "https://x.test/", title: "T", save: true, mentions: "first", blocks: [{ id: "b1", text: "Hi" }] };
  assert.deepEqual(await client.annotate(payload), { page_id: null, annotations: [], cards: {} });
  const [call] = calls;
  assert.equal(call.url, "http://127.0.0.1:8731/v1/annotate");
  assert.equal(call.init.method, "POST");
  assert.equal(call.init.headers["Content-Type"], "application/json");
  assert.equal(call.init.headers.Authorization, undefined);
  assert.equal(call.init.credentials, "omit");
  assert.deepEqual(call.body, payload);
});

test("after pairing every request carries the bearer token", async () => {
  const { fetch, calls } = fakeFetch(() => ({ body: { status: "ok" } }));
  await new ServerClient(ADDRESS, "t0ken", fetch).health();
  assert.equal(calls[0].init.headers.Authorization, "Bearer t0ken");
  assert.equal(calls[0].url, "http://127.0.0.1:8731/health");
});

test("card ids are escaped into the path", async () => {
  const { fetch, calls } = fakeFetch(() => ({ body: { id: "a/b" } }));
  await new ServerClient(ADDRESS, "", fetch).card("a/b?c");
  assert.equal(calls[0].url, "http://127.0.0.1:8731/v1/cards/a%2Fb%3Fc");
});

test("failures become errors with a kind and words for the reader", async () => {
  const cases = [
    [new TypeError("Failed to fetch"), "server-not-running", /not running at http:\/\/127\.0\.0\.1:8731/],
    [{ status: 401, body: { error: { code: "unauthorized", message: "Token required." } } }, "not-paired", /not paired/],
    [{ status: 404, body: { error: { code: "not_found", message: "There is no card 'x'." } } }, "not-found", /no card/],
    [{ status: 413, body: { error: { code: "too_large", message: "Too much text." } } }, "server-error", /Too much text/],
    [{ status: 500 }, "server-error", /answered 500/],
  ];
  for (const [answer, kind, words] of cases) {
    const { fetch } = fakeFetch(() => answer);
    await assert.rejects(new ServerClient(ADDRESS, "", fetch).card("x"), (error) => error.kind === kind && words.test(error.message), kind);
  }
});

test("pairing exchanges the code for a token; a server without /v1/pair says so", async () => {
  const { fetch, calls } = fakeFetch((url, init) => (init.method === "POST" ? { body: { token: "abc" } } : { status: 405, body: { error: { code: "method_not_allowed", message: "" } } }));
  const client = new ServerClient(ADDRESS, "", fetch);
  assert.deepEqual(await client.pair("123-456"), { token: "abc" });
  assert.deepEqual(calls[0].body, { code: "123-456" });
  assert.equal(await client.pairingAvailable(), true);
  const old = fakeFetch(() => ({ status: 404, body: { error: { code: "not_found", message: "No such route." } } }));
  const oldClient = new ServerClient(ADDRESS, "", old.fetch);
  await assert.rejects(oldClient.pair("1"), { kind: "pairing-unavailable" });
  assert.equal(await oldClient.pairingAvailable(), false);
});

test("a wrong pairing code is reported in the server's words", async () => {
  const { fetch } = fakeFetch(() => ({ status: 401, body: { error: { code: "bad_pairing_code", message: "That pairing code is wrong or has expired." } } }));
  await assert.rejects(new ServerClient(ADDRESS, "", fetch).pair("nope"), { kind: "bad-pairing-code", message: "That pairing code is wrong or has expired." });
});

test("a client is never made for an address that is not loopback http", () => {
  assert.throws(() => new ServerClient("https://example.com", ""), { kind: "bad-address" });
});

test("feedback posts the body to /v1/feedback with the token and returns the settings", async () => {
  const settings = { muted: [{ card: "ai", term: "AI", site: null }], corrections: [], site_rules: {} };
  const { fetch, calls } = fakeFetch(() => ({ body: settings }));
  const body = { card: "ai", action: "correct", to: null, term: "AI", site: "example.com" };
  assert.deepEqual(await new ServerClient(ADDRESS, "t0ken", fetch).feedback(body), settings);
  assert.deepEqual([calls[0].url, calls[0].init.method, calls[0].init.headers.Authorization], ["http://127.0.0.1:8731/v1/feedback", "POST", "Bearer t0ken"]);
  assert.deepEqual(calls[0].body, body);
});

test("a 429 is asked again after its Retry-After, at most twice, and the wait is bounded", async () => {
  let busy = 2;
  const { fetch, calls } = fakeFetch(() =>
    busy-- > 0 ? { status: 429, headers: { "Retry-After": "1" }, body: { error: { code: "busy", message: "Busy." } } } : { body: { status: "ok" } },
  );
  const client = new ServerClient(ADDRESS, "", fetch);
  const waits = [];
  client.sleep = async (ms) => waits.push(ms);
  assert.deepEqual(await client.health(), { status: "ok" });
  assert.equal(calls.length, 3);
  assert.deepEqual(waits, [1000, 1000]);

  const { fetch: alwaysBusy, calls: tries } = fakeFetch(() => ({ status: 429, headers: { "Retry-After": "120" }, body: { error: { code: "busy", message: "Busy." } } }));
  const stubborn = new ServerClient(ADDRESS, "", alwaysBusy);
  stubborn.sleep = async (ms) => waits.push(ms);
  await assert.rejects(stubborn.health(), (error) => error.status === 429 && error.message === "Busy.");
  assert.equal(tries.length, 3);
  assert.deepEqual(waits.slice(2), [5000, 5000]);
  assert.equal(retryWaitMs(null), 1000);
  assert.equal(retryWaitMs("Wed, 01 Jan 2020 00:00:00 GMT"), 0);
});
