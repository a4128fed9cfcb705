// The client for the local server: the only code that fetches it; adds the pairing token and maps failures.

import { BadAddress, BadMessage, BadPairingCode, NotFound, NotPaired, PairingUnavailable, ServerError, ServerNotRunning } from "./errors.js";
import { serverOrigin } from "./settings.js";

const TIMEOUTS_MS = Object.freeze({ annotate: 20000, card: 8000, feedback: 5000, health: 2000, pair: 5000, history: 15000, export: 60000 });

/** The history's export formats: what the server calls them, and how the file is saved. */
export const EXPORT_FORMATS = Object.freeze({
  json: { mimetype: "application/json", extension: "json", label: "JSON" },
  jsonld: { mimetype: "application/ld+json", extension: "jsonld", label: "JSON-LD (Web Annotation)" },
  markdown: { mimetype: "text/markdown", extension: "md", label: "Markdown" },
  csv: { mimetype: "text/csv", extension: "csv", label: "CSV" },
});
const HISTORY_PARAMS = ["q", "entity", "site", "since", "until", "limit", "cursor"];
const MAX_CARD_NAME = 200;

/** A query string of the known history search parameters that have a value. */
export function queryString(params = {}) {
  const search = new URLSearchParams();
  for (const name of HISTORY_PARAMS) {
    const value = params?.[name];
    if (value !== undefined && value !== null && String(value) !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** An id for a path segment, or BadMessage. */
function pathId(value) {
  if (typeof value !== "string" || !value || value.length > 200) throw new BadMessage("A history message needs an id.");
  return encodeURIComponent(value);
}
// A busy server answers 429 with Retry-After: wait that long (at most RETRY_WAIT_MAX_MS) and ask again, twice at most.
const BUSY_RETRIES = 2;
const RETRY_WAIT_MAX_MS = 5000;

/** How long a 429's Retry-After (seconds, or an HTTP date) asks us to wait, within [0, RETRY_WAIT_MAX_MS]. */
export function retryWaitMs(header, now = Date.now()) {
  const seconds = Number(header);
  let ms = Number.isFinite(seconds) && String(header ?? "").trim() !== "" ? seconds * 1000 : Date.parse(header) - now;
  if (!Number.isFinite(ms)) ms = 1000;
  return Math.min(RETRY_WAIT_MAX_MS, Math.max(0, ms));
}

export class ServerClient {
  /**
   * @param {string} address  the server address from the settings
   * @param {string} token    the pairing token ("" before pairing); sent as `Authorization: Bearer`
   * @param {typeof fetch} fetchImpl  injected by tests
   */
  constructor(address, token = "", fetchImpl = globalThis.fetch.bind(globalThis)) {
    this.address = address;
    this.origin = serverOrigin(address);
    this.token = token;
    this.fetch = fetchImpl;
    this.sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms)); // replaced by tests
  }

  /** Annotate a page: {url, title, lang?, save, mentions, blocks} → {page_id, annotations, cards}. */
  annotate(payload) {
    return this.request("POST", "/v1/annotate", payload, TIMEOUTS_MS.annotate);
  }

  /** One card by id (used again for cards that were still pending). */
  card(id) {
    return this.request("GET", `/v1/cards/${encodeURIComponent(id)}`, undefined, TIMEOUTS_MS.card);
  }

  /** The reader's feedback on a card: {card, action: mute|unmute|correct|uncorrect, to?, term?, site?} → the settings. */
  feedback(body) {
    return this.request("POST", "/v1/feedback", body, TIMEOUTS_MS.feedback);
  }

  /** The reader's settings the server owns: {muted, corrections, site_rules}. */
  readerSettings() {
    return this.request("GET", "/v1/settings", undefined, TIMEOUTS_MS.feedback);
  }

  /** Set or remove site rules ({site: "always" | "never" | null}) → the settings afterwards. */
  setSiteRules(rules) {
    return this.request("POST", "/v1/settings", { site_rules: rules }, TIMEOUTS_MS.feedback);
  }

  /** Saved pages, newest first, filtered by the known search parameters. */
  searchHistory(params) {
    return this.request("GET", `/v1/history${queryString(params)}`, undefined, TIMEOUTS_MS.history);
  }

  /** Every saved page that showed one card, and pages per week. */
  async entityPages(card, params) {
    return this.request("GET", `/v1/entities/${pathId(card)}/pages${queryString({ ...params, entity: undefined })}`, undefined, TIMEOUTS_MS.history);
  }

  /** Make one of the reader's own cards (201 with the card; 422 or 409 carry `pack check`'s line). */
  createCard(card) {
    if (!card || typeof card !== "object" || Array.isArray(card)) throw new BadMessage("A card to make needs its fields.");
    return this.request("POST", "/v1/cards", card, TIMEOUTS_MS.card);
  }

  /** Wikipedia's top matches for a name, to pre-fill a card (empty offline). */
  cardSuggestions(name) {
    const text = String(name ?? "").trim();
    if (!text || text.length > MAX_CARD_NAME) throw new BadMessage("Card suggestions need a name.");
    return this.request("GET", `/v1/card-suggestions?name=${encodeURIComponent(text)}`, undefined, TIMEOUTS_MS.card);
  }

  /** Names met on saved pages that nothing linked, newest and most frequent first. */
  uncardedNames(limit) {
    const count = Number.isInteger(limit) && limit > 0 && limit <= 500 ? limit : 50;
    return this.request("GET", `/v1/names/uncarded?limit=${count}`, undefined, TIMEOUTS_MS.history);
  }

  async deleteHistoryPage(id) {
    return this.request("DELETE", `/v1/history/${pathId(id)}`, undefined, TIMEOUTS_MS.history);
  }

  clearHistory() {
    return this.request("DELETE", "/v1/history?confirm=yes", undefined, TIMEOUTS_MS.history);
  }

  /** The history (or what the filters keep) as a file: {text, mimetype, filename}. Not JSON: Markdown, CSV too. */
  async exportHistory(format, params) {
    if (!Object.hasOwn(EXPORT_FORMATS, format)) throw new BadMessage("Unknown export format.");
    const query = queryString({ ...params, limit: undefined, cursor: undefined });
    const path = `/v1/history/export${query ? `${query}&` : "?"}format=${format}`;
    let response;
    try {
      response = await this.fetch(this.origin + path, {
        method: "GET",
        headers: this.token ? { Authorization: `Bearer ${this.token}` } : {},
        signal: AbortSignal.timeout(TIMEOUTS_MS.export),
        credentials: "omit",
        cache: "no-store",
        redirect: "error",
      });
    } catch {
      throw new ServerNotRunning(this.origin);
    }
    // An error answer goes through the usual JSON path, which turns it into the right ExtensionError.
    if (!response.ok) await this.request("GET", path, undefined, TIMEOUTS_MS.history);
    const kind = EXPORT_FORMATS[format];
    return { text: await response.text(), mimetype: kind.mimetype, filename: `contextcards-history.${kind.extension}` };
  }

  /** The server's /health report. */
  health() {
    return this.request("GET", "/health", undefined, TIMEOUTS_MS.health);
  }

  /** Exchange a pairing code for the token; PairingUnavailable when the server has no /v1/pair. */
  async pair(code) {
    try {
      return await this.request("POST", "/v1/pair", { code }, TIMEOUTS_MS.pair);
    } catch (error) {
      if (error instanceof NotFound || (error instanceof ServerError && error.status === 405)) throw new PairingUnavailable();
      if (error instanceof NotPaired) throw new BadPairingCode(error.serverMessage);
      throw error;
    }
  }

  /** Whether the server has a pairing route: GET on the POST-only /v1/pair answers 405 there, 404 on older servers. */
  async pairingAvailable() {
    try {
      await this.request("GET", "/v1/pair", undefined, TIMEOUTS_MS.health);
      return true;
    } catch (error) {
      if (error instanceof NotFound) return false;
      if (error instanceof ServerNotRunning) throw error;
      return true;
    }
  }

  /** One JSON request; resolves to the parsed body or throws an ExtensionError. A 429 is asked again, bounded. */
  async request(method, path, body, timeoutMs) {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.requestOnce(method, path, body, timeoutMs);
      } catch (error) {
        if (!(error instanceof ServerError) || error.status !== 429 || attempt >= BUSY_RETRIES) throw error;
        await this.sleep(retryWaitMs(error.retryAfter));
      }
    }
  }

  async requestOnce(method, path, body, timeoutMs) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (this.token) headers.Authorization = `Bearer ${this.token}`;
    let response;
    try {
      response = await this.fetch(this.origin + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
        credentials: "omit",
        cache: "no-store",
        redirect: "error",
      });
    } catch {
      // Connection refused, timeout and a redirect all mean there is no usable server there.
      throw new ServerNotRunning(this.origin);
    }
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (response.ok && data !== null) return data;
    const code = data?.error?.code;
    const message = data?.error?.message;
    if (response.status === 401) throw new NotPaired(message);
    if (response.status === 404) throw new NotFound(message);
    if (response.ok) throw new ServerError(response.status, "bad_json", "The server's answer was not JSON.");
    const error = new ServerError(response.status, code, message);
    error.retryAfter = response.headers.get("Retry-After");
    throw error;
  }
}

/** A client for the current settings, or BadAddress. */
export function clientFor(settings, fetchImpl) {
  if (!settings.serverUrl) throw new BadAddress("");
  return new ServerClient(settings.serverUrl, settings.token, fetchImpl);
}
