// Settings: one DEFAULTS object, read in one place, plus the rules that derive from them.

import { readStorage, writeStorage } from "./browser-api.js";
import { BadAddress } from "./errors.js";

export const DEFAULTS = Object.freeze({
  serverUrl: "http://127.0.0.1:8731", // the local server; only loopback addresses are accepted
  dwellMs: 400, //                       rest time before a card opens (Wikipedia's previews use a similar delay)
  mentions: "first", //                  "first": underline a card's first mention on a page; "all": every one
  density: "new", //                     underlines: "all", "new" (not the names met on `familiarPages` saved pages in
  //                                     `familiarDays` days) or "off"
  familiarPages: 10,
  familiarDays: 30,
  enabledByDefault: true, //             underline on every site unless a site rule says "never"
  siteRules: {}, //                      a cache of the server's site rules {site: "always" | "never"} (the server
  //                                     owns them, with mutes and corrections: GET/POST /v1/settings, /v1/feedback)
  token: "", //                          the pairing token; sent as a bearer token, never to content scripts
});

export const DWELL_RANGE = Object.freeze({ min: 100, max: 3000 });
export const DENSITIES = Object.freeze(["all", "new", "off"]);
export const FAMILIAR_RANGE = Object.freeze({ pages: { min: 1, max: 1000 }, days: { min: 1, max: 365 } });

function clampNumber(value, { min, max }, fallback) {
  const number = Math.round(Number(value));
  return Number.isFinite(number) ? Math.min(max, Math.max(min, number)) : fallback;
}

/** Every setting, with defaults for what was never saved. */
export function readSettings() {
  return readStorage(DEFAULTS);
}

/** Save some settings. */
export function writeSettings(values) {
  return writeStorage(values);
}

/** The server address as a URL origin, or BadAddress unless it is http on 127.0.0.1 or localhost. */
export function serverOrigin(address) {
  let url;
  try {
    url = new URL(address);
  } catch {
    throw new BadAddress(address);
  }
  // Page text must never leave the machine: only loopback, and only the hosts in host_permissions.
  if (url.protocol !== "http:" || !["127.0.0.1", "localhost"].includes(url.hostname)) {
    throw new BadAddress(address);
  }
  return url.origin;
}

/** The rule that applies to a hostname: an exact rule, else the nearest parent domain's, else null. */
export function siteRuleFor(hostname, siteRules) {
  const labels = hostname.toLowerCase().split(".");
  for (let i = 0; i < labels.length; i++) {
    const rule = siteRules[labels.slice(i).join(".")];
    if (rule === "always" || rule === "never") return rule;
  }
  return null;
}

/** Whether the extension underlines a page at this URL, and why not when it does not. */
export function decideForPage(pageUrl, settings) {
  let url;
  try {
    url = new URL(pageUrl);
  } catch {
    return { enabled: false, reason: "unsupported-page" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { enabled: false, reason: "unsupported-page" };
  // The server's own pages (the demo runs its own copy of the content script) are never annotated twice.
  try {
    if (url.origin === serverOrigin(settings.serverUrl)) return { enabled: false, reason: "server-page" };
  } catch {
    // A bad server address is reported when annotating; it does not make a page the server's.
  }
  const rule = siteRuleFor(url.hostname, settings.siteRules);
  if (rule === "never") return { enabled: false, reason: "site-off" };
  if (rule === "always" || settings.enabledByDefault) return { enabled: true };
  return { enabled: false, reason: "site-off" };
}

/** The site rules after the reader turns a site on or off from the popup (sent to the server, which owns them). */
export function withSiteSwitched(siteRules, hostname, on, enabledByDefault) {
  const rules = { ...siteRules };
  const host = hostname.toLowerCase();
  // Turning a site on where that is already the default removes the rule instead of adding "always".
  if (on) {
    if (enabledByDefault) delete rules[host];
    else rules[host] = "always";
    if (siteRuleFor(host, rules) === "never") rules[host] = "always";
  } else {
    rules[host] = "never";
  }
  return rules;
}

/**
 * What content scripts may know of the settings (never the token). `annotateKey` changes whenever
 * something that changes the underlines changes, so the page knows to annotate again.
 */
export function contentSettings(settings) {
  const dwell = Math.min(DWELL_RANGE.max, Math.max(DWELL_RANGE.min, Number(settings.dwellMs) || DEFAULTS.dwellMs));
  const mentions = settings.mentions === "all" ? "all" : "first";
  const density = DENSITIES.includes(settings.density) ? settings.density : DEFAULTS.density;
  const familiar = {
    pages: clampNumber(settings.familiarPages, FAMILIAR_RANGE.pages, DEFAULTS.familiarPages),
    days: clampNumber(settings.familiarDays, FAMILIAR_RANGE.days, DEFAULTS.familiarDays),
  };
  const annotateKey = JSON.stringify([mentions, density, familiar, settings.serverUrl]);
  return { dwellMs: dwell, mentions, density, familiar, annotateKey };
}

/** The rules that differ between two sets, as the server's POST /v1/settings takes them ({site: rule | null}). */
export function siteRuleChanges(before, after) {
  const changes = {};
  for (const site of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (before[site] !== after[site]) changes[site] = after[site] ?? null;
  }
  return changes;
}
