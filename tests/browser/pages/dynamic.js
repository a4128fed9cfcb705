// Adds paragraphs later, as live blogs and infinite scroll do (DOM methods only).
(function () {
  "use strict";
  const live = document.getElementById("live");
  function add(id, text) {
    const p = document.createElement("p");
    p.id = id;
    p.textContent = text;
    live.append(p);
  }
  setTimeout(() => {
    add("later1", "Update: Nvidia said the H20 would need a licence under the new rules.");
    add("later2", "Huawei declined to comment on its Ascend plans.");
  }, 800);
  setTimeout(() => {
    const p = document.createElement("p");
    p.id = "later3";
    const b = document.createElement("b");
    b.textContent = "TSMC";
    p.append("Later still: ", b, " said its Chinese orders were falling, and DeepSeek released a new model.");
    live.append(p);
  }, 1600);
})();
