// The content side's one error class: an expected failure with a kind (see background/errors.js) and words for the reader.
(function (ns) {
  "use strict";
  if (ns.ContentError) return;

  class ContentError extends Error {
    constructor(kind, message) {
      super(message);
      this.name = "ContentError";
      this.kind = kind;
    }
  }

  ns.ContentError = ContentError;
})((globalThis.ContextCards = globalThis.ContextCards || {}));
