/* Anlaufstelle assistant widget. A network puts this on its own website:
     <script src="https://<anlaufstelle>/n/<network>/assistent/widget.js" defer></script>
   It adds a button that opens the assistant in an iframe from the Anlaufstelle site.
   Only our own code: it loads nothing else, sets no cookies, reads nothing of the page.
   The assistant page allows framing only by the origins the network has configured. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var src = script.src.replace(/widget\.js(\?.*)?$/, "?eingebettet=1");
  var lang = (document.documentElement.lang || "de").slice(0, 2) === "en" ? "en" : "de";
  var label = lang === "en" ? "Ask the assistant" : "Fragen Sie den Assistenten";
  var closeLabel = lang === "en" ? "Close assistant" : "Assistenten schließen";

  var box = document.createElement("div");
  box.className = "anlaufstelle-widget";
  box.style.cssText = "position:fixed;right:1rem;bottom:1rem;z-index:2147483000;" +
    "display:flex;flex-direction:column;align-items:flex-end;gap:.5rem;font:inherit;";

  var frame = document.createElement("iframe");
  frame.title = label;
  frame.hidden = true;
  frame.id = "anlaufstelle-assistant-frame";
  frame.style.cssText = "width:min(26rem,calc(100vw - 2rem));height:min(40rem,calc(100vh - 6rem));" +
    "border:1px solid #333;border-radius:.5rem;background:#fff;";

  var button = document.createElement("button");
  button.type = "button";
  button.textContent = label;
  button.setAttribute("aria-expanded", "false");
  button.setAttribute("aria-controls", frame.id);
  button.style.cssText = "padding:.75rem 1rem;border:2px solid #fff;border-radius:.5rem;" +
    "background:#0b3d91;color:#fff;font:inherit;font-weight:600;cursor:pointer;";

  button.addEventListener("click", function () {
    var open = frame.hidden;
    if (open && !frame.src) frame.src = src;
    frame.hidden = !open;
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? closeLabel : label;
    if (open) frame.focus();
  });

  box.appendChild(frame);
  box.appendChild(button);
  function mount() { document.body.appendChild(box); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
