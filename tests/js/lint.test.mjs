// Static rules for everything under extension/: no HTML-string sinks, one browser-API seam, a least-privilege manifest.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { test } from "node:test";
import { EXTENSION, loadPage } from "./helpers.mjs";
import { FROM_CONTENT, TO_CONTENT } from "../../extension/background/messages.js";

function filesUnder(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const ALL = filesUnder(EXTENSION);
const SOURCES = ALL.filter((f) => /\.(js|mjs|html)$/.test(f));
const rel = (path) => relative(EXTENSION, path).split("\\").join("/");
const manifest = JSON.parse(readFileSync(join(EXTENSION, "manifest.json"), "utf8"));

/** Source text without comments, so rules judge code and not the words explaining it. */
function code(path) {
  return readFileSync(path, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/(^|[^:"'`\\])\/\/.*$/gm, "$1")
    .replace(/<!--[\s\S]*?-->/g, "");
}

const FORBIDDEN = [
  [/\.innerHTML\b/, "innerHTML"],
  [/\.outerHTML\b/, "outerHTML"],
  [/insertAdjacentHTML/, "insertAdjacentHTML"],
  [/document\.write(ln)?\b/, "document.write"],
  [/(^|[^.\w])eval\s*\(/, "eval"],
  [/new\s+Function\b/, "new Function"],
  [/set(Timeout|Interval)\s*\(\s*["'`]/, "string timer"],
  [/createContextualFragment|DOMParser|srcdoc/, "HTML parsing"],
];

test("no file under extension/ turns strings into HTML or code", () => {
  const problems = [];
  for (const file of SOURCES) {
    const text = code(file);
    for (const [pattern, name] of FORBIDDEN) if (pattern.test(text)) problems.push(`${rel(file)}: ${name}`);
  }
  assert.deepEqual(problems, []);
});

test("the lint rule itself catches each forbidden use", () => {
  const samples = ["el.innerHTML = x", "el.outerHTML", "el.insertAdjacentHTML('x', y)", "document.write(x)", "eval(x)", "new Function('x')", "setTimeout('x()', 1)", "new DOMParser()"];
  for (const sample of samples) assert.ok(FORBIDDEN.some(([pattern]) => pattern.test(sample)), sample);
  assert.ok(!FORBIDDEN.some(([pattern]) => pattern.test("node.textContent = x; retrieval(x)")));
});

test("HTML pages have no inline scripts or inline event handlers (extension CSP and the demo's CSP forbid them)", () => {
  const problems = [];
  for (const file of SOURCES.filter((f) => f.endsWith(".html"))) {
    const text = code(file);
    if (/<script(?![^>]*\bsrc=)[^>]*>/i.test(text)) problems.push(`${rel(file)}: inline <script>`);
    if (/<[^>]+\son[a-z]+\s*=/i.test(text)) problems.push(`${rel(file)}: inline event handler`);
  }
  assert.deepEqual(problems, []);
});

test("only background/browser-api.js and content/transport.js touch the chrome/browser APIs", () => {
  const seams = new Set(["background/browser-api.js", "content/transport.js"]);
  const pattern = /\b(?:globalThis\.)?(?:chrome|browser)\.(?:runtime|storage|tabs|action|extension|commands|scripting|permissions|i18n|windows)\b|globalThis\.(?:chrome|browser)\b/;
  const offenders = SOURCES.filter((f) => f.endsWith(".js") && !seams.has(rel(f)) && pattern.test(code(f))).map(rel);
  assert.deepEqual(offenders, []);
});

test("content scripts and the demo transport are classic scripts: no import or export", () => {
  const classic = [...manifest.content_scripts[0].js, "demo/page-transport.js"];
  for (const file of classic) {
    assert.doesNotMatch(code(join(EXTENSION, file)), /^\s*(import|export)\s/m, file);
  }
});

test("the manifest: MV3, the fixed key and id, storage and the selection menu only, loopback host permissions only", () => {
  assert.equal(manifest.manifest_version, 3);
  const der = Buffer.from(manifest.key, "base64");
  const id = [...createHash("sha256").update(der).digest("hex").slice(0, 32)].map((c) => String.fromCharCode(97 + parseInt(c, 16))).join("");
  assert.equal(id, "pokcfipdlbjicehphfgigidkolofbfja");
  // contextMenus: "Make a card for '…'" on selected text (cards/make-card.html).
  assert.deepEqual(manifest.permissions, ["storage", "contextMenus"]);
  assert.deepEqual(manifest.host_permissions, ["http://127.0.0.1/*", "http://localhost/*"]);
  assert.equal(manifest.background.service_worker, "background/main.js");
  assert.deepEqual(manifest.background.scripts, ["background/main.js"]);
  assert.equal(manifest.background.type, "module");
  const gecko = manifest.browser_specific_settings.gecko;
  assert.ok(gecko.id && gecko.data_collection_permissions);
});

test("content scripts load shared helpers first and main.js last; the demo loads the same files with its own transport", () => {
  const scripts = manifest.content_scripts[0].js;
  assert.deepEqual(scripts, ["content/errors.js", "content/blocks.js", "content/offsets.js", "content/wrap.js", "content/card.js", "content/mentions.js", "content/interaction.js", "content/transport.js", "content/main.js"]);
  const demo = readFileSync(join(EXTENSION, "demo/demo.html"), "utf8");
  const demoScripts = [...demo.matchAll(/<script[^>]*src="\/demo\/static\/([^"]+)"/g)].map((m) => m[1]);
  assert.deepEqual(demoScripts, scripts.map((s) => (s === "content/transport.js" ? "demo/page-transport.js" : s)));
});

test("every file the manifest and the pages refer to exists", () => {
  const referenced = [
    manifest.background.service_worker,
    ...manifest.content_scripts.flatMap((c) => [...c.js, ...(c.css || [])]),
    ...Object.values(manifest.icons),
    ...Object.values(manifest.action.default_icon),
    manifest.action.default_popup,
    manifest.options_ui.page,
  ];
  for (const file of SOURCES.filter((f) => f.endsWith(".html"))) {
    for (const [, ref] of readFileSync(file, "utf8").matchAll(/(?:src|href)="([^"#:]+)"/g)) {
      const target = ref.startsWith("/demo/static/") ? ref.slice("/demo/static/".length) : ref.startsWith("/") ? null : join(dirname(rel(file)), ref);
      if (target) referenced.push(target);
    }
  }
  const missing = referenced.filter((path) => !existsSync(join(EXTENSION, path)));
  assert.deepEqual(missing, []);
});

test("extension/ holds only what ships: no node_modules, package files or tests", () => {
  const stray = ALL.map(rel).filter((p) => /(^|\/)(node_modules|package(-lock)?\.json|.*\.test\.m?js)$/.test(p) || p.includes("node_modules/"));
  assert.deepEqual(stray, []);
});

test("the content script's message names match background/messages.js", () => {
  const fakeRuntime = { id: "x", onMessage: { addListener() {} }, sendMessage: async () => ({ ok: true }) };
  const { ns } = loadPage("", { files: ["content/transport.js"], before: (w) => (w.chrome = { runtime: fakeRuntime }) });
  assert.deepEqual({ ...ns.transport.MESSAGES }, { ...FROM_CONTENT, SETTINGS_CHANGED: TO_CONTENT.SETTINGS_CHANGED, GET_PAGE_STATUS: TO_CONTENT.GET_PAGE_STATUS });
});
