// The service worker's entry: registers the listeners and dispatches every message by its type.

import { showCount, showOff, showProblem } from "./badge.js";
import { addSelectionMenu, allTabIds, isExtensionPage, onMessage, onStorageChanged, openExtensionPageFrom, sendToTab } from "./browser-api.js";
import { ServerNotRunning, errorToMessage } from "./errors.js";
import { FROM_CONTENT, FROM_PAGES, TO_CONTENT } from "./messages.js";
import { ServerWatch } from "./recovery.js";
import { makeCardPath } from "../cards/cards-api.js";
import { clientFor } from "./server-client.js";
import { DEFAULTS, contentSettings, decideForPage, readSettings, siteRuleChanges, withSiteSwitched, writeSettings } from "./settings.js";

const MAX_TITLE_CHARS = 1000;

/** Where a content script's page is: its frame's URL without the fragment. */
function pageUrl(sender) {
  const url = new URL(sender.url ?? sender.tab?.url ?? "about:blank");
  url.hash = "";
  return url.href;
}

/** Refuse a message; the sender learns why. */
function refuse(kind, message) {
  return { ok: false, error: { kind, message } };
}

async function hello(sender) {
  const settings = await readSettings();
  const decision = decideForPage(pageUrl(sender), settings);
  if (!decision.enabled && decision.reason === "site-off") await showOff(sender.tab.id);
  return { ok: true, ...decision, settings: contentSettings(settings) };
}

async function annotate(message, sender) {
  const settings = await readSettings();
  const url = pageUrl(sender);
  if (!decideForPage(url, settings).enabled) return refuse("disabled", "Context Cards is off on this site.");
  const { title, lang, blocks } = message.payload ?? {};
  if (!Array.isArray(blocks)) return refuse("bad-message", "An annotate message needs blocks.");
  const payload = {
    url,
    title: String(title ?? "").slice(0, MAX_TITLE_CHARS),
    blocks,
    // Every mention: the page picks what to underline (first mentions outside headings, the density setting).
    mentions: "all",
    // For "New to me": servers that count pages per window answer seen_before.recent for this many days.
    seen_days: contentSettings(settings).familiar.days,
    // Private windows are never written to the history.
    save: !sender.tab.incognito,
  };
  if (typeof lang === "string" && lang) payload.lang = lang;
  try {
    const result = await clientFor(settings).annotate(payload);
    // Muted cards and corrections are applied by the server, which owns them.
    return { ok: true, result };
  } catch (error) {
    if (error instanceof ServerNotRunning) serverWatch.start();
    const reported = errorToMessage(error);
    await showProblem(sender.tab.id, reported.message);
    return { ok: false, error: reported };
  }
}

