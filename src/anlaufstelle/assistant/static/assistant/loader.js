/* Loads the assistant's script (assistant.js, named in data-assistant-src) only when the
   docked panel is about to be used: the opener or the dock gets the focus or a pointer, or
   htmx starts the opener's request. A page that never opens the assistant evaluates these
   few lines and nothing more (Total Blocking Time on long pages, docs/performance.md).
   No inline code: the CSP allows scripts from this site only. */
(function () {
  "use strict";
  var me = document.currentScript;
  var src = me && me.getAttribute("data-assistant-src");
  var requested = false;

  function load() {
    if (requested || !src) return;
    requested = true;
    var script = document.createElement("script");
    script.src = src;
    document.head.appendChild(script);
  }

  function nearAssistant(event) {
    var target = event.target;
    if (target && target.closest && target.closest("#assistant-open, #assistant-dock")) load();
  }

  ["focusin", "pointerover", "pointerdown", "touchstart"].forEach(function (name) {
    document.addEventListener(name, nearAssistant, { passive: true });
  });

  // Safety net if the request starts before the script arrived: the state the full script
  // would set; assistant.js moves the focus into the panel once it runs.
  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "assistant-open") {
      event.detail.elt.setAttribute("aria-expanded", "true");
      load();
    }
  });
})();
