/* The claim form: show the chosen route's fields, ask the server for the suggested
   hours and the cap left, and upload proofs with a progress bar (drag and drop too).
   Without this script every route's fields show, and uploads post as a plain form. */
(function () {
  "use strict";
  var form = document.getElementById("claim-form");
  if (form) {
    var select = form.querySelector("[data-route-select]");
    var sets = form.querySelectorAll("fieldset[data-route]");
    var hint = form.querySelector("[data-suggestion]");
    var hoursInput = form.querySelector("[data-hours-requested]");
    var showRoute = function () {
      sets.forEach(function (set) {
        var on = set.dataset.route === select.value;
        set.hidden = !on;
        set.querySelectorAll("input, select").forEach(function (el) { el.disabled = !on; });
      });
      suggest();
    };
    var timer = null;
    var suggest = function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        var params = new URLSearchParams({route: select.value});
        if (form.dataset.claimId) params.set("claim_id", form.dataset.claimId);
        var set = form.querySelector('fieldset[data-route="' + select.value + '"]');
        var keys = {subjects_passed: "subjects_passed", seminar_level: "level", stated_hours: "stated_hours", days: "days",
                    research_level: "level", research_rank: "rank", journal: "journal", paper_rank: "rank",
                    count: "count", courses_passed: "courses_passed"};
        set.querySelectorAll("input, select").forEach(function (el) { if (keys[el.name] && el.value) params.set(keys[el.name], el.value); });
        fetch(form.dataset.suggestUrl + "?" + params, {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (data) {
            if (!data) return;
            var parts = [];
            if (data.suggested !== null) parts.push(hint.dataset.suggestedText.replace("{hours}", data.suggested.toFixed(1)));
            parts.push(hint.dataset.remainingText.replace("{hours}", data.remaining.toFixed(1)));
            hint.textContent = parts.join(" ");
            /* an empty field is saved as the suggestion: show it there */
            if (hoursInput) hoursInput.placeholder = data.suggested !== null ? data.suggested.toFixed(1) : "";
          });
      }, 250);
    };
    select.addEventListener("change", showRoute);
    form.addEventListener("input", function (event) { if (event.target.closest("fieldset[data-route]")) suggest(); });
    showRoute();
  }

  var upload = document.querySelector("form[data-upload]");
  if (!upload) return;
  var input = upload.querySelector('input[type="file"]');
  var zone = upload.querySelector("[data-dropzone]");
  var progress = upload.querySelector("[data-progress]");
  var status = upload.querySelector("[data-upload-status]");
  var list = document.querySelector("[data-file-list]");
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (event) { event.preventDefault(); zone.classList.add("dragover"); });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function () { zone.classList.remove("dragover"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (event.dataTransfer.files.length) { input.files = event.dataTransfer.files; }
  });
  function addToList(file) {
    var empty = list.querySelector("[data-empty]");
    if (empty) empty.remove();
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = file.url; link.target = "_blank"; link.rel = "noopener";
    link.textContent = file.description;
    var meta = document.createElement("span");
    meta.className = "muted wrap";
    meta.textContent = file.filename + " · " + file.size_kb + " KB";
    var remove = document.createElement("form");
    remove.method = "post"; remove.action = file.remove_url; remove.className = "inline";
    var token = document.createElement("input");
    token.type = "hidden"; token.name = "csrf_token"; token.value = upload.dataset.csrf;
    var button = document.createElement("button");
    button.type = "submit"; button.className = "button small danger";
    button.textContent = upload.dataset.removeLabel;
    button.dataset.confirm = upload.dataset.removeConfirm;
    remove.appendChild(token); remove.appendChild(button);
    item.appendChild(link); item.appendChild(document.createTextNode(" ")); item.appendChild(meta);
    item.appendChild(document.createTextNode(" ")); item.appendChild(remove);
    list.appendChild(item);
    status.textContent = "";
  }

  upload.addEventListener("submit", function (event) {
    event.preventDefault();
    status.textContent = "";
    var file = input.files[0];
    if (!file) { input.focus(); return; }
    if (file.size > parseInt(upload.dataset.maxBytes, 10)) { status.textContent = upload.dataset.tooBig; return; }
    if (parseInt(upload.dataset.count, 10) >= parseInt(upload.dataset.maxFiles, 10)) { status.textContent = upload.dataset.tooMany; return; }
    var xhr = new XMLHttpRequest();
    xhr.open("POST", upload.action);
    xhr.setRequestHeader("Accept", "application/json");
    xhr.setRequestHeader("X-CSRFToken", window.CE.csrf);
    progress.hidden = false; progress.value = 0;
    xhr.upload.addEventListener("progress", function (e) { if (e.lengthComputable) progress.value = Math.round(e.loaded / e.total * 100); });
    xhr.addEventListener("load", function () {
      progress.hidden = true;
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) {}
      if (xhr.status === 201 && body) {
        /* the file joins the list in place: what is typed in the claim form stays */
        addToList(body);
        upload.reset();
        upload.dataset.count = String(parseInt(upload.dataset.count, 10) + 1);
      } else {
        status.textContent = body && body.error ? body.error.message : upload.dataset.failed;
      }
    });
    xhr.addEventListener("error", function () { progress.hidden = true; status.textContent = upload.dataset.failed; });
    xhr.send(new FormData(upload));
  });
})();
