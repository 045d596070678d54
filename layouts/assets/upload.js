// Upload wizard: stream each chosen data file to the server (POST /_lokus/unggah) with a
// progress bar, then tell Dash through the "upload-event" store. Files never become base64
// strings in the browser nor pass through a callback, so 200 MB exports stay responsive.
(function () {
  "use strict";
  var uploadId = null; // the server folder of this page's upload (random id from the server)

  function bar(input) {
    var box = document.getElementById(input.id + "-progress");
    return box ? {box: box, inner: box.querySelector(".progress-bar")} : null;
  }

  function show(progress, fraction, text, failed) {
    if (!progress) return;
    progress.box.classList.remove("d-none");
    progress.inner.style.width = Math.round(fraction * 100) + "%";
    progress.inner.textContent = text; // textContent: server messages are never parsed as HTML
    progress.inner.classList.toggle("bg-danger", !!failed);
    progress.inner.setAttribute("aria-valuenow", String(Math.round(fraction * 100)));
  }

  function send(input) {
    var file = input.files && input.files[0];
    if (!file) return;
    var progress = bar(input);
    var limit = Number(input.dataset.maxBytes || 0);
    if (limit && file.size > limit) {
      show(progress, 1, input.dataset.msgTooLarge.replace("%FILE%", file.name), true);
      input.value = "";
      return;
    }
    var query = "kind=" + encodeURIComponent(input.dataset.kind) +
      "&name=" + encodeURIComponent(file.name) + "&lang=" + (input.dataset.lang || "id") +
      (uploadId ? "&id=" + uploadId : "");
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/_lokus/unggah?" + query);
    xhr.upload.onprogress = function (e) {
      if (e.lengthComputable) {
        show(progress, e.loaded / e.total, Math.round(100 * e.loaded / e.total) + "%");
      }
    };
    xhr.onload = function () {
      var reply = {};
      try { reply = JSON.parse(xhr.responseText); } catch (err) { reply = {}; }
      if (xhr.status !== 200 || !reply.id) {
        show(progress, 1, reply.error || input.dataset.msgFailed.replace("%STATUS%", xhr.status), true);
        return;
      }
      uploadId = reply.id;
      show(progress, 1, "✓ " + reply.name);
      window.dash_clientside.set_props("upload-event",
        {data: {id: reply.id, kind: reply.kind, name: reply.name, at: Date.now()}});
      input.value = ""; // the same file may be chosen again after a fix
    };
    xhr.onerror = function () { show(progress, 1, input.dataset.msgBroken, true); };
    show(progress, 0, "0%");
    // raw bytes, never a form type: the server refuses those (a cross-site form could send them)
    xhr.setRequestHeader("Content-Type", "application/octet-stream");
    xhr.send(file);
  }

  // Dash has no file input component: fill each upload slot with a real <input type=file>
  // (keyboard reachable, labelled by the <label for=...> of the layout).
  function fillSlots() {
    var slots = document.querySelectorAll(".lokus-upload-slot");
    for (var i = 0; i < slots.length; i++) {
      var slot = slots[i];
      if (slot.querySelector("input")) continue;
      // the native input stays focusable (keyboard, screen readers) but is drawn as a
      // button in the page's language instead of the browser's "Choose File"
      var input = document.createElement("input");
      input.type = "file";
      input.id = slot.dataset.inputId;
      input.accept = slot.dataset.accept;
      input.className = "lokus-upload lokus-file-input";
      input.dataset.kind = slot.dataset.kind;
      input.dataset.maxBytes = slot.dataset.maxBytes;
      input.dataset.lang = slot.dataset.lang;
      input.dataset.msgTooLarge = slot.dataset.msgTooLarge;
      input.dataset.msgFailed = slot.dataset.msgFailed;
      input.dataset.msgBroken = slot.dataset.msgBroken;
      var button = document.createElement("label");
      button.htmlFor = input.id;
      button.className = "btn btn-outline-primary btn-sm w-100 text-truncate";
      button.textContent = slot.dataset.choose;
      slot.appendChild(input);
      slot.appendChild(button);
    }
  }
  var pending = false;
  new MutationObserver(function () {
    if (pending) return; // at most once a frame: the map changes the DOM often
    pending = true;
    window.requestAnimationFrame(function () { pending = false; fillSlots(); });
  }).observe(document.documentElement, {childList: true, subtree: true});

  document.addEventListener("change", function (e) {
    if (e.target && e.target.classList && e.target.classList.contains("lokus-upload")) {
      send(e.target);
    }
  });
})();
