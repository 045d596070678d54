/* Presenter mode (rembuk stunting): keyboard, step navigation, overlay visibility, fullscreen.
   Served from assets/ (no CDN). The step lives in dcc.Store "present-step" (0 = closed, 1..5). */
(function () {
    "use strict";
    var LAST = 5;
    var OVERLAY = "present-overlay";
    var KEYS = {ArrowRight: "next", " ": "next", Spacebar: "next", PageDown: "next",
                ArrowLeft: "prev", PageUp: "prev", Escape: "exit", Esc: "exit"};
    // typing (inputs, the village picker) keeps its keys
    var TYPING = "input, textarea, select, [contenteditable], .dash-dropdown, .dash-dropdown-content";
    var enteredFullscreen = false;

    function isOpen() {
        var el = document.getElementById(OVERLAY);
        return !!el && el.classList.contains("is-open");
    }

    function send(action) {
        window.dash_clientside.set_props("present-key", {data: {action: action, t: Date.now()}});
    }

    document.addEventListener("keydown", function (event) {
        var action = KEYS[event.key];
        if (!action || !isOpen() || event.ctrlKey || event.altKey || event.metaKey) { return; }
        if (event.target && event.target.closest && event.target.closest(TYPING)) { return; }
        event.preventDefault();  // no page scroll, no second click on a focused button
        send(action);
    });

    // Esc in browser fullscreen is taken by the browser: leaving fullscreen leaves the presenter too
    document.addEventListener("fullscreenchange", function () {
        if (!document.fullscreenElement && enteredFullscreen) {
            enteredFullscreen = false;
            if (isOpen()) { send("exit"); }
        }
    });

    // The step title stays on one line and is never clipped: from the stylesheet's size, lower
    // it (to MIN_TITLE_PX at least) until the text fits the space the buttons leave.
    var TITLE = "present-title";
    var MIN_TITLE_PX = 18;
    function fitTitle() {
        var el = document.getElementById(TITLE);
        if (!el || !isOpen()) { return; }
        el.style.fontSize = "";
        var size = parseFloat(window.getComputedStyle(el).fontSize);
        while (el.scrollWidth > el.clientWidth + 1 && size > MIN_TITLE_PX) {
            size -= 1;
            el.style.fontSize = size + "px";
        }
        el.dataset.fitted = String(size);
    }
    function watchTitle() {
        var el = document.getElementById(TITLE), overlay = document.getElementById(OVERLAY);
        if (!el || !overlay) { return false; }
        new MutationObserver(fitTitle).observe(el, {childList: true, characterData: true, subtree: true});
        new MutationObserver(fitTitle).observe(overlay, {attributes: true, attributeFilter: ["class"]});
        return true;
    }
    if (!watchTitle()) {  // the layout arrives after this script: wait for the title element
        var waiting = new MutationObserver(function () { if (watchTitle()) { waiting.disconnect(); } });
        waiting.observe(document.documentElement, {childList: true, subtree: true});
    }
    window.addEventListener("resize", fitTitle);

    function fullscreen(on) {
        var root = document.documentElement;
        if (on && !document.fullscreenElement && document.fullscreenEnabled && root.requestFullscreen) {
            root.requestFullscreen().then(function () { enteredFullscreen = true; })
                .catch(function () { /* not allowed here (no user gesture, kiosk): overlay only */ });
        } else if (!on && document.fullscreenElement) {
            enteredFullscreen = false;
            document.exitFullscreen().catch(function () { /* already left */ });
        }
    }

    window.dash_clientside = Object.assign({}, window.dash_clientside, {
        lokusPresent: {
            navigate: function (_open, _prev, _next, _exit, key, step) {
                var trigger = (window.dash_clientside.callback_context.triggered[0] || {}).prop_id || "";
                var current = step || 0;
                var action = trigger.indexOf("present-key") === 0 ? (key || {}).action
                    : trigger.indexOf("present-open") === 0 ? "open"
                    : trigger.indexOf("present-prev") === 0 ? "prev"
                    : trigger.indexOf("present-next") === 0 ? "next" : "exit";
                if (action === "open") { return current || 1; }
                if (action === "exit") { return 0; }
                if (!current) { return window.dash_clientside.no_update; }
                return action === "next" ? Math.min(current + 1, LAST) : Math.max(current - 1, 1);
            },
            view: function (step) {
                var n = step || 0;
                document.body.classList.toggle("presenting", n > 0);
                fullscreen(n > 0);
                return ["present-overlay" + (n > 0 ? " is-open step-" + n : ""),
                        n > 0 ? n + " / " + LAST : "", n <= 1, n >= LAST];
            }
        }
    });
})();
