// "Names you met without a card" on the history page: names from saved pages that no card explains, each with
// how often and where it was met, and a link to make a card for it.
//
// Everything from the server goes in as text (textContent, attributes), never as HTML.

import { makeCardPath } from "./cards-api.js";

const LIMIT = 30;

/** One name: the name, "on 3 pages, last 2 Dec 2026", its sentence, and "Make a card". */
export function uncardedItem(doc, entry, dayFormat) {
  const item = doc.createElement("li");
  item.className = "uncarded-name";
  const name = doc.createElement("strong");
  name.textContent = String(entry.name ?? "");
  const pages = Number(entry.pages) || 0;
  const when = new Date(String(entry.last_seen ?? ""));
  const meta = doc.createElement("span");
  meta.className = "muted";
  meta.textContent = ` — on ${pages} page${pages === 1 ? "" : "s"}${Number.isNaN(when.getTime()) ? "" : `, last ${dayFormat.format(when)}`} `;
  const link = doc.createElement("a");
  link.className = "make-card";
  link.href = `../${makeCardPath(entry.name ?? "")}`;
  link.textContent = "Make a card";
  const sentence = doc.createElement("q");
  sentence.className = "sentence";
  sentence.textContent = String(entry.sentence ?? "");
  item.append(name, meta, link, doc.createElement("br"), sentence);
  return item;
}

/** Fill the history page's list (left hidden when there is nothing to show or the server cannot say). */
export async function showUncarded(doc, api) {
  const section = doc.getElementById("uncarded");
  const list = doc.getElementById("uncarded-list");
  if (!section || !list) return;
  let names;
  try {
    names = (await api.uncarded(LIMIT))?.names ?? [];
  } catch {
    return; // the history page already says when the server is unreachable
  }
  const dayFormat = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric" });
  list.replaceChildren(...names.map((entry) => uncardedItem(doc, entry, dayFormat)));
  section.hidden = names.length === 0;
}
