/* The direct chat's live connection (progressive enhancement; the page works without it).
 *
 * With a socket open, messages arrive at once and the form sends over the socket; files
 * still go with the form (multipart POST). Without a socket (blocked, proxy without
 * WebSocket support, server restarting) htmx polls the thread every 5 seconds, and the
 * page reconnects with growing pauses; after a reconnect it fetches the thread once, so
 * nothing sent in between is missed. No inline script: the CSP allows none.
 */
(function () {
  "use strict";
  var thread = document.getElementById("chat-thread");
  if (!thread || !("WebSocket" in window)) { return; }
  var state = document.getElementById("chat-state");
  var alertBox = document.getElementById("chat-alert");
  var news = document.getElementById("chat-news");
  var form = document.getElementById("chat-form");
  var socket = null;
  var live = false;
  var attempt = 0;
  var pinger = null;

  function setLive(on) {
    live = on;
    document.documentElement.setAttribute("data-chat-live", on ? "1" : "0");
    if (state) { state.textContent = on ? state.dataset.live : state.dataset.offline; }
  }

  function showAlert(text) {
    if (!alertBox) { return; }
    alertBox.textContent = text || "";
    alertBox.hidden = !text;
  }

  function lastId() {
    var items = thread.querySelectorAll("[data-id]");
    return items.length ? parseInt(items[items.length - 1].getAttribute("data-id"), 10) : 0;
  }

  function markRead() {
    if (live && document.visibilityState === "visible" && lastId() > 0) {
      socket.send(JSON.stringify({ type: "read", up_to: lastId() }));
    }
  }

  function insert(id, html) {
    if (thread.querySelector('[data-id="' + id + '"]')) { return false; }
    var empty = thread.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
    thread.insertAdjacentHTML("beforeend", html);
    return true;
  }

  function catchUp() {
    fetch(thread.dataset.poll, { credentials: "same-origin", headers: { "HX-Request": "true" } })
      .then(function (r) { return r.ok ? r.text() : null; })
      .then(function (html) { if (html !== null) { thread.innerHTML = html; } })
      .catch(function () {});
  }

  function markReadUpTo(upTo) {
    thread.querySelectorAll("[data-mine]").forEach(function (li) {
      if (parseInt(li.getAttribute("data-id"), 10) <= upTo) {
        var label = li.querySelector(".chat-read");
        if (label) { label.textContent = label.dataset.readLabel; }
      }
    });
  }

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + thread.dataset.socket);
    socket.onopen = function () {
      attempt = 0;
      setLive(true);
      catchUp();
      markRead();
      pinger = setInterval(function () {
        if (live) { socket.send(JSON.stringify({ type: "ping" })); }
      }, 25000);
    };
    socket.onmessage = function (event) {
      var data;
      try { data = JSON.parse(event.data); } catch (e) { return; }
      if (data.type === "message") {
        if (insert(data.id, data.html) && !data.mine) {
          if (news) { news.textContent = thread.lastElementChild.textContent.trim(); }
          markRead();
        }
      } else if (data.type === "read") {
        markReadUpTo(data.up_to);
      } else if (data.type === "error") {
        showAlert(data.message);
        if (data.body && form && !form.elements.body.value) { form.elements.body.value = data.body; }
      }
    };
    socket.onclose = function (event) {
      setLive(false);
      clearInterval(pinger);
      if (event.code === 4404) { location.reload(); return; }
      attempt += 1;
      setTimeout(connect, Math.min(10000, 300 * Math.pow(2, attempt)));
    };
  }

  // While the socket is open, htmx's polling of the thread is not needed.
  document.body.addEventListener("htmx:beforeRequest", function (event) {
    if (live && event.detail.elt === thread) { event.preventDefault(); }
  });
  document.addEventListener("visibilitychange", markRead);

  if (form) {
    form.addEventListener("submit", function (event) {
      var file = form.elements.datei;
      if (!live || (file && file.files && file.files.length)) { return; } // the form posts
      var body = form.elements.body.value.trim();
      event.preventDefault();
      if (!body) { showAlert(form.dataset.empty || ""); return; }
      showAlert("");
      socket.send(JSON.stringify({ type: "send", body: body }));
      form.elements.body.value = "";
      form.elements.body.focus();
    });
  }

  setLive(false);
  connect();
})();
