// The page's own code under `require-trusted-types-for 'script'`: HTML only through its one named policy.
(function () {
  "use strict";
  const policy = trustedTypes.createPolicy("page", { createHTML: (s) => s.replace(/</g, "&lt;") });
  document.getElementById("sink").innerHTML = policy.createHTML("Rendered through the page's policy.");
  try {
    document.createElement("div").innerHTML = "<b>raw string</b>";
    window.__rawStringAccepted = true;
  } catch (error) {
    window.__rawStringAccepted = false;
  }
})();
