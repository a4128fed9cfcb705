// Page-side probe for the browser tests, loaded in <head>: the page as it was at DOMContentLoaded (before any
// underline: the content script only changes the page after the server answers), layout shifts, long tasks,
// policy violations, and when underlines appeared.
(function () {
  "use strict";
  const probe = { html: null, nodes: [], heights: [], shifts: [], longTasks: [], violations: [], firstMarkAt: null, lastMarkAt: null };

  function textNodes() {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) out.push(node);
    return out;
  }

  probe.sameNodes = function () {
    const now = textNodes();
    return now.length === probe.nodes.length && now.every((node, i) => node === probe.nodes[i]);
  };

  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.shifts.push(entry.value);
  }).observe({ type: "layout-shift", buffered: true });
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) probe.longTasks.push({ start: entry.startTime, duration: entry.duration });
  }).observe({ type: "longtask", buffered: true });
  document.addEventListener("securitypolicyviolation", (event) => {
    probe.violations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sourceFile}:${event.lineNumber}`);
  });
  document.addEventListener("DOMContentLoaded", () => {
    probe.html = document.body.innerHTML;
    probe.nodes = textNodes();
    probe.heights = Array.from(document.querySelectorAll("p, li, h1, h2")).map((el) => el.getBoundingClientRect().height);
    new MutationObserver((records) => {
      for (const record of records) {
        for (const node of record.addedNodes) {
          if (node.nodeName !== "CC-MARK") continue;
          const now = performance.now();
          node.__ccAt = now; // when each underline appeared (the benchmark asks about those in the window)
          if (probe.firstMarkAt === null) probe.firstMarkAt = now;
          probe.lastMarkAt = now;
        }
      }
    }).observe(document.body, { childList: true, subtree: true });
  });
  window.__probe = probe;
})();
