// The history page's messages: what the page asks (messagingApi) and how the service worker answers (handleHistoryMessage).
//
// The page never fetches the server itself; it sends these messages to the service worker,
// which asks the server with the pairing token. Wiring in background/main.js's dispatcher:
//   if (isHistoryMessage(type)) return isExtensionPage(sender)
//     ? handleHistoryMessage(message, async () => clientFor(await readSettings()))
//     : refuse("bad-sender", "Only the extension's pages may ask this.");

import { errorToMessage } from "../background/errors.js";

/** History page → service worker. */
export const HISTORY_MESSAGES = Object.freeze({
  SEARCH: "history-search", //     {params} → {ok, data: {pages, total, next_cursor}}
  ENTITY: "history-entity", //     {card, params} → {ok, data: {card, pages, total, next_cursor, weeks}}
  DELETE_PAGE: "history-delete", // {id} → {ok, data: {deleted}}
  CLEAR: "history-clear", //       {} → {ok, data: {deleted}}
  EXPORT: "history-export", //     {format, params} → {ok, data: {text, mimetype, filename}}
  FEEDBACK: "history-feedback", // {body: {card, action, to?, term?, site?}} → {ok, data: settings}
});

export const EXPORT_FORMATS = Object.freeze({
  json: { mimetype: "application/json", extension: "json", label: "JSON" },
  jsonld: { mimetype: "application/ld+json", extension: "jsonld", label: "JSON-LD (Web Annotation)" },
  markdown: { mimetype: "text/markdown", extension: "md", label: "Markdown" },
  csv: { mimetype: "text/csv", extension: "csv", label: "CSV" },
});

const PARAMS = ["q", "entity", "site", "since", "until", "limit", "cursor"];
const EXPORT_TIMEOUT_MS = 60000;
const TIMEOUT_MS = 15000;

/** Whether a message type belongs to the history page. */
export function isHistoryMessage(type) {
  return Object.values(HISTORY_MESSAGES).includes(type);
}

/** A query string of the known search parameters that have a value. */
export function queryString(params = {}) {
  const search = new URLSearchParams();
  for (const name of PARAMS) {
    const value = params[name];
    if (value !== undefined && value !== null && String(value) !== "") search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** The server request a history message stands for: {method, path, body?, text?}; throws on a malformed message. */
export function historyRequest(message) {
  const id = (value) => {
    if (typeof value !== "string" || !value || value.length > 200) throw new TypeError("A history message needs an id.");
    return encodeURIComponent(value);
  };
  switch (message?.type) {
    case HISTORY_MESSAGES.SEARCH:
      return { method: "GET", path: `/v1/history${queryString(message.params)}` };
    case HISTORY_MESSAGES.ENTITY:
      return { method: "GET", path: `/v1/entities/${id(message.card)}/pages${queryString({ ...message.params, entity: undefined })}` };
    case HISTORY_MESSAGES.DELETE_PAGE:
      return { method: "DELETE", path: `/v1/history/${id(message.id)}` };
    case HISTORY_MESSAGES.CLEAR:
      return { method: "DELETE", path: "/v1/history?confirm=yes" };
    case HISTORY_MESSAGES.EXPORT: {
      if (!Object.hasOwn(EXPORT_FORMATS, message.format)) throw new TypeError("Unknown export format.");
      const query = queryString({ ...message.params, limit: undefined, cursor: undefined });
      return { method: "GET", path: `/v1/history/export${query ? `${query}&` : "?"}format=${message.format}`, text: true };
    }
    case HISTORY_MESSAGES.FEEDBACK:
      return { method: "POST", path: "/v1/feedback", body: message.body };
    default:
      throw new TypeError(`Unknown history message ${JSON.stringify(message?.type)}.`);
  }
}

/** An export is text (Markdown, CSV), not JSON: fetched with the client's own fetch, token and options. */
async function fetchText(client, path) {
  const response = await client.fetch(client.origin + path, {
    method: "GET",
    headers: client.token ? { Authorization: `Bearer ${client.token}` } : {},
    signal: AbortSignal.timeout(EXPORT_TIMEOUT_MS),
    credentials: "omit",
    cache: "no-store",
    redirect: "error",
  });
  if (!response.ok) {
    // Let the client turn the error answer into the usual ExtensionError.
    return client.request("GET", path, undefined, TIMEOUT_MS);
  }
  return response.text();
}

/**
 * Answer one history message in the service worker.
 * @param {object} message  one of HISTORY_MESSAGES
 * @param {() => Promise<import("../background/server-client.js").ServerClient>} makeClient  may throw BadAddress
 */
export async function handleHistoryMessage(message, makeClient) {
  let request;
  try {
    request = historyRequest(message);
  } catch (error) {
    return { ok: false, error: { kind: "bad-message", message: error.message } };
  }
  try {
    const client = await makeClient();
    if (!request.text) return { ok: true, data: await client.request(request.method, request.path, request.body, TIMEOUT_MS) };
    const format = EXPORT_FORMATS[message.format];
    const text = await fetchText(client, request.path);
    return { ok: true, data: { text: typeof text === "string" ? text : JSON.stringify(text), mimetype: format.mimetype, filename: `contextcards-history.${format.extension}` } };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

/** A failure the history page shows in plain words. */
export class HistoryError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "HistoryError";
    this.kind = kind;
  }
}

/** The page's side: an `api` object whose methods send one message each and resolve to the server's data. */
export function messagingApi(send) {
  const ask = async (message) => {
    let answer;
    try {
      answer = await send(message);
    } catch {
      throw new HistoryError("no-background", "The extension's background is not answering; reload this page.");
    }
    if (answer?.ok) return answer.data;
    throw new HistoryError(answer?.error?.kind ?? "unknown", answer?.error?.message ?? "The history could not be read.");
  };
  return {
    search: (params) => ask({ type: HISTORY_MESSAGES.SEARCH, params }),
    entityPages: (card, params) => ask({ type: HISTORY_MESSAGES.ENTITY, card, params }),
    deletePage: (id) => ask({ type: HISTORY_MESSAGES.DELETE_PAGE, id }),
    clearAll: () => ask({ type: HISTORY_MESSAGES.CLEAR }),
    exportHistory: (format, params) => ask({ type: HISTORY_MESSAGES.EXPORT, format, params }),
    feedback: (body) => ask({ type: HISTORY_MESSAGES.FEEDBACK, body }),
  };
}
