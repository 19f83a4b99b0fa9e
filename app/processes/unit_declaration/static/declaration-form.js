/* The declaration form: show the fields the chosen learning form needs (学习形式).
   Without this script every field shows; the server decides what is required either way. */
(function () {
  "use strict";
  var form = document.getElementById("declaration-form");
  if (!form) return;
  var select = form.querySelector("[data-learning-form]");
  var show = function () {
    form.querySelectorAll("[data-needed-by]").forEach(function (box) {
      var needed = box.dataset.neededBy.split(" ").indexOf(select.value) >= 0;
      var optional = box.dataset.field === "content";
      box.hidden = select.value !== "" && !needed && !optional;
    });
    form.querySelectorAll("[data-hint-for]").forEach(function (hint) {
      hint.hidden = hint.dataset.hintFor !== select.value;
    });
  };
  select.addEventListener("change", show);
  show();
})();
