/* Waiting room pages: a socket says "changed", the page fetches its fresh state at once.
 * Without a socket htmx polls the same fragment every 5 seconds (data-hx-trigger on the box). */
(function () {
  "use strict";
  var box = document.getElementById("live-state");
  if (!box || !("WebSocket" in window)) { return; }
  var live = false;
  var attempt = 0;

  function refresh() {
    fetch(box.getAttribute("data-hx-get"), { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { box.innerHTML = html; } })
      .catch(function () {});
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + location.host + box.dataset.socket);
    socket.onopen = function () { live = true; attempt = 0; box.setAttribute("data-live", "1"); refresh(); };
    socket.onmessage = function () { refresh(); };
    socket.onclose = function () {
      live = false;
      box.setAttribute("data-live", "0");
      attempt += 1;
      setTimeout(connect, Math.min(10000, 300 * Math.pow(2, attempt)));
    };
  }

  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (live && event.detail.elt === box) { event.preventDefault(); }
  });
  connect();
})();
