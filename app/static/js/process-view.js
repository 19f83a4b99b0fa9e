/* The process page's diagram: bpmn-js NavigatedViewer (drag to pan, Ctrl + wheel to zoom)
   with the current steps outlined and marked, and the completed ones tinted and ticked.
   The element ids come from <script type="application/json" id="process-state">; the
   diagram from the container's data-diagram-url; loading and the zoom buttons are diagram-marks.js's
   (loaded before this file). No inline script (the page CSP forbids it). */
(function () {
  "use strict";
  var container = document.getElementById("process-diagram");
  var stateBlock = document.getElementById("process-state");
  if (!container || !stateBlock || typeof window.BpmnJS !== "function" || !window.ceDiagramMarks) return;

  var state;
  try { state = JSON.parse(stateBlock.textContent || "{}"); } catch (e) { state = {}; }
  var current = state.current || [];
  var done = state.done || [];
  var marks = state.marks || {};

  function fail() {
    container.classList.add("diagram-failed");
    container.removeAttribute("role");
    container.textContent = container.dataset.errorText || "";
  }

  function badge(className, text) {
    var el = document.createElement("span");
    el.className = "diagram-badge " + className;
    el.setAttribute("aria-hidden", "true");
    el.textContent = text;
    return el;
  }

  var viewer = new window.BpmnJS({container: container});

  window.ceDiagramMarks.load(viewer, container.dataset.diagramUrl)
    .then(function () {
      var canvas = viewer.get("canvas");
      var overlays = viewer.get("overlays");
      var elements = viewer.get("elementRegistry");
      done.forEach(function (id) {
        if (!elements.get(id)) return;
        canvas.addMarker(id, "done");
        overlays.add(id, "state", {position: {bottom: 14, right: 14}, html: badge("badge-done", "✓")});
      });
      current.forEach(function (id) {
        if (!elements.get(id)) return;
        canvas.addMarker(id, "current");
        overlays.add(id, "state", {position: {top: -11, left: -6}, html: badge("badge-current", marks.current || "")});
      });
      window.ceDiagramMarks.zoomTools(document.querySelector("[data-diagram-tools]"), canvas);
      var refit = null;  // a rotated phone or a resized window: fit again once it settles
      window.addEventListener("resize", function () {
        clearTimeout(refit);
        refit = setTimeout(function () { canvas.resized(); canvas.zoom("fit-viewport", "auto"); }, 200);
      });
    })
    .catch(fail);
})();
