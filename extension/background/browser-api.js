// The one seam to the browser: the only module that touches `chrome`/`browser`; every call returns a promise.

// Firefox exposes `browser` (promises everywhere) and also `chrome`; Chromium only `chrome`,
// whose MV3 APIs return promises too. Prefer `browser` so Firefox never goes through its shim.
const api = globalThis.browser ?? globalThis.chrome;

/** Read settings from local storage, filling in the given defaults. */
export function readStorage(defaults) {
  return api.storage.local.get(defaults);
}

/** Write some settings to local storage. */
export function writeStorage(values) {
  return api.storage.local.set(values);
}

/** Call `listener(changes)` whenever local storage changes. */
export function onStorageChanged(listener) {
  api.storage.onChanged.addListener((changes, area) => {
    if (area === "local") listener(changes);
  });
}

/**
 * Answer runtime messages with `handler(message, sender)`, which may return a promise.
 * Uses sendResponse + `return true`, which both Chromium and Firefox honour for async answers.
 */
export function onMessage(handler) {
  api.runtime.onMessage.addListener((message, sender, sendResponse) => {
    Promise.resolve()
      .then(() => handler(message, sender))
      .then(sendResponse, (error) => sendResponse({ ok: false, error: { kind: "internal", message: String(error?.message ?? error) } }));
    return true;
  });
}

/** Send a message to the extension's background (used by the popup and options pages). */
export function sendToBackground(message) {
  return api.runtime.sendMessage(message);
}

/** Send a message to the content script of one tab; resolves to null when no script listens there. */
export async function sendToTab(tabId, message) {
  try {
    return await api.tabs.sendMessage(tabId, message, { frameId: 0 });
  } catch {
    return null;
  }
}

/** Ids of every open tab (no "tabs" permission needed: ids only, never urls). */
export async function allTabIds() {
  const tabs = await api.tabs.query({});
  return tabs.map((tab) => tab.id).filter((id) => typeof id === "number");
}

/** The active tab of the current window, or null. */
export async function activeTab() {
  const [tab] = await api.tabs.query({ active: true, currentWindow: true });
  return tab ?? null;
}

/** Set the toolbar badge of one tab: its text, colour and tooltip. */
export async function setBadge(tabId, { text, color, title }) {
  try {
    await api.action.setBadgeText({ tabId, text });
    if (color) await api.action.setBadgeBackgroundColor({ tabId, color });
    if (title) await api.action.setTitle({ tabId, title });
  } catch {
    // The tab closed while we were answering it: nothing to show.
  }
}

/** Whether a message came from one of the extension's own pages (popup, options, history). */
export function isExtensionPage(sender) {
  return typeof sender?.url === "string" && sender.url.startsWith(api.runtime.getURL(""));
}

/** Open a page that ships with the extension in a new tab. */
export function openExtensionPage(path) {
  return api.tabs.create({ url: api.runtime.getURL(path) });
}

/** Open a page that ships with the extension in a new tab next to the tab that asked for it. */
export function openExtensionPageFrom(tab, path) {
  const options = { url: api.runtime.getURL(path) };
  // From a private window the page opens in a normal one (extension pages do not run in private windows).
  if (tab.incognito) return api.tabs.create(options);
  options.openerTabId = tab.id;
  if (typeof tab.index === "number") options.index = tab.index + 1;
  if (typeof tab.windowId === "number") options.windowId = tab.windowId;
  return api.tabs.create(options);
}

/** Open the options page. */
export function openOptions() {
  return api.runtime.openOptionsPage();
}

const menuHandlers = new Map();

/** Dispatch a context-menu click to the handler of its item, with the selected text and the tab. */
function menuClicked(info, tab) {
  const handler = menuHandlers.get(info?.menuItemId);
  if (handler && tab) return handler(String(info.selectionText ?? ""), tab);
  return undefined;
}

/**
 * A context-menu item on selected text ("%s" in the title is the selection); `onClick(selectionText, tab)`.
 * Needs the "contextMenus" permission. Called on every start of the service worker: menus persist
 * across restarts in Chromium, so the item is removed before it is made again (ids must be unique).
 */
export function addSelectionMenu(id, title, onClick) {
  const menus = api.contextMenus ?? api.menus;
  if (!menus) return;
  if (!menuHandlers.size) menus.onClicked.addListener(menuClicked);
  menuHandlers.set(id, onClick);
  Promise.resolve(menus.remove(id)).catch(() => {}).finally(() => {
    menus.create({ id, title, contexts: ["selection"] }, () => void api.runtime.lastError);
  });
}

// Automation cannot click a native context menu: the browser suite calls this with what the menu would pass.
globalThis.contextCardsMenuClicked = menuClicked;
