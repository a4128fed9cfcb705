// The options page: server address, dwell time, first or all mentions, pairing; and the server-owned site rules,
// muted cards and corrections, listed with a way to remove each.

import { sendToBackground } from "../background/browser-api.js";
import { FROM_PAGES } from "../background/messages.js";
import { DEFAULTS, DWELL_RANGE, FAMILIAR_RANGE, readSettings, serverOrigin, writeSettings } from "../background/settings.js";

const $ = (id) => document.getElementById(id);

/** Ask the service worker to read or change the server-owned settings; draws what the server answers. */
async function askReader(message) {
  const answer = await sendToBackground(message);
  const status = $("reader-status");
  if (answer && answer.ok) {
    status.hidden = true;
    drawReader(answer.settings);
  } else {
    status.textContent = `The server keeps these settings and cannot be asked now: ${(answer && answer.error && answer.error.message) || "no answer"}`;
    status.hidden = false;
  }
  return answer;
}

function button(label, ariaLabel, onClick) {
  const node = document.createElement("button");
  node.type = "button";
  node.textContent = label;
  node.setAttribute("aria-label", ariaLabel);
  node.addEventListener("click", onClick);
  return node;
}

/** One row of the site-rules table, built with DOM methods. */
function ruleRow(host, rule) {
  const row = document.createElement("tr");
  const site = document.createElement("td");
  site.textContent = host;
  const choice = document.createElement("td");
  const select = document.createElement("select");
  select.setAttribute("aria-label", `Rule for ${host}`);
  for (const value of ["always", "never"]) select.append(new Option(value, value, false, value === rule));
  select.addEventListener("change", () => askReader({ type: FROM_PAGES.SET_SITE_RULES, rules: { [host]: select.value } }));
  choice.append(select);
  const remove = document.createElement("td");
  remove.append(button("Remove", `Remove the rule for ${host}`, () => askReader({ type: FROM_PAGES.SET_SITE_RULES, rules: { [host]: null } })));
  row.append(site, choice, remove);
  return row;
}

/** A list item: what it is, and a Remove button that undoes it on the server. */
function readerItem(text, ariaLabel, body) {
  const item = document.createElement("li");
  const label = document.createElement("span");
  label.textContent = text;
  item.append(label, button("Remove", ariaLabel, () => askReader({ type: FROM_PAGES.READER_FEEDBACK, body })));
  return item;
}

/** The server's settings: site rules, muted cards and corrections, each with a way to remove it. */
function drawReader(settings) {
  const rules = settings.site_rules || {};
  $("rules").replaceChildren(...Object.keys(rules).sort().map((host) => ruleRow(host, rules[host])));
  const muted = (settings.muted || []).map((m) => {
    const name = m.term ? `${m.term} (${m.card})` : m.card;
    const where = m.site ? ` on ${m.site}` : "";
    return readerItem(name + where, `Unmute ${m.term || m.card}`, { card: m.card, action: "unmute", ...(m.site ? { site: m.site } : {}) });
  });
  $("muted-list").replaceChildren(...muted);
  $("muted-empty").hidden = muted.length > 0;
  const corrections = (settings.corrections || []).map((c) => {
    const term = c.term || c.card;
    const target = c.to ? `means ${c.to}` : "links to no card";
    const where = c.site ? ` on ${c.site}` : " everywhere";
    const body = { card: c.card, action: "uncorrect", ...(c.term ? { term: c.term } : {}), ...(c.site ? { site: c.site } : {}) };
    return readerItem(`“${term}” ${target}${where}`, `Remove the correction for ${term}`, body);
  });
  $("corrections-list").replaceChildren(...corrections);
  $("corrections-empty").hidden = corrections.length > 0;
}

/** A whole number within a range, or the fallback. */
function clamp(value, { min, max }, fallback) {
  const number = Math.round(Number(value));
  return Number.isFinite(number) && String(value).trim() !== "" ? Math.min(max, Math.max(min, number)) : fallback;
}

/** A hostname from what the reader typed ("https://www.example.com/a" → "www.example.com"), or null. */
function hostFrom(text) {
  const value = text.trim().toLowerCase();
  if (!value) return null;
  try {
    return new URL(value.includes("://") ? value : `https://${value}`).hostname || null;
  } catch {
    return null;
  }
}

