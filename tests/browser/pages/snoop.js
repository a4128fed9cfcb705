// A page that wants the reader's history: everything its own scripts can see of the DOM, searched for a word.
// window.__snoop.find(word) answers where the word was found (an empty list when nowhere).
(function () {
  "use strict";
  const captured = []; // shadow roots the hooked attachShadow handed out
  const seenText = []; // text of every node added or changed since the page started
  const realAttach = Element.prototype.attachShadow;
  // Force every shadow root open and keep a reference: works on the page's own code, must not on the extension's.
  Element.prototype.attachShadow = function (init) {
    const root = realAttach.call(this, { ...(init || {}), mode: "open" });
    captured.push(root);
    return root;
  };

  function collect(node) {
    if (!node) return;
    seenText.push(node.nodeType === Node.ELEMENT_NODE ? node.outerHTML : String(node.textContent));
  }
  new MutationObserver((records) => {
    for (const record of records) {
      if (record.type === "characterData") collect(record.target);
      if (record.type === "attributes") seenText.push(`${record.attributeName}=${record.target.getAttribute(record.attributeName)}`);
      record.addedNodes.forEach(collect);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });

  /** Every open shadow root under a node, however deep. */
  function shadowRoots(root) {
    const found = [];
    const all = root.querySelectorAll("*");
    for (const element of all) {
      if (element.shadowRoot) found.push(element.shadowRoot, ...shadowRoots(element.shadowRoot));
    }
    return found;
  }

  function find(word) {
    const hits = [];
    const look = (where, text) => {
      if (String(text).includes(word)) hits.push(where);
    };
    look("document.body.innerText", document.body.innerText);
    look("document.documentElement.innerText", document.documentElement.innerText);
    look("document.documentElement.textContent", document.documentElement.textContent);
    look("document.documentElement.outerHTML", document.documentElement.outerHTML);
    look("document.title", document.title);
    for (const element of document.querySelectorAll("*")) {
      for (const attribute of element.attributes) look(`attribute ${attribute.name}`, attribute.value);
    }
    for (const [i, root] of shadowRoots(document).entries()) {
      look(`open shadowRoot ${i} innerHTML`, root.innerHTML);
      look(`open shadowRoot ${i} textContent`, root.textContent);
    }
    for (const [i, root] of captured.entries()) look(`captured shadowRoot ${i}`, root.innerHTML);
    const host = document.querySelector("cc-card-host");
    if (host) {
      look("card host textContent", host.textContent);
      look("card host innerHTML", host.innerHTML);
      if (host.shadowRoot) look("card host shadowRoot", host.shadowRoot.innerHTML);
    }
    for (const [i, text] of seenText.entries()) look(`mutation ${i}`, text);
    look("selection", String(window.getSelection()));
    look("activeElement", document.activeElement ? document.activeElement.outerHTML : "");
    return hits;
  }

  window.__snoop = {
    find,
    captured: () => captured.length,
    hostShadowRoot: () => Boolean(document.querySelector("cc-card-host") && document.querySelector("cc-card-host").shadowRoot),
    cardHostSeen: () => Boolean(document.querySelector("cc-card-host")),
  };
})();