async function card(message) {
  try {
    return { ok: true, card: await clientFor(await readSettings()).card(String(message.id)) };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

async function pageStatus(message, sender) {
  if (message.enabled === false) await showOff(sender.tab.id);
  else await showCount(sender.tab.id, Number(message.count) || 0);
  return { ok: true };
}

// The card's two actions and their undo.
const FEEDBACK_ACTIONS = Object.freeze({ mute: "mute", unmute: "unmute", correct: "correct", uncorrect: "uncorrect" });
const MAX_FEEDBACK_TEXT = 200;

/** The site a page's feedback is for, as the server's rules name it: lower case, no leading www. */
function siteOf(url) {
  const host = new URL(url).hostname.toLowerCase().replace(/\.$/, "");
  return host.startsWith("www.") && host.length > 4 ? host.slice(4) : host;
}

/** Keep the local copy of the server's site rules (the only part the service worker decides with). */
async function cacheReaderSettings(settings) {
  if (settings && typeof settings.site_rules === "object" && settings.site_rules) await writeSettings({ siteRules: settings.site_rules });
  return settings;
}

/** Ask the server for the reader's settings and refresh the cache; quietly nothing when it cannot answer. */
async function syncReaderSettings() {
  try {
    await cacheReaderSettings(await clientFor(await readSettings()).readerSettings());
  } catch {
    // Not running or not paired yet: the cache stays as it was until the server answers.
  }
}

/**
 * The card's "not this" (correct to null, for this term on this page's site), "mute" (this card, everywhere), and
 * their undo. The site comes from the sender, never from the message.
 */
async function feedback(message, sender) {
  const { card: cardId, action, term } = message.body ?? {};
  if (typeof cardId !== "string" || !cardId || cardId.length > MAX_FEEDBACK_TEXT || !FEEDBACK_ACTIONS[action]) {
    return refuse("bad-message", "Feedback needs a card and the action mute, unmute, correct or uncorrect.");
  }
  if (typeof term !== "string" || !term.trim() || term.length > MAX_FEEDBACK_TEXT) return refuse("bad-message", "Feedback needs the mention's text.");
  const site = siteOf(pageUrl(sender));
  const bodies = {
    mute: { card: cardId, action, term },
    unmute: { card: cardId, action },
    correct: { card: cardId, action, to: null, term, site },
    uncorrect: { card: cardId, action, term, site },
  };
  return readerFeedback({ body: bodies[action] });
}

/** Any feedback the server takes (the options page removes mutes and corrections with it); the settings after. */
async function readerFeedback(message) {
  try {
    return { ok: true, settings: await cacheReaderSettings(await clientFor(await readSettings()).feedback(message.body)) };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

async function readerSettings() {
  try {
    return { ok: true, settings: await cacheReaderSettings(await clientFor(await readSettings()).readerSettings()) };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

/** Set or remove site rules on the server ({site: rule | null}); the settings after. */
async function setSiteRules(rules) {
  try {
    return { ok: true, settings: await cacheReaderSettings(await clientFor(await readSettings()).setSiteRules(rules)) };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

/** The history page's view of one card, in a new tab next to the page. */
async function openHistory(message, sender) {
  const cardId = message.card;
  if (typeof cardId !== "string" || !cardId || cardId.length > MAX_FEEDBACK_TEXT) return refuse("bad-message", "Open-history needs a card id.");
  await openExtensionPageFrom(sender.tab, `history/history.html?entity=${encodeURIComponent(cardId)}`);
  return { ok: true };
}

async function serverStatus() {
  try {
    return { ok: true, health: await clientFor(await readSettings()).health() };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

/** The popup's switch for this site: the new rule goes to the server, which owns site rules. */
async function setSite(message) {
  const settings = await readSettings();
  const siteRules = withSiteSwitched(settings.siteRules, String(message.host), Boolean(message.on), settings.enabledByDefault);
  const changes = siteRuleChanges(settings.siteRules, siteRules);
  return Object.keys(changes).length ? setSiteRules(changes) : { ok: true };
}

async function pair(message) {
  try {
    const answer = await clientFor(await readSettings()).pair(String(message.code ?? "").trim());
    if (typeof answer?.token !== "string" || !answer.token) return refuse("server-error", "The server did not return a token.");
    await writeSettings({ token: answer.token });
    await syncReaderSettings();
    return { ok: true };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

async function pairingStatus() {
  const settings = await readSettings();
  try {
    return { ok: true, available: await clientFor(settings).pairingAvailable(), paired: Boolean(settings.token) };
  } catch (error) {
    return { ok: false, paired: Boolean(settings.token), error: errorToMessage(error) };
  }
}

/** Ask the server something for an extension page: {ok, data} or {ok: false, error} in plain words. */
async function askServer(work) {
  try {
    return { ok: true, data: await work(clientFor(await readSettings())) };
  } catch (error) {
    return { ok: false, error: errorToMessage(error) };
  }
}

/** One dispatcher: content-script messages need a tab, page messages an extension page; the rest is refused. */
function dispatch(message, sender) {
  const type = message?.type;
  if (Object.values(FROM_CONTENT).includes(type) && !sender.tab?.id) return refuse("bad-sender", "This message needs a tab.");
  if (Object.values(FROM_PAGES).includes(type) && !isExtensionPage(sender)) return refuse("bad-sender", "Only the extension's pages may ask this.");
  switch (type) {
    case FROM_CONTENT.HELLO:
      return hello(sender);
    case FROM_CONTENT.ANNOTATE:
      return annotate(message, sender);
    case FROM_CONTENT.CARD:
      return card(message);
    case FROM_CONTENT.PAGE_STATUS:
      return pageStatus(message, sender);
    case FROM_CONTENT.FEEDBACK:
      return feedback(message, sender);
    case FROM_CONTENT.OPEN_HISTORY:
      return openHistory(message, sender);
    case FROM_PAGES.SERVER_STATUS:
      return serverStatus();
    case FROM_PAGES.SET_SITE:
      return setSite(message);
    case FROM_PAGES.PAIR:
      return pair(message);
    case FROM_PAGES.PAIRING_STATUS:
      return pairingStatus();
    case FROM_PAGES.READER_SETTINGS:
      return readerSettings();
    case FROM_PAGES.SET_SITE_RULES:
      return setSiteRules(message.rules ?? {});
    case FROM_PAGES.READER_FEEDBACK:
      return readerFeedback(message);
    case FROM_PAGES.HISTORY_SEARCH:
      return askServer((client) => client.searchHistory(message.params));
    case FROM_PAGES.HISTORY_ENTITY:
      return askServer((client) => client.entityPages(message.card, message.params));
    case FROM_PAGES.HISTORY_DELETE:
      return askServer((client) => client.deleteHistoryPage(message.id));
    case FROM_PAGES.HISTORY_CLEAR:
      return askServer((client) => client.clearHistory());
    case FROM_PAGES.HISTORY_EXPORT:
      return askServer((client) => client.exportHistory(message.format, message.params));
    case FROM_PAGES.CARD_CREATE:
      return askServer((client) => client.createCard(message.card));
    case FROM_PAGES.CARD_SUGGEST:
      return askServer((client) => client.cardSuggestions(message.name));
    case FROM_PAGES.NAMES_UNCARDED:
      return askServer((client) => client.uncardedNames(message.limit));
    default:
      return refuse("unknown-message", `Unknown message type ${JSON.stringify(type)}.`);
  }
}

/** Tell every tab's content script to ask again: pages that could not be annotated try once more. */
async function askTabsAgain() {
  const tabIds = await allTabIds();
  await Promise.all(tabIds.map((id) => sendToTab(id, { type: TO_CONTENT.SETTINGS_CHANGED })));
}

/** "Make a card for '…'" on a selection: the make-card page for that name, next to the page. */
async function makeCardFromSelection(selectionText, tab) {
  const name = selectionText.trim();
  if (name) await openExtensionPageFrom(tab, makeCardPath(name));
}

/** When a setting changes (a new token lets failed pages retry). */
async function broadcastSettingsChanged(changes) {
  if (Object.keys(changes).some((key) => key in DEFAULTS)) await askTabsAgain();
}

// While the server is down, /health is checked with backoff; when it answers, open tabs annotate themselves.
const serverWatch = new ServerWatch({
  isUp: async () => {
    await clientFor(await readSettings()).health();
    return true;
  },
  onBack: async () => {
    await syncReaderSettings();
    await askTabsAgain();
  },
});

onMessage(dispatch);
onStorageChanged(broadcastSettingsChanged);
syncReaderSettings();
addSelectionMenu("make-card", "Make a card for \u201c%s\u201d", makeCardFromSelection);
