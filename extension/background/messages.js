// Every message the extension's parts exchange: plain objects discriminated by `type`.
// content/transport.js repeats the content-script names (classic scripts cannot import);
// tests/js/lint.test.mjs checks the two lists agree.

/** Content script → service worker. */
export const FROM_CONTENT = Object.freeze({
  HELLO: "hello", //            {url} → {ok, enabled, reason?, settings}
  ANNOTATE: "annotate", //      {payload: {url, title, lang, blocks}} → {ok, result} | {ok:false, error}
  CARD: "card", //              {id} → {ok, card} | {ok:false, error}
  PAGE_STATUS: "page-status", // {count, enabled} → {ok}
  FEEDBACK: "feedback", //      {body: {card, action: mute|unmute|correct|uncorrect, to?, term?}} → {ok, settings} | {ok:false, error}
  OPEN_HISTORY: "open-history", // {card} → {ok}: the history page's view of that card, in a new tab
});

/** Popup and options pages → service worker. */
export const FROM_PAGES = Object.freeze({
  SERVER_STATUS: "server-status", // {} → {ok, health} | {ok:false, error}
  SET_SITE: "set-site", //          {host, on} → {ok}
  PAIR: "pair", //                  {code} → {ok} | {ok:false, error}
  PAIRING_STATUS: "pairing-status", // {} → {ok, available, paired} | {ok:false, error}
  READER_SETTINGS: "reader-settings", // {} → {ok, settings: {muted, corrections, site_rules}} | {ok:false, error}
  SET_SITE_RULES: "set-site-rules", //  {rules: {site: rule | null}} → {ok, settings} | {ok:false, error}
  READER_FEEDBACK: "reader-feedback", // {body: {card, action, to?, term?, site?}} → {ok, settings} | {ok:false, error}
  // The history page's: each → {ok, data} | {ok:false, error}
  HISTORY_SEARCH: "history-search", //   {params} → data {pages, total, next_cursor}
  HISTORY_ENTITY: "history-entity", //   {card, params} → data {card, pages, total, next_cursor, weeks}
  HISTORY_DELETE: "history-delete", //   {id} → data {deleted}
  HISTORY_CLEAR: "history-clear", //     {} → data {deleted}
  HISTORY_EXPORT: "history-export", //   {format, params} → data {text, mimetype, filename}
  // The reader's own cards (the make-card page, the history page's names without a card): {ok, data} | {ok:false, error}
  CARD_CREATE: "card-create", //         {card: {title, kind, summary, aliases?, wikipedia?, facts?}} → data card
  CARD_SUGGEST: "card-suggest", //       {name} → data {wikipedia: on|off|paused, suggestions}
  NAMES_UNCARDED: "names-uncarded", //   {limit?} → data {names: [{name, label, pages, last_seen, sentence}]}
});

/** Service worker or popup → content script. */
export const TO_CONTENT = Object.freeze({
  SETTINGS_CHANGED: "settings-changed", // {} → content asks HELLO again
  GET_PAGE_STATUS: "get-page-status", //  {} → {host, count, enabled, reason?}
});

/** Expected failures, shown to the reader in plain words (see errors.js). */
export const ERROR_KINDS = Object.freeze({
  SERVER_NOT_RUNNING: "server-not-running",
  NOT_PAIRED: "not-paired",
  SERVER_ERROR: "server-error",
  BAD_ADDRESS: "bad-address",
  PAIRING_UNAVAILABLE: "pairing-unavailable",
  BAD_PAIRING_CODE: "bad-pairing-code",
  NOT_FOUND: "not-found",
  BAD_MESSAGE: "bad-message",
});
