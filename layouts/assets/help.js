/* Tooltips of dropdowns. A dbc.Tooltip attaches to the element its target has when it mounts,
   and Dash's dropdown replaces its element as the page re-renders, so for dropdowns the text
   (from #help-tips data-tips, built by layouts/help.py) is put as the element's title on hover. */
(function () {
  "use strict";
  let tips = null;
  function load() {
    const holder = document.getElementById("help-tips");
    if (!holder || !holder.dataset.tips) return null;
    try { return JSON.parse(holder.dataset.tips); } catch (e) { return null; }
  }
  document.addEventListener("mouseover", function (event) {
    tips = tips || load();
    if (!tips || !event.target || !event.target.closest) return;
    const el = event.target.closest(".dash-dropdown[id]");
    if (el && tips[el.id] && !el.title) el.title = tips[el.id];
  }, true);
})();
