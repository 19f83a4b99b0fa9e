/* The study clock's page side (app/courses): start a session, beat every HEARTBEAT_SECONDS with
   a sequence number, say "idle" after IDLE_SECONDS without interaction (and ask 点击继续学习),
   and stop when another window takes over (409 session_replaced). The server decides what counts. */
(function () {
  "use strict";
  var box = document.getElementById("study");
  if (!box) { return; }
  var csrf = (document.querySelector('meta[name="csrf-token"]') || {}).content || "";
  var beatMs = 1000 * parseInt(box.dataset.beatSeconds, 10);
  var idleMs = 1000 * parseInt(box.dataset.idleSeconds, 10);
  var session = null, seq = 0, timer = null, lastActive = Date.now(), stopped = false;
  var prompt = document.getElementById("prompt");

  function post(url, body) {
    return fetch(url, {method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf}, body: JSON.stringify(body || {})})
      .then(function (r) { return r.json().then(function (data) { return {status: r.status, data: data}; }); });
  }
  function show(which) {
    prompt.hidden = false;
    document.getElementById("prompt-idle").hidden = which !== "idle";
    document.getElementById("prompt-window").hidden = which !== "window";
    if (video && !video.paused) { video.pause(); }  // the clock has stopped: so does the lesson
  }
  function update(data) {
    document.getElementById("studied").textContent = Math.floor(data.studied_seconds / 60);
    document.getElementById("progress").textContent = data.progress;
    var m = document.getElementById("prompt-minutes");
    if (m) { m.textContent = Math.floor(data.studied_seconds / 60); }
  }
  function beat() {
    if (!session || stopped) { return; }
    var idle = Date.now() - lastActive >= idleMs;
    seq += 1;
    post(box.dataset.beat, {session: session, seq: seq, idle: idle}).then(function (r) {
      if (r.status === 200) {
        update(r.data);
        if (idle) { show("idle"); }
      } else if (r.status === 409 && r.data.error && r.data.error.code === "session_replaced") {
        stopped = true;
        show("window");
      }
    });
  }
  function start() {
    post(box.dataset.start).then(function (r) {
      if (r.status !== 200) { return; }
      session = r.data.session; seq = 0; stopped = false; lastActive = Date.now();
      prompt.hidden = true;
      update(r.data);
      if (timer) { clearInterval(timer); }
      timer = setInterval(beat, beatMs);
    });
  }
  ["mousemove", "keydown", "scroll", "click", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { if (prompt.hidden) { lastActive = Date.now(); } }, {passive: true});
  });
  var video = box.querySelector("video");
  if (video) { video.addEventListener("timeupdate", function () { if (!video.paused && prompt.hidden) { lastActive = Date.now(); } }); }
  document.getElementById("continue").addEventListener("click", function () {
    if (stopped) { start(); } else { lastActive = Date.now(); prompt.hidden = true; }
  });
  start();
}());
