// The make-card page: a name (from a selection or the history page), Wikipedia's matches to start from, and the form.
//
// Everything from the server goes in as text (textContent, values), never as HTML.

import { sendToBackground } from "../background/browser-api.js";
import { KINDS, cardsApi } from "./cards-api.js";

/** The card the form describes, as a pack file's [[card]] table (empty fields left out). */
export function cardFromForm(values) {
  const card = { title: values.title.trim(), kind: values.kind, summary: values.summary.trim() };
  const aliases = values.aliases.split(",").map((alias) => alias.trim()).filter(Boolean);
  if (aliases.length) card.aliases = aliases;
  if (values.wikipedia.trim()) card.wikipedia = values.wikipedia.trim();
  return card;
}

export class MakeCardPage {
  constructor(doc, api, name) {
    this.doc = doc;
    this.api = api;
    this.name = name;
  }

  $(id) {
    return this.doc.getElementById(id);
  }

  async start() {
    const kind = this.$("kind");
    for (const value of KINDS) {
      const option = this.doc.createElement("option");
      option.value = value;
      option.textContent = value;
      kind.append(option);
    }
    kind.value = "concept";
    this.$("title").value = this.name;
    this.$("card-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
    if (this.name) await this.offerMatches();
  }

  /** Online, Wikipedia's top matches; choosing one fills the form. Offline, the reader writes the card. */
  async offerMatches() {
    const status = this.$("matches-status");
    status.textContent = "Looking for Wikipedia articles…";
    let answer;
    try {
      answer = await this.api.suggest(this.name);
    } catch (error) {
      status.textContent = `No Wikipedia matches: ${error.message}`;
      return;
    }
    const found = Array.isArray(answer?.suggestions) ? answer.suggestions : [];
    if (!found.length) {
      status.textContent = answer?.wikipedia === "on" ? "Wikipedia has no article that matches; write the card yourself."
        : "Wikipedia lookups are off; write the card yourself.";
      return;
    }
    status.textContent = "";
    const list = this.$("match-list");
    for (const match of found) {
      const item = this.doc.createElement("li");
      const button = this.doc.createElement("button");
      button.type = "button";
      button.className = "use-match";
      button.textContent = `Use “${String(match.title)}”`;
      button.addEventListener("click", () => this.fill(match));
      const description = this.doc.createElement("span");
      description.className = "description muted";
      description.textContent = String(match.description || match.summary || "");
      item.append(button, description);
      list.append(item);
    }
    this.$("matches").hidden = false;
  }

  fill(match) {
    this.$("title").value = String(match.title ?? "");
    this.$("wikipedia").value = String(match.wikipedia ?? "");
    this.$("summary").value = String(match.summary ?? "");
    if (KINDS.includes(match.kind)) this.$("kind").value = match.kind;
    const given = this.name.trim();
    if (given && given.toLowerCase() !== String(match.title ?? "").toLowerCase()) this.$("aliases").value = given;
  }

  async save() {
    const result = this.$("result");
    const values = Object.fromEntries(["title", "kind", "summary", "aliases", "wikipedia"].map((id) => [id, this.$(id).value]));
    this.$("save").disabled = true;
    result.className = "";
    result.textContent = "Saving…";
    try {
      const card = await this.api.create(cardFromForm(values));
      result.className = "ok";
      result.textContent = `Saved “${String(card.title)}”. It shows from the next page you open.`;
      result.dataset.cardId = String(card.id);
    } catch (error) {
      result.className = "problem";
      result.textContent = error.message;
      this.$("save").disabled = false;
    }
  }
}

if (globalThis.document?.getElementById("make-card-app")) {
  const name = new URL(location.href).searchParams.get("name") ?? "";
  const page = new MakeCardPage(document, cardsApi(sendToBackground), name);
  page.ready = page.start();
}
