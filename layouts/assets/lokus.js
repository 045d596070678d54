// Lokus: two small browser-side helpers (no dependencies, no network).
(function () {
  "use strict";

  // 1. The page is built on the server per request from its query (?lang=en&year=2020…),
  //    but Dash fetches the layout from /_dash-layout without that query: pass it along.
  var fetch0 = window.fetch;
  window.fetch = function (input, init) {
    if (typeof input === "string" && /_dash-layout$/.test(input) && window.location.search) {
      input = input + window.location.search;
    }
    return fetch0.call(this, input, init);
  };

  // 2. Dash 4 dropdowns name themselves by their value only (aria-labelledby): put the
  //    <label for=…> first, so a screen reader says "Tahun, 2021" and not only "2021".
  var queued = false;
  function nameDropdowns() {
    queued = false;
    document.querySelectorAll("button.dash-dropdown[id]").forEach(function (button) {
      var label = document.querySelector('label[for="' + CSS.escape(button.id) + '"]');
      if (!label) return;
      if (!label.id) label.id = button.id + "--label";
      var by = button.getAttribute("aria-labelledby") || "";
      if (by.split(" ").indexOf(label.id) === -1) {
        button.setAttribute("aria-labelledby", (label.id + " " + by).trim());
      }
    });
  }
  new MutationObserver(function () {
    if (!queued) { queued = true; window.requestAnimationFrame(nameDropdowns); }
  }).observe(document.documentElement, {childList: true, subtree: true});
})();
