// The history page: search, pages by date, filters by site and card, the card view with a weekly chart, delete, export.
//
// Everything from the server goes in as text (textContent, text nodes, attributes), never as HTML.
// The page talks to the server only through the service worker (history-api.js).

import { sendToBackground } from "../background/browser-api.js";
import { EXPORT_FORMATS, messagingApi } from "./history-api.js";
import { cardsApi } from "../cards/cards-api.js";
import { showUncarded } from "../cards/uncarded-list.js";

const SVG = "http://www.w3.org/2000/svg";
const PAGE_SIZE = 50;
const MAX_WEEKS = 52;
const MIN_WEEKS = 12; // a chart of one bar says little, and its date labels need the room
const CHART = Object.freeze({ bar: 10, gap: 2, height: 64, label: 16 });
const DAY_MS = 86400000;

/** An element with optional class, text and attributes, and children appended. */
function el(doc, tag, { className, text, attrs } = {}, children = []) {
  const node = doc.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

function svg(doc, tag, attrs = {}) {
  const node = doc.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, String(value));
  return node;
}

/** Only http(s) addresses become links. */
export function safeHref(url) {
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** The saved sentence with the mention marked; `at` counts code points (the server is Python). */
export function sentenceNode(doc, mention) {
  const node = el(doc, "q", { className: "sentence" });
  const chars = Array.from(String(mention.sentence ?? ""));
  const length = Array.from(String(mention.text ?? "")).length;
  const at = mention.at;
  if (!Number.isInteger(at) || at < 0 || chars.slice(at, at + length).join("") !== mention.text || !length) {
    node.textContent = chars.join("");
    return node;
  }
  node.append(
    doc.createTextNode(chars.slice(0, at).join("")),
    el(doc, "mark", { text: mention.text }),
    doc.createTextNode(chars.slice(at + length).join("")),
  );
  return node;
}

/** The ISO week ("2025-W23") a date falls in, in UTC. */
export function isoWeek(date) {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  day.setUTCDate(day.getUTCDate() + 4 - (day.getUTCDay() || 7));
  const yearStart = Date.UTC(day.getUTCFullYear(), 0, 1);
  const week = Math.ceil(((day - yearStart) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, "0")}`;
}

/** The Monday (UTC) an ISO week starts on. */
export function weekStart(key) {
  const [year, week] = key.split("-W").map(Number);
  const jan4 = new Date(Date.UTC(year, 0, 4));
  return new Date(jan4.getTime() + ((week - 1) * 7 - ((jan4.getUTCDay() || 7) - 1)) * DAY_MS);
}

/** Every week up to the last with pages (zeros between): from the first, or `min` weeks back; at most `max`. */
export function weekSeries(weeks, max = MAX_WEEKS, min = MIN_WEEKS) {
  const counts = new Map((weeks ?? []).filter((w) => /^\d{4}-W\d{2}$/.test(w.week)).map((w) => [w.week, Number(w.pages) || 0]));
  if (!counts.size) return [];
  const keys = [...counts.keys()].sort();
  const last = weekStart(keys[keys.length - 1]).getTime();
  const earliest = Math.min(weekStart(keys[0]).getTime(), last - (min - 1) * 7 * DAY_MS);
  const first = Math.max(earliest, last - (max - 1) * 7 * DAY_MS);
  const series = [];
  for (let time = first; time <= last; time += 7 * DAY_MS) {
    const key = isoWeek(new Date(time));
    series.push({ week: key, start: new Date(time), pages: counts.get(key) ?? 0 });
  }
  return series;
}

const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", day: "numeric", month: "long", year: "numeric" });
const shortDay = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });

/** The small bar chart of pages per week, drawn as SVG elements. */
export function weeklyChart(doc, weeks, title) {
  const series = weekSeries(weeks);
  const figure = el(doc, "figure", { className: "chart" });
  if (!series.length) return figure;
  const width = series.length * (CHART.bar + CHART.gap);
  const top = Math.max(...series.map((w) => w.pages));
  const total = series.reduce((sum, w) => sum + w.pages, 0);
  const label = `Pages mentioning ${title}, per week: ${total} in ${series.length} week${series.length === 1 ? "" : "s"}, at most ${top} in one week.`;
  const chart = svg(doc, "svg", { viewBox: `0 0 ${width} ${CHART.height + CHART.label}`, width, height: CHART.height + CHART.label, role: "img", "aria-label": label });
  series.forEach((week, index) => {
    const height = week.pages ? Math.max(2, Math.round((week.pages / top) * CHART.height)) : 1;
    const bar = svg(doc, "rect", { x: index * (CHART.bar + CHART.gap), y: CHART.height - height, width: CHART.bar, height, class: week.pages ? "bar" : "bar empty" });
    const tip = svg(doc, "title");
    tip.textContent = `Week of ${shortDay.format(week.start)}: ${week.pages} page${week.pages === 1 ? "" : "s"}`;
    bar.append(tip);
    chart.append(bar);
  });
  const ends = [[0, "start", series[0]], [width, "end", series[series.length - 1]]];
  for (const [x, anchor, week] of series.length > 1 ? ends : ends.slice(0, 1)) {
    const text = svg(doc, "text", { x, y: CHART.height + CHART.label - 3, "text-anchor": anchor, class: "axis" });
    text.textContent = shortDay.format(week.start);
    chart.append(text);
  }
  figure.append(chart, el(doc, "figcaption", { className: "muted", text: "Pages per week" }));
  return figure;
}

export class HistoryPage {
  /**
   * @param {Document} doc  the history page
   * @param {ReturnType<typeof messagingApi>} api  search, entityPages, deletePage, clearAll, exportHistory
   * @param {{location?: Location, history?: History, URL?: typeof URL}} win
   */
  constructor(doc, api, win = {}) {
    this.doc = doc;
    this.api = api;
    this.win = win;
    this.state = { q: "", site: "", entity: "" };
    this.cursor = null;
    this.shown = 0;
    this.total = 0;
    this.loading = null;
    this.$ = (id) => doc.getElementById(id);
  }

  /** Read the filters from the address (the card's "seen on N pages" links here with ?entity=), wire the controls, load. */
  start() {
    const params = new URLSearchParams(this.win.location?.search ?? "");
    for (const name of Object.keys(this.state)) this.state[name] = (params.get(name) ?? "").slice(0, 500);
    this.$("q").value = this.state.q;
    const formats = this.$("export-format");
    for (const [value, format] of Object.entries(EXPORT_FORMATS)) formats.append(el(this.doc, "option", { text: format.label, attrs: { value } }));
    this.$("search-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.setFilters({ q: this.$("q").value.trim() });
    });
    this.$("more").addEventListener("click", () => this.load({ append: true }));
    this.$("export").addEventListener("click", () => this.exportHistory());
    this.$("delete-all").addEventListener("click", () => this.askDeleteAll(true));
    this.$("delete-all-no").addEventListener("click", () => this.askDeleteAll(false));
    this.$("delete-all-yes").addEventListener("click", () => this.deleteAll());
    return this.load();
  }

  /** Change some filters, show them in the address, and load from the top. */
  setFilters(changes) {
    Object.assign(this.state, changes);
    if (this.win.history && this.win.location) {
      const params = new URLSearchParams(Object.entries(this.state).filter(([, value]) => value));
      const query = params.toString();
      try {
        this.win.history.replaceState(null, "", `${this.win.location.pathname}${query ? `?${query}` : ""}`);
      } catch {
        // Only a convenience (the address can be bookmarked); a browser that refuses it loses nothing else.
      }
    }
    this.$("q").value = this.state.q;
    return this.load();
  }

  params() {
    const { q, site } = this.state;
    return { q, site, limit: PAGE_SIZE, cursor: this.cursor ?? undefined };
  }

  status(text, problem = false) {
    const out = this.$("status");
    out.textContent = text;
    out.className = problem ? "problem" : "muted";
  }

  /** Fetch the first (or next) pages for the current filters and show them. */
  async load({ append = false } = {}) {
    if (!append) this.cursor = null;
    const { entity } = this.state;
    const request = entity ? this.api.entityPages(entity, this.params()) : this.api.search({ ...this.params() });
    const current = (this.loading = request);
    let answer;
    try {
      answer = await request;
    } catch (error) {
      if (current === this.loading) this.status(error.message, true);
      return;
    }
    if (current !== this.loading) return; // a newer search answered meanwhile
    if (!append) {
      this.$("pages").replaceChildren();
      this.shown = 0;
      this.lastDay = null;
    }
    this.total = answer.total;
    this.cursor = answer.next_cursor;
    this.renderFilters();
    this.renderEntity(entity ? answer : null);
    this.renderPages(answer.pages, Boolean(entity));
    this.$("more").hidden = !answer.next_cursor;
    this.summarise();
  }

  summarise() {
    const filtered = this.state.q || this.state.site || this.state.entity;
    if (!this.total) {
      this.status(filtered ? "No saved pages match." : "No saved pages yet. Pages you read with Context Cards will appear here.");
    } else if (filtered) {
      this.status(this.total === 1 ? "1 saved page matches." : `${this.total} saved pages match.`);
    } else {
      this.status(this.total === 1 ? "1 saved page." : `${this.total} saved pages.`);
    }
    this.$("delete-all").disabled = !this.total && !filtered;
  }

  renderFilters() {
    const box = this.$("filters");
    box.replaceChildren();
    const chips = [
      ["q", "Words", this.state.q],
      ["site", "Site", this.state.site],
      ["entity", "Card", this.entityTitle ?? this.state.entity],
    ];
    for (const [name, label, value] of chips) {
      if (!this.state[name]) continue;
      const remove = el(this.doc, "button", { className: "remove", text: "×", attrs: { type: "button", "aria-label": `Remove the ${label.toLowerCase()} filter` } });
      remove.addEventListener("click", () => this.setFilters({ [name]: "" }));
      box.append(el(this.doc, "span", { className: "filter" }, [el(this.doc, "span", { text: `${label}: ${value}` }), remove]));
    }
    box.hidden = !box.childElementCount;
  }

  renderEntity(answer) {
    const view = this.$("entity-view");
    view.replaceChildren();
    view.hidden = !answer;
    this.entityTitle = null;
    if (!answer) return;
    const card = answer.card;
    const title = typeof card?.title === "string" ? card.title : this.state.entity;
    this.entityTitle = title;
    view.append(el(this.doc, "h2", { text: `Where you read about ${title}` }));
    if (typeof card?.summary === "string") view.append(el(this.doc, "p", { className: "summary", text: card.summary }));
    view.append(weeklyChart(this.doc, answer.weeks, title));
    this.renderFilters();
  }

  /** Pages grouped under a heading per day of their last visit; the card view adds each page's sentence. */
  renderPages(pages, withSentences) {
    const list = this.$("pages");
    for (const page of pages) {
      const visited = new Date(page.last_visit);
      const day = dayFormat.format(visited);
      if (day !== this.lastDay) {
        this.lastDay = day;
        list.append(el(this.doc, "h2", { className: "day", text: day }));
      }
      list.append(this.pageItem(page, visited, withSentences));
      this.shown += 1;
    }
  }

  pageItem(page, visited, withSentences) {
    const doc = this.doc;
    const item = el(doc, "article", { className: "page", attrs: { "data-id": page.id } });
    const href = safeHref(page.url);
    const title = page.title || page.url;
    const heading = el(doc, "h3");
    heading.append(href ? el(doc, "a", { text: title, attrs: { href, target: "_blank", rel: "noopener noreferrer" } }) : el(doc, "span", { text: title }));
    const site = el(doc, "button", { className: "link site", text: page.site, attrs: { type: "button", title: `Only pages on ${page.site}` } });
    site.addEventListener("click", () => this.setFilters({ site: page.site }));
    const remove = el(doc, "button", { className: "delete", text: "Delete", attrs: { type: "button", "aria-label": `Delete “${title}” from the history` } });
    remove.addEventListener("click", () => this.deletePage(page, item));
    const visits = page.visits > 1 ? ` · ${page.visits} visits` : "";
    const meta = el(doc, "p", { className: "meta" }, [site, doc.createTextNode(` · ${timeFormat.format(visited)}${visits} `), remove]);
    item.append(heading, meta);
    const mentions = Array.isArray(page.mentions) ? page.mentions : [];
    if (withSentences) {
      const list = el(doc, "ul", { className: "sentences" });
      for (const mention of mentions) list.append(el(doc, "li", {}, [sentenceNode(doc, mention)]));
      item.append(list);
    } else if (mentions.length) {
      const cards = el(doc, "ul", { className: "cards", attrs: { "aria-label": "Cards on this page" } });
      for (const mention of mentions) {
        const chip = el(doc, "button", { className: "card-chip", text: mention.card_title || mention.card, attrs: { type: "button", title: mention.sentence ?? "" } });
        chip.addEventListener("click", () => this.setFilters({ entity: mention.card, q: "" }));
        cards.append(el(doc, "li", {}, [chip]));
      }
      item.append(cards);
    }
    return item;
  }

  async deletePage(page, item) {
    try {
      await this.api.deletePage(page.id);
    } catch (error) {
      this.status(error.message, true);
      return;
    }
    const heading = item.previousElementSibling;
    const next = item.nextElementSibling;
    item.remove();
    // A day heading with no pages left under it goes too.
    if (heading?.classList.contains("day") && (!next || next.classList.contains("day"))) {
      if (heading.textContent === this.lastDay) this.lastDay = null;
      heading.remove();
    }
    this.total = Math.max(0, this.total - 1);
    this.summarise();
    this.status(`Deleted “${page.title || page.url}”. ${this.$("status").textContent}`);
  }

  askDeleteAll(asking) {
    this.$("confirm-delete").hidden = !asking;
    this.$("delete-all").hidden = asking;
    if (asking) this.$("delete-all-no").focus();
  }

  async deleteAll() {
    this.askDeleteAll(false);
    let answer;
    try {
      answer = await this.api.clearAll();
    } catch (error) {
      this.status(error.message, true);
      return;
    }
    this.state = { q: "", site: "", entity: "" };
    await this.setFilters({});
    this.status(`Deleted ${answer.deleted} saved page${answer.deleted === 1 ? "" : "s"}. Muted cards and site rules are kept.`);
  }

  /** Download the history (with the current word, site and card filters) in the chosen format. */
  async exportHistory() {
    const format = this.$("export-format").value;
    let data;
    try {
      data = await this.api.exportHistory(format, { q: this.state.q, site: this.state.site, entity: this.state.entity });
    } catch (error) {
      this.status(error.message, true);
      return;
    }
    const URLs = this.win.URL ?? globalThis.URL;
    const blob = new Blob([data.text], { type: data.mimetype });
    const href = URLs.createObjectURL(blob);
    const link = el(this.doc, "a", { attrs: { href, download: data.filename }, className: "hidden-download" });
    this.doc.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URLs.revokeObjectURL(href), 10000);
    this.status(`Exported as ${data.filename}.`);
  }
}

/** Start the page with its api (messages to the service worker in the extension; a fake in tests). */
export function startHistoryPage(doc, api, win) {
  const page = new HistoryPage(doc, api, win);
  page.ready = page.start();
  return page;
}

if (globalThis.document?.getElementById("history-app")) {
  startHistoryPage(document, messagingApi(sendToBackground), window);
  showUncarded(document, cardsApi(sendToBackground));
}
