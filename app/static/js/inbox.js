/* The inbox: a "select all" checkbox for the batch decision (the page works without it). */
(function () {
  "use strict";
  var form = document.getElementById("batch-form");
  var all = form && form.querySelector("[data-select-all]");
  if (!all) return;
  var boxes = form.querySelectorAll("[data-task-checkbox]");
  if (!boxes.length) return;
  form.querySelector("[data-select-all-wrap]").hidden = false;

  function sync() {
    var checked = Array.prototype.filter.call(boxes, function (box) { return box.checked; }).length;
    all.checked = checked === boxes.length;
    all.indeterminate = checked > 0 && checked < boxes.length;
  }
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    sync();
  });
  boxes.forEach(function (box) { box.addEventListener("change", sync); });
  sync();
})();
