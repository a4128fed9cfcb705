// Expected failures as ExtensionError subclasses, each with a kind and a message a reader understands.

import { ERROR_KINDS } from "./messages.js";

/** A failure we expect and explain to the reader; anything else is a bug. */
export class ExtensionError extends Error {
  constructor(kind, message) {
    super(message);
    this.name = "ExtensionError";
    this.kind = kind;
  }

  /** The plain object sent over messages (Error objects do not survive structured cloning in every browser). */
  toJSON() {
    return { kind: this.kind, message: this.message };
  }
}

/** Nothing answers at the server address. */
export class ServerNotRunning extends ExtensionError {
  constructor(address) {
    super(ERROR_KINDS.SERVER_NOT_RUNNING, `The Context Cards server is not running at ${address}. Start it with "make run".`);
  }
}

/** The server wants a token and we have none, or a wrong one. */
export class NotPaired extends ExtensionError {
  constructor(serverMessage) {
    super(ERROR_KINDS.NOT_PAIRED, "This browser is not paired with the server yet. Enter the pairing code in the popup or the options.");
    this.serverMessage = serverMessage;
  }
}

/** The pairing code was wrong or had expired. */
export class BadPairingCode extends ExtensionError {
  constructor(serverMessage) {
    super(ERROR_KINDS.BAD_PAIRING_CODE, serverMessage || "That pairing code is wrong or has expired.");
  }
}

/** The server answered with an error of its own ({error: {code, message}}). */
export class ServerError extends ExtensionError {
  constructor(status, code, message) {
    super(ERROR_KINDS.SERVER_ERROR, message || `The server answered ${status}.`);
    this.status = status;
    this.code = code;
  }
}

/** A card id or route the server does not know. */
export class NotFound extends ExtensionError {
  constructor(message) {
    super(ERROR_KINDS.NOT_FOUND, message || "The server does not know this.");
  }
}

/** The server address in the options is not a loopback http address. */
export class BadAddress extends ExtensionError {
  constructor(address) {
    super(ERROR_KINDS.BAD_ADDRESS, `"${address}" is not a local server address; use http://127.0.0.1:PORT or http://localhost:PORT.`);
  }
}

/** The server has no pairing route yet (older server). */
export class PairingUnavailable extends ExtensionError {
  constructor() {
    super(ERROR_KINDS.PAIRING_UNAVAILABLE, "This server does not offer pairing; no code is needed.");
  }
}

/** A message (or a request built from one) that makes no sense: a missing id, an unknown format. */
export class BadMessage extends ExtensionError {
  constructor(message) {
    super(ERROR_KINDS.BAD_MESSAGE, message);
  }
}

/** The message-safe form of any error: expected ones keep their kind, others become "internal". */
export function errorToMessage(error) {
  if (error instanceof ExtensionError) return error.toJSON();
  return { kind: "internal", message: String(error?.message ?? error) };
}

/** An extension page's question to the service worker: the answer's data, or an ExtensionError in plain words. */
export async function askBackground(send, message, fallback) {
  let answer;
  try {
    answer = await send(message);
  } catch {
    throw new ExtensionError("no-background", "The extension's background is not answering; reload this page.");
  }
  if (answer?.ok) return answer.data ?? answer.settings;
  throw new ExtensionError(answer?.error?.kind ?? "unknown", answer?.error?.message ?? fallback);
}
