// A stand-in for the `chrome` object, as much as background/browser-api.js uses, recording what it is asked.

export function fakeChrome({ stored = {}, extensionOrigin = "chrome-extension://pokcfipdlbjicehphfgigidkolofbfja/" } = {}) {
  const state = { stored: { ...stored }, badges: {}, sentToTabs: [], createdTabs: [], messageListener: null, storageListeners: [], tabs: [1, 2] };
  const chrome = {
    runtime: {
      id: "pokcfipdlbjicehphfgigidkolofbfja",
      getURL: (path) => extensionOrigin + path,
      onMessage: { addListener: (listener) => (state.messageListener = listener) },
      sendMessage: async () => ({ ok: true }),
      openOptionsPage: async () => {},
    },
    storage: {
      local: {
        async get(defaults) {
          return { ...structuredClone(defaults), ...structuredClone(state.stored) };
        },
        async set(values) {
          const changes = {};
          for (const [key, value] of Object.entries(values)) {
            changes[key] = { oldValue: state.stored[key], newValue: value };
            state.stored[key] = structuredClone(value);
          }
          for (const listener of state.storageListeners) listener(changes, "local");
        },
      },
      onChanged: { addListener: (listener) => state.storageListeners.push(listener) },
    },
    tabs: {
      query: async () => state.tabs.map((id) => ({ id })),
      sendMessage: async (tabId, message) => {
        state.sentToTabs.push({ tabId, message });
        return { ok: true };
      },
      create: async (options) => {
        state.createdTabs.push(options);
        return { id: 100 + state.createdTabs.length, ...options };
      },
    },
    action: {
      setBadgeText: async ({ tabId, text }) => ((state.badges[tabId] ??= {}).text = text),
      setBadgeBackgroundColor: async ({ tabId, color }) => ((state.badges[tabId] ??= {}).color = color),
      setTitle: async ({ tabId, title }) => ((state.badges[tabId] ??= {}).title = title),
    },
  };
  /** Deliver a runtime message as the browser would, resolving to the answer. */
  state.send = (message, sender) =>
    new Promise((resolve) => {
      const keepOpen = state.messageListener(message, sender, resolve);
      if (keepOpen !== true) resolve(undefined);
    });
  return { chrome, state };
}

/** A fetch that answers from a table of handlers: (url, init) → {status, body}. */
export function fakeFetch(handler) {
  const calls = [];
  const fetch = async (url, init = {}) => {
    calls.push({ url, init, body: init.body ? JSON.parse(init.body) : undefined });
    const answer = await handler(url, init);
    if (answer instanceof Error) throw answer;
    return new Response(answer.body === undefined ? "" : JSON.stringify(answer.body), {
      status: answer.status || 200,
      headers: { "Content-Type": "application/json", ...answer.headers },
    });
  };
  return { fetch, calls };
}
