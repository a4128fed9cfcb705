// background/settings.js: site rules, server address checks, muted terms, what content scripts get.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DEFAULTS,
  contentSettings,
  decideForPage,
  serverOrigin,
  siteRuleFor,
  withSiteSwitched,
  siteRuleChanges,
} from "../../extension/background/settings.js";

const settings = (changes = {}) => ({ ...structuredClone(DEFAULTS), ...changes });

test("only loopback http addresses are accepted as the server", () => {
  assert.equal(serverOrigin("http://127.0.0.1:8731"), "http://127.0.0.1:8731");
  assert.equal(serverOrigin("http://localhost:9000/"), "http://localhost:9000");
  for (const bad of ["https://127.0.0.1:8731", "http://example.com:8731", "http://127.0.0.2:8731", "http://[::1]:8731", "127.0.0.1:8731", "", "file:///x"]) {
    assert.throws(() => serverOrigin(bad), { name: "ExtensionError", kind: "bad-address" }, bad);
  }
});

test("a site rule applies to the site and its subdomains; the most specific rule wins", () => {
  const rules = { "example.com": "never", "news.example.com": "always" };
  assert.equal(siteRuleFor("example.com", rules), "never");
  assert.equal(siteRuleFor("www.example.com", rules), "never");
  assert.equal(siteRuleFor("news.example.com", rules), "always");
  assert.equal(siteRuleFor("a.news.example.com", rules), "always");
  assert.equal(siteRuleFor("notexample.com", rules), null);
});

test("pages are on by default, off by a 'never' rule, and with default off only 'always' sites", () => {
  assert.deepEqual(decideForPage("https://news.example.com/a", settings()), { enabled: true });
  assert.deepEqual(decideForPage("https://news.example.com/a", settings({ siteRules: { "example.com": "never" } })), { enabled: false, reason: "site-off" });
  const offByDefault = settings({ enabledByDefault: false, siteRules: { "reuters.com": "always" } });
  assert.deepEqual(decideForPage("https://www.reuters.com/x", offByDefault), { enabled: true });
  assert.deepEqual(decideForPage("https://apnews.com/x", offByDefault), { enabled: false, reason: "site-off" });
});

test("the server's own pages and non-web pages are never annotated by the extension", () => {
  assert.deepEqual(decideForPage("http://127.0.0.1:8731/demo", settings()), { enabled: false, reason: "server-page" });
  assert.deepEqual(decideForPage("http://127.0.0.1:9999/page", settings()), { enabled: true });
  for (const url of ["file:///tmp/a.html", "chrome://settings", "about:blank", "not a url"]) {
    assert.equal(decideForPage(url, settings()).enabled, false, url);
  }
});

test("switching a site from the popup writes the smallest rule that does it", () => {
  assert.deepEqual(withSiteSwitched({}, "News.Example.com", false, true), { "news.example.com": "never" });
  assert.deepEqual(withSiteSwitched({ "news.example.com": "never" }, "news.example.com", true, true), {});
  assert.deepEqual(withSiteSwitched({}, "a.com", true, false), { "a.com": "always" });
  // A parent domain says never: switching a subdomain on needs its own "always".
  assert.deepEqual(withSiteSwitched({ "example.com": "never" }, "news.example.com", true, true), { "example.com": "never", "news.example.com": "always" });
});

test("site rule changes are sent as the server takes them: the new rule, or null for one removed", () => {
  assert.deepEqual(siteRuleChanges({ "a.com": "never", "b.com": "always" }, { "b.com": "never", "c.com": "always" }), {
    "a.com": null,
    "b.com": "never",
    "c.com": "always",
  });
  assert.deepEqual(siteRuleChanges({ "a.com": "never" }, { "a.com": "never" }), {});
});

test("content scripts get the dwell time (clamped), the mentions mode and a key that changes with them, never the token", () => {
  const out = contentSettings(settings({ dwellMs: 5, token: "secret" }));
  assert.equal(out.dwellMs, 100);
  assert.equal(out.mentions, "first");
  assert.ok(!JSON.stringify(out).includes("secret"));
  assert.notEqual(contentSettings(settings({ mentions: "all" })).annotateKey, out.annotateKey);
  assert.notEqual(contentSettings(settings({ serverUrl: "http://127.0.0.1:9999" })).annotateKey, contentSettings(settings()).annotateKey);
  assert.equal(contentSettings(settings({ dwellMs: "nonsense" })).dwellMs, 400);
});