function show(settings) {
  $("server-url").value = settings.serverUrl;
  $("dwell").value = settings.dwellMs;
  for (const radio of document.querySelectorAll('input[name="mentions"]')) radio.checked = radio.value === settings.mentions;
  for (const radio of document.querySelectorAll('input[name="density"]')) radio.checked = radio.value === settings.density;
  $("familiar-pages").value = settings.familiarPages;
  $("familiar-days").value = settings.familiarDays;
  $("enabled-by-default").checked = settings.enabledByDefault;
}

function collect() {
  const dwell = Math.round(Number($("dwell").value));
  const mentions = document.querySelector('input[name="mentions"]:checked');
  const density = document.querySelector('input[name="density"]:checked');
  return {
    serverUrl: $("server-url").value.trim().replace(/\/+$/, "") || DEFAULTS.serverUrl,
    dwellMs: Number.isFinite(dwell) ? Math.min(DWELL_RANGE.max, Math.max(DWELL_RANGE.min, dwell)) : DEFAULTS.dwellMs,
    mentions: mentions ? mentions.value : DEFAULTS.mentions,
    density: density ? density.value : DEFAULTS.density,
    familiarPages: clamp($("familiar-pages").value, FAMILIAR_RANGE.pages, DEFAULTS.familiarPages),
    familiarDays: clamp($("familiar-days").value, FAMILIAR_RANGE.days, DEFAULTS.familiarDays),
    enabledByDefault: $("enabled-by-default").checked,
  };
}

async function save(event) {
  event.preventDefault();
  const values = collect();
  const out = $("saved");
  try {
    serverOrigin(values.serverUrl);
  } catch (error) {
    out.textContent = error.message;
    out.className = "problem";
    return;
  }
  await writeSettings(values);
  show(await readSettings());
  out.textContent = "Saved.";
  out.className = "ok";
  await checkPairing();
  await askReader({ type: FROM_PAGES.READER_SETTINGS });
}

async function checkServer() {
  const out = $("server-check");
  out.textContent = "…";
  const answer = await sendToBackground({ type: FROM_PAGES.SERVER_STATUS });
  if (answer && answer.ok) {
    out.textContent = `answering, version ${answer.health.version}`;
    out.className = "ok";
  } else {
    out.textContent = answer && answer.error ? answer.error.message : "not answering";
    out.className = "problem";
  }
}

async function checkPairing() {
  const note = $("pairing-note");
  const answer = await sendToBackground({ type: FROM_PAGES.PAIRING_STATUS });
  const usable = Boolean(answer && answer.ok && answer.available);
  $("pair-code").disabled = !usable;
  $("pair").disabled = !usable;
  if (answer && answer.paired) note.textContent = "This browser is paired with the server.";
  else if (usable) note.textContent = "Enter the code the server printed when it started (or run contextcards pair).";
  else if (answer && answer.ok) note.textContent = "This server does not ask for pairing yet; there is nothing to do.";
  else note.textContent = `Pairing needs the server running: ${answer && answer.error ? answer.error.message : "no answer"}`;
}

async function pair(event) {
  event.preventDefault();
  const out = $("pair-result");
  const answer = await sendToBackground({ type: FROM_PAGES.PAIR, code: $("pair-code").value });
  out.textContent = answer && answer.ok ? "Paired." : (answer && answer.error && answer.error.message) || "Pairing failed.";
  out.className = answer && answer.ok ? "ok" : "problem";
  if (answer && answer.ok) $("pair-code").value = "";
  await checkPairing();
  if (answer && answer.ok) await askReader({ type: FROM_PAGES.READER_SETTINGS });
}

async function main() {
  show(await readSettings());
  $("settings").addEventListener("submit", save);
  $("check-server").addEventListener("click", checkServer);
  $("add-rule").addEventListener("click", async () => {
    const host = hostFrom($("new-host").value);
    if (!host) return;
    const answer = await askReader({ type: FROM_PAGES.SET_SITE_RULES, rules: { [host]: $("new-rule").value } });
    if (answer && answer.ok) $("new-host").value = "";
  });
  $("pair-form").addEventListener("submit", pair);
  await checkPairing();
  await askReader({ type: FROM_PAGES.READER_SETTINGS });
}

main();
