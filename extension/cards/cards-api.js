// The reader's own cards: what the make-card page and the history page ask, and how the service worker answers.
//
// Pages never fetch the server themselves: they send these messages to the service worker,
// which asks the server with the pairing token (wired in background/main.js like history-api.js).

import { errorToMessage } from "../background/errors.js";

/** Extension pages → service worker. */
export const CARD_MESSAGES = Object.freeze({
  CREATE: "card-create", //         {card: {title, kind, summary, aliases?, wikipedia?, facts?}} → {ok, data: card}
  SUGGEST: "card-suggest", //       {name} → {ok, data: {wikipedia: on|off|paused, suggestions}}
  UNCARDED: "names-uncarded", //    {limit?} → {ok, data: {names: [{name, label, pages, last_seen, sentence}]}}
});

export const KINDS = Object.freeze(["person", "org", "place", "product", "policy", "law", "event", "concept"]);
const MAX_NAME = 200;
const TIMEOUT_MS = 8000;

/** Whether a message type belongs to the reader's cards. */
export function isCardMessage(type) {
  return Object.values(CARD_MESSAGES).includes(type);
}

/** The server request a card message stands for: {method, path, body?}; throws on a malformed message. */
export function cardRequest(message) {
  switch (message?.type) {
    case CARD_MESSAGES.CREATE: {
      const card = message.card;
      if (!card || typeof card !== "object" || Array.isArray(card)) throw new TypeError("A card-create message needs a card.");
      return { method: "POST", path: "/v1/cards", body: card };
    }
    case CARD_MESSAGES.SUGGEST: {
      const name = String(message.name ?? "").trim();
      if (!name || name.length > MAX_NAME) throw new TypeError("A card-suggest message needs a name.");
      return { method: "GET", path: `/v1/card-suggestions?name=${encodeURIComponent(name)}` };
    }
    case CARD_MESSAGES.UNCARDED: {
      const limit = Number.isInteger(message.limit) && message.limit > 0 && message.limit <= 500 ? message.limit : 50;
      return { method: "GET", path: `/v1/names/uncarded?limit=${limit}` };
    }
    default:
      throw new TypeError(`Unknown card message ${JSON.stringify(message?.type)}.`);
  }
}

/** Answer one card message in the service worker; makeClient may throw BadAddress. */
export async function handleCardMessage(message, makeClient) {
  let request;
  try {
    request = cardRequest(message);
  } catch (error) {
    return { ok: false, error: { kind: "bad-message", message: error.message } };
  }
  try {
    const client = await makeClient();
    return { ok: true, data: await client.request(request.method, request.path, request.body, TIMEOUT_MS) };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

/** The pages' side: one method per message, resolving to the server's data or throwing an Error with its message. */
export function cardsApi(send) {
  const ask = async (message) => {
    let answer;
    try {
      answer = await send(message);
    } catch {
      throw new Error("The extension's background is not answering; reload this page.");
    }
    if (answer?.ok) return answer.data;
    throw new Error(answer?.error?.message ?? "The server did not answer.");
  };
  return {
    create: (card) => ask({ type: CARD_MESSAGES.CREATE, card }),
    suggest: (name) => ask({ type: CARD_MESSAGES.SUGGEST, name }),
    uncarded: (limit) => ask({ type: CARD_MESSAGES.UNCARDED, limit }),
  };
}

/** The make-card page for a name, as an extension-relative path. */
export function makeCardPath(name) {
  return `cards/make-card.html?name=${encodeURIComponent(String(name).trim().slice(0, MAX_NAME))}`;
}
