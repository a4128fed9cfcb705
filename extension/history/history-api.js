// The history page's side of its messages: one method per message to the service worker (the only part that talks
// to the server, through background/main.js's dispatcher), each resolving to the server's data.

import { askBackground } from "../background/errors.js";
import { FROM_PAGES } from "../background/messages.js";

export { EXPORT_FORMATS } from "../background/server-client.js";

/** The page's api: its methods send one message each and resolve to the data, or throw an ExtensionError. */
export function messagingApi(send) {
  const ask = (message) => askBackground(send, message, "The history could not be read.");
  return {
    search: (params) => ask({ type: FROM_PAGES.HISTORY_SEARCH, params }),
    entityPages: (card, params) => ask({ type: FROM_PAGES.HISTORY_ENTITY, card, params }),
    deletePage: (id) => ask({ type: FROM_PAGES.HISTORY_DELETE, id }),
    clearAll: () => ask({ type: FROM_PAGES.HISTORY_CLEAR }),
    exportHistory: (format, params) => ask({ type: FROM_PAGES.HISTORY_EXPORT, format, params }),
    feedback: (body) => ask({ type: FROM_PAGES.READER_FEEDBACK, body }),
  };
}
