// The toolbar badge of each tab: the number of cards on the page, "off", or "!" when the server cannot be used.

import { setBadge } from "./browser-api.js";

const COLORS = Object.freeze({ count: "#254e8c", off: "#6b7280", problem: "#b42318" });

/** Show how many cards the page holds (nothing at all for none). */
export function showCount(tabId, count) {
  const text = count > 0 ? String(Math.min(count, 999)) : "";
  const title = count === 1 ? "Context Cards: 1 card on this page" : `Context Cards: ${count} cards on this page`;
  return setBadge(tabId, { text, color: COLORS.count, title });
}

/** Show that Context Cards is off on this page. */
export function showOff(tabId) {
  return setBadge(tabId, { text: "off", color: COLORS.off, title: "Context Cards is off on this site" });
}

/** Show that the server could not be used, with the reason as the tooltip. */
export function showProblem(tabId, message) {
  return setBadge(tabId, { text: "!", color: COLORS.problem, title: `Context Cards: ${message}` });
}
