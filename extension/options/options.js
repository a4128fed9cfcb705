// The options page: server address, dwell time, first or all mentions, site rules, muted terms and pairing.

import { sendToBackground } from "../background/browser-api.js";
import { FROM_PAGES } from "../background/messages.js";
import { DEFAULTS, DWELL_RANGE, readSettings, serverOrigin, writeSettings } from "../background/settings.js";

const $ = (id) => document.getElementById(id);
let siteRules = {};

/** One row of the site-rules table, built with DOM methods. */
function ruleRow(host, rule) {
  const row = document.createElement("tr");
  const site = document.createElement("td");
  site.textContent = host;
  const choice = document.createElement("td");
  const select = document.createElement("select");
  select.setAttribute("aria-label", `Rule for ${host}`);
  for (const value of ["always", "never"]) {
    const option = new Option(value, value, false, value === rule);
    select.append(option);
  }
  select.addEventListener("change", () => {
    siteRules[host] = select.value;
  });
  choice.append(select);
  const remove = document.createElement("td");
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Remove";
  button.setAttribute("aria-label", `Remove the rule for ${host}`);
  button.addEventListener("click", () => {
    delete siteRules[host];
    drawRules();
  });
  remove.append(button);
  row.append(site, choice, remove);
  return row;
}

function drawRules() {
  const rows = Object.keys(siteRules)
    .sort()
    .map((host) => ruleRow(host, siteRules[host]));
  $("rules").replaceChildren(...rows);
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
  $("enabled-by-default").checked = settings.enabledByDefault;
  $("muted").value = settings.mutedTerms.join("\n");
  siteRules = { ...settings.siteRules };
  drawRules();
}

function collect() {
  const dwell = Math.round(Number($("dwell").value));
  const mentions = document.querySelector('input[name="mentions"]:checked');
  return {
    serverUrl: $("server-url").value.trim().replace(/\/+$/, "") || DEFAULTS.serverUrl,
    dwellMs: Number.isFinite(dwell) ? Math.min(DWELL_RANGE.max, Math.max(DWELL_RANGE.min, dwell)) : DEFAULTS.dwellMs,
    mentions: mentions ? mentions.value : DEFAULTS.mentions,
    enabledByDefault: $("enabled-by-default").checked,
    siteRules,
    mutedTerms: [...new Set($("muted").value.split("\n").map((t) => t.trim()).filter(Boolean))],
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
}

async function main() {
  show(await readSettings());
  $("settings").addEventListener("submit", save);
  $("check-server").addEventListener("click", checkServer);
  $("add-rule").addEventListener("click", () => {
    const host = hostFrom($("new-host").value);
    if (!host) return;
    siteRules[host] = $("new-rule").value;
    $("new-host").value = "";
    drawRules();
  });
  $("pair-form").addEventListener("submit", pair);
  await checkPairing();
}

main();
