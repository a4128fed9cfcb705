// A hostile page's attempts on the Context Cards server named by ?server=: it has no token, so it tries what
// a page can do without one (fetch, no-cors fetch, images, scripts, frames, forms). Each attempt records what
// the page itself could observe, in window.__attempts; window.__done is set when all have settled.
(function () {
  "use strict";
  const params = new URLSearchParams(location.search);
  const server = params.get("server");
  // The id of a saved page, which anyone who guesses its address can compute (a hash of the URL).
  const victim = params.get("victim") || "p0000000000000000";
  const attempts = (window.__attempts = []);
  const TIMEOUT_MS = 4000;

  function record(name, observed) {
    attempts.push({ name, ...observed });
  }

  /** What a fetch let the page see: its type, status, headers and body, or the error. */
  async function tryFetch(name, path, init) {
    try {
      const response = await fetch(server + path, init);
      let body = "";
      try {
        body = await response.text();
      } catch (error) {
        body = `(unreadable: ${error.name})`;
      }
      record(name, { kind: "fetch", outcome: "response", type: response.type, status: response.status,
                     headers: [...response.headers].map((h) => h.join(": ")).join("\n"), body });
    } catch (error) {
      record(name, { kind: "fetch", outcome: "rejected", error: `${error.name}: ${error.message}` });
    }
  }

  /** An element that loads a URL (img, script): onload or onerror, and for an image its size. */
  function tryElement(name, tag, path) {
    return new Promise((resolve) => {
      const node = document.createElement(tag);
      const done = (outcome) => {
        record(name, { kind: tag, outcome, width: node.naturalWidth || 0, height: node.naturalHeight || 0 });
        resolve();
      };
      node.onload = () => done("load");
      node.onerror = () => done("error");
      setTimeout(() => done("timeout"), TIMEOUT_MS);
      node.src = server + path;
      document.body.append(node);
    });
  }

  /** A frame, or a form posted into one: once it loads, try to read what it shows. */
  function tryFrame(name, submit) {
    return new Promise((resolve) => {
      const frame = document.createElement("iframe");
      frame.name = `frame-${attempts.length}-${Math.random().toString(36).slice(2)}`;
      let settled = false;
      const done = (outcome) => {
        if (settled) return;
        settled = true;
        let read;
        try {
          read = frame.contentDocument ? `read: ${frame.contentDocument.documentElement.outerHTML}` : "contentDocument is null";
        } catch (error) {
          read = `threw ${error.name}`;
        }
        try {
          read += ` / ${String(frame.contentWindow.document.body.innerText)}`;
        } catch (error) {
          read += ` / contentWindow.document threw ${error.name}`;
        }
        record(name, { kind: "frame", outcome, read });
        resolve();
      };
      frame.addEventListener("load", () => {
        if (frame.dataset.started) done("load");
      });
      setTimeout(() => done("timeout"), TIMEOUT_MS);
      document.getElementById("forms").append(frame);
      frame.dataset.started = "1";
      submit(frame);
    });
  }

  function form(target, method, path, enctype, fields) {
    const node = document.createElement("form");
    node.method = method;
    node.action = server + path;
    node.enctype = enctype;
    node.target = target.name;
    for (const [key, value] of Object.entries(fields)) {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = key;
      input.value = value;
      node.append(input);
    }
    document.getElementById("forms").append(node);
    node.submit();
  }

  /** text/plain forms send "name=value": a name ending in '"' and a value starting with '"}' make JSON-looking bodies. */
  function jsonish(object) {
    const text = JSON.stringify({ ...object, pad: "" });
    return { [text.slice(0, -2)]: '"}' };
  }

  const json = { "Content-Type": "application/json" };
  const text = { "Content-Type": "text/plain" };
  const hostilePage = { url: "https://evil.example/planted", title: "planted by a hostile page",
                        blocks: [{ id: "b1", text: "Nvidia and Huawei and TSMC." }] };
  const mute = { card: "nvidia", action: "mute" };
  const rules = { site_rules: { "evil.example": "always" } };
  const guess = { code: "AAAA-BBBB" };

  async function run() {
    const fetches = [
      ["fetch GET /v1/history", "/v1/history", {}],
      ["fetch GET /v1/history/export?format=json", "/v1/history/export?format=json", {}],
      ["fetch GET /v1/settings", "/v1/settings", {}],
      ["fetch GET /v1/history with credentials", "/v1/history", { credentials: "include" }],
      ["fetch POST /v1/annotate JSON", "/v1/annotate", { method: "POST", headers: json, body: JSON.stringify(hostilePage) }],
      ["fetch POST /v1/annotate text/plain", "/v1/annotate", { method: "POST", headers: text, body: JSON.stringify(hostilePage) }],
      ["fetch POST /v1/feedback JSON", "/v1/feedback", { method: "POST", headers: json, body: JSON.stringify(mute) }],
      ["fetch POST /v1/feedback text/plain", "/v1/feedback", { method: "POST", headers: text, body: JSON.stringify(mute) }],
      ["fetch POST /v1/settings text/plain", "/v1/settings", { method: "POST", headers: text, body: JSON.stringify(rules) }],
      ["fetch DELETE /v1/history", "/v1/history?confirm=yes", { method: "DELETE" }],
      ["fetch DELETE /v1/history/<id>", `/v1/history/${victim}`, { method: "DELETE" }],
      ["fetch GET /v1/history/<id>", `/v1/history/${victim}`, {}],
      ["fetch POST /v1/pair JSON", "/v1/pair", { method: "POST", headers: json, body: JSON.stringify(guess) }],
      ["no-cors GET /v1/history", "/v1/history", { mode: "no-cors" }],
      ["no-cors GET /v1/history/export?format=json", "/v1/history/export?format=json", { mode: "no-cors" }],
      ["no-cors POST /v1/annotate text/plain", "/v1/annotate", { mode: "no-cors", method: "POST", headers: text, body: JSON.stringify(hostilePage) }],
      ["no-cors POST /v1/feedback text/plain", "/v1/feedback", { mode: "no-cors", method: "POST", headers: text, body: JSON.stringify(mute) }],
      ["no-cors POST /v1/settings text/plain", "/v1/settings", { mode: "no-cors", method: "POST", headers: text, body: JSON.stringify(rules) }],
      // More wrong guesses than the code allows (5): if one reached the exchange, the reader's code would be burned.
      ...[1, 2, 3, 4, 5, 6].map((n) => [`no-cors POST /v1/pair text/plain #${n}`, "/v1/pair",
        { mode: "no-cors", method: "POST", headers: text, body: JSON.stringify({ code: `AAAA-BBB${n}` }) }]),
      ["no-cors DELETE /v1/history", "/v1/history?confirm=yes", { mode: "no-cors", method: "DELETE" }],
      ["no-cors GET /v1/history/<id>", `/v1/history/${victim}`, { mode: "no-cors" }],
    ];
    const elements = [
      ["img /v1/history", "img", "/v1/history"],
      ["img /v1/history/export?format=json", "img", "/v1/history/export?format=json"],
      // Were one to load and the other fail, the page would learn whether the reader saved that address.
      ["img /v1/history/<id>", "img", `/v1/history/${victim}`],
      ["img /v1/history/<no such id>", "img", "/v1/history/p0000000000000000"],
      ["script /v1/history", "script", "/v1/history"],
      ["script /v1/history/export?format=json", "script", "/v1/history/export?format=json"],
      ["script /v1/history/export?format=csv", "script", "/v1/history/export?format=csv"],
    ];
    const forms = [
      ["form urlencoded POST /v1/annotate", "/v1/annotate", "application/x-www-form-urlencoded", { url: hostilePage.url, title: hostilePage.title, text: "Nvidia" }],
      ["form text/plain POST /v1/annotate", "/v1/annotate", "text/plain", jsonish(hostilePage)],
      ["form urlencoded POST /v1/feedback", "/v1/feedback", "application/x-www-form-urlencoded", mute],
      ["form text/plain POST /v1/feedback", "/v1/feedback", "text/plain", jsonish(mute)],
      ["form text/plain POST /v1/settings", "/v1/settings", "text/plain", jsonish(rules)],
      ["form urlencoded POST /v1/history?confirm=yes", "/v1/history?confirm=yes", "application/x-www-form-urlencoded", { _method: "DELETE" }],
      ["form urlencoded POST /v1/history/<id>", `/v1/history/${victim}`, "application/x-www-form-urlencoded", { _method: "DELETE" }],
      ["form text/plain POST /v1/pair", "/v1/pair", "text/plain", jsonish(guess)],
    ];
    await Promise.all([
      ...fetches.map(([name, path, init]) => tryFetch(name, path, init)),
      ...elements.map(([name, tag, path]) => tryElement(name, tag, path)),
      tryFrame("iframe GET /v1/history", (frame) => { frame.src = `${server}/v1/history`; }),
      ...forms.map(([name, path, enctype, fields]) => tryFrame(name, (frame) => form(frame, "POST", path, enctype, fields))),
    ]);
    document.getElementById("status").textContent = `Tried ${attempts.length} ways.`;
    window.__done = true;
  }

  window.addEventListener("error", (event) => record("window error", { kind: "window", outcome: String(event.message) }));
  run();
})();
