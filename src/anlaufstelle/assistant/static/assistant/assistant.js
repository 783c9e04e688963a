/* The assistant panel: focus and announcements after htmx swaps, opening and closing the
   docked panel. Everything works without this file (plain form posts); it only keeps
   keyboard and screen-reader users in place when htmx swaps the panel. No inline code:
   the CSP allows scripts from this site only. */
(function () {
  "use strict";

  function focusInPanel() {
    var panel = document.getElementById("assistant-panel");
    if (!panel) return;
    var target = panel.querySelector("[data-assistant-focus]") || panel.querySelector("textarea");
    if (target) target.focus();
  }

  document.addEventListener("htmx:afterSwap", function (event) {
    var panel = document.getElementById("assistant-panel");
    if (panel && (event.detail.target === panel || panel.contains(event.detail.target) ||
        event.detail.target.id === "assistant-dock" || event.detail.target.id === "assistant-panel")) {
      focusInPanel();
    }
  });

  // Over the rate limit (429) or a server error htmx swaps nothing: say so in the panel.
  document.addEventListener("htmx:responseError", function (event) {
    var panel = document.getElementById("assistant-panel");
    if (!panel || !panel.contains(event.detail.elt)) return;
    var status = event.detail.xhr.status;
    var text = status === 429
      ? panel.getAttribute("data-too-many") || "Zu viele Nachrichten. Bitte warten Sie kurz."
      : panel.getAttribute("data-failed") || "Das hat nicht geklappt. Bitte versuchen Sie es noch einmal.";
    var box = panel.querySelector(".assistant-panel__alert");
    if (!box) {
      box = document.createElement("p");
      box.className = "kern-error assistant-panel__alert";
      box.setAttribute("role", "alert");
      panel.insertBefore(box, panel.querySelector(".assistant-compose"));
    }
    box.textContent = text;
  });

  document.addEventListener("click", function (event) {
    var close = event.target.closest && event.target.closest("[data-assistant-close]");
    if (!close) return;
    var dock = document.getElementById("assistant-dock");
    if (dock) dock.textContent = "";
    var opener = document.getElementById("assistant-open");
    if (opener) {
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    if (event.detail.elt.id === "assistant-open") {
      event.detail.elt.setAttribute("aria-expanded", "true");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var panel = document.getElementById("assistant-panel");
    if (panel && panel.classList.contains("assistant-panel--docked") && panel.contains(document.activeElement)) {
      var close = panel.querySelector("[data-assistant-close]");
      if (close) close.click();
    }
  });

  // Loaded on first use (loader.js): if the docked panel arrived before this script did,
  // put the focus where the swap handler above would have put it.
  var docked = document.querySelector("#assistant-dock #assistant-panel");
  if (docked && !docked.contains(document.activeElement)) focusInPanel();
})();
