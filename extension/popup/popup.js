// The toolbar popup: turns the extension on or off for this site and shows the page's cards and the server's state.

import { activeTab, openExtensionPage, openOptions, sendToBackground, sendToTab } from "../background/browser-api.js";
import { FROM_PAGES, TO_CONTENT } from "../background/messages.js";

const REASONS = {
  "site-off": "Turned off for this site.",
  "server-page": "This is the server's own page; it shows its cards itself.",
  disconnected: "The extension was updated: reload the page to use it here.",
};

const $ = (id) => document.getElementById(id);

/** Ask the page's content script what it shows; null where no content script runs (browser pages, stores). */
async function pageStatus(tab) {
  return tab ? sendToTab(tab.id, { type: TO_CONTENT.GET_PAGE_STATUS }) : null;
}

function showPage(status) {
  const toggle = $("site-on");
  const note = $("site-note");
  if (!status) {
    $("site-host").textContent = "this page";
    toggle.checked = false;
    toggle.disabled = true;
    note.textContent = "Context Cards does not run on this page.";
    note.hidden = false;
    $("card-count").textContent = "–";
    return;
  }
  $("site-host").textContent = status.host;
  toggle.checked = status.enabled || (status.reason !== "site-off" && status.reason !== "server-page");
  toggle.disabled = status.reason === "server-page";
  const message = status.error ? status.error.message : REASONS[status.reason];
  note.textContent = message || "";
  note.hidden = !message;
  note.className = status.error ? "problem" : "muted";
  $("card-count").textContent = status.enabled ? String(status.count) : "–";
}

async function showServer() {
  const answer = await sendToBackground({ type: FROM_PAGES.SERVER_STATUS });
  const out = $("server-status");
  if (answer && answer.ok) {
    const health = answer.health;
    const degraded = health.status !== "ok";
    out.textContent = degraded ? `running, degraded: ${(health.degraded || []).join("; ")}` : `running (${health.pack_size} cards in the pack)`;
    out.className = degraded ? "problem" : "ok";
  } else {
    out.textContent = answer && answer.error ? answer.error.message : "not answering";
    out.className = "problem";
  }
}

/** Offer the pairing code field while the server asks for pairing and this browser has no token. */
async function showPairing(onPaired) {
  const answer = await sendToBackground({ type: FROM_PAGES.PAIRING_STATUS });
  const form = $("pair-form");
  form.hidden = !(answer && answer.ok && answer.available && !answer.paired);
  form.onsubmit = async (event) => {
    event.preventDefault();
    const result = await sendToBackground({ type: FROM_PAGES.PAIR, code: $("pair-code").value });
    const out = $("pair-result");
    if (result && result.ok) {
      form.hidden = true;
      onPaired();
    } else {
      out.textContent = (result && result.error && result.error.message) || "Pairing failed.";
      out.className = "problem";
    }
  };
}

async function main() {
  const tab = await activeTab();
  let status = await pageStatus(tab);
  showPage(status);
  $("site-on").addEventListener("change", async (event) => {
    if (!status) return;
    await sendToBackground({ type: FROM_PAGES.SET_SITE, host: status.host, on: event.target.checked });
    // The page turns itself on or off when the setting lands; give it a moment, then show what it did.
    setTimeout(async () => {
      status = (await pageStatus(tab)) || status;
      showPage(status);
    }, 400);
  });
  $("open-history").addEventListener("click", (event) => {
    event.preventDefault();
    openExtensionPage("history/history.html");
    window.close();
  });
  $("open-options").addEventListener("click", (event) => {
    event.preventDefault();
    openOptions();
    window.close();
  });
  await showServer();
  await showPairing(() => {
    // Pages that could not be annotated try again once the token lands; show what they do.
    setTimeout(async () => showPage((await pageStatus(tab)) || status), 1500);
    showServer();
  });
}

main();
