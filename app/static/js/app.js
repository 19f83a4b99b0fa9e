/* The little behaviour the pages need; everything works without it, only less smoothly.
   - a warning before the idle session ends, with a "continue" that keeps it alive;
   - drafts of long forms kept in this browser (localStorage) until they are saved;
   - confirmation for destructive buttons; selects that submit their form. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";

  /* session expiry */
  var body = document.body;
  var idle = parseInt(body.dataset.idleSeconds || "0", 10);
  var pingUrl = body.dataset.pingUrl;
  if (idle && pingUrl) {
    var warning = document.querySelector(".session-warning");
    var countdown = warning && warning.querySelector("[data-countdown]");
    var deadline = Date.now() + idle * 1000;
    var warnBefore = Math.min(300, idle / 2) * 1000;
    /* every request the page itself makes keeps the server session alive: so does the countdown */
    var activity = function () { deadline = Date.now() + idle * 1000; if (warning) warning.hidden = true; };
    var realFetch = window.fetch;
    window.fetch = function () { activity(); return realFetch.apply(this, arguments); };
    var realSend = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function () { activity(); return realSend.apply(this, arguments); };
    var tick = function () {
      var left = deadline - Date.now();
      if (left <= 0) {
        saveDrafts();
        window.location.href = body.dataset.loginUrl + "?next=" + encodeURIComponent(location.pathname + location.search);
        return;
      }
      if (left <= warnBefore && warning) {
        warning.hidden = false;
        var s = Math.ceil(left / 1000);
        countdown.textContent = Math.floor(s / 60) + ":" + String(s % 60).padStart(2, "0");
      }
      setTimeout(tick, 1000);
    };
    setTimeout(tick, 1000);
    var keep = warning && warning.querySelector("[data-keep-alive]");
    if (keep) keep.addEventListener("click", function () {
      fetch(pingUrl, {method: "POST", headers: {"X-CSRFToken": csrf}, credentials: "same-origin"})
        .then(function (r) { if (!r.ok) window.location.href = body.dataset.loginUrl; });
    });
  }

  /* drafts kept in the browser: forms with data-autosave="<key>" */
  var drafts = document.querySelectorAll("form[data-autosave]");
  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrf_token" && el.type !== "file" && el.type !== "password" && el.type !== "submit";
    });
  }
  function snapshot(form) {
    var data = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") { if (el.checked) data[el.name] = el.value; }
      else data[el.name] = el.value;
    });
    return data;
  }
  function saveDrafts() {
    drafts.forEach(function (form) {
      // only what the person changed on this page, and not what is being saved on the server
      if (!form.dataset.dirty || form.dataset.submitted) return;
      try { localStorage.setItem("draft:" + form.dataset.autosave, JSON.stringify({at: Date.now(), data: snapshot(form)})); } catch (e) {}
    });
  }
  drafts.forEach(function (form) {
    var key = "draft:" + form.dataset.autosave;
    if (form.dataset.autosaveClear !== undefined) { localStorage.removeItem(key); }
    var stored = null;
    try { stored = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) {}
    var current = JSON.stringify(snapshot(form));
    if (stored && JSON.stringify(stored.data) !== current) {
      var note = document.createElement("div");
      note.className = "flash flash-info";
      note.setAttribute("role", "status");
      note.innerHTML = "";
      var text = document.createElement("span");
      text.textContent = form.dataset.restoreText + " ";
      var restore = document.createElement("button");
      restore.type = "button"; restore.className = "button small"; restore.textContent = form.dataset.restoreLabel;
      var discard = document.createElement("button");
      discard.type = "button"; discard.className = "button small"; discard.textContent = form.dataset.discardLabel;
      note.appendChild(text); note.appendChild(restore); note.appendChild(document.createTextNode(" ")); note.appendChild(discard);
      form.parentNode.insertBefore(note, form);
      restore.addEventListener("click", function () {
        fieldsOf(form).forEach(function (el) {
          if (!(el.name in stored.data)) return;
          if (el.type === "radio" || el.type === "checkbox") el.checked = stored.data[el.name] === el.value;
          else el.value = stored.data[el.name];
          el.dispatchEvent(new Event("change", {bubbles: true}));
        });
        note.remove();
      });
      discard.addEventListener("click", function () { localStorage.removeItem(key); note.remove(); });
    }
    var timer = null;
    form.addEventListener("submit", function () {
      clearTimeout(timer);
      form.dataset.submitted = "1";
      localStorage.removeItem(key);  // if the server refuses it, the page comes back with the values
    });
    var changed = function () { form.dataset.dirty = "1"; clearTimeout(timer); timer = setTimeout(saveDrafts, 500); };
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);
  });
  window.addEventListener("beforeunload", saveDrafts);

  /* confirmations and auto-submitting selects */
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) event.preventDefault();
  });
  /* long filter forms fold away on phones unless a filter is in use */
  if (window.matchMedia("(max-width: 40rem)").matches) {
    document.querySelectorAll("details[data-collapse-on-phone]:not([data-active])").forEach(function (d) { d.open = false; });
  }
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  window.CE = {csrf: csrf};
})();
