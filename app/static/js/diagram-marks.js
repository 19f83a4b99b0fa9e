/* Coloured marks on a BPMN diagram: a diff (added / removed / changed) or a simulation
   (end / reached / unreached / dead_end / loop / problem). Each mark is a canvas marker
   ("mark-<kind>", coloured and patterned by css/modeler.css) plus a badge with an icon, so
   that no mark relies on colour alone, and a list of the marked elements below the diagram.

   window.ceDiagramMarks.apply(diagram, marks, labels) is shared with the diagram editor
   (its bundle imports this file). On a page, every [data-marked-diagram] section (partial
   process_admin/_marked_diagram.html) gets a read-only NavigatedViewer (window.BpmnJS) with
   its marks; the section's <script type="application/json" data-marked-config> holds
   {xml_url, marks, labels}. No inline script (the page CSP forbids it). */
(function (root) {
  "use strict";
  if (root.ceDiagramMarks) return;  // loaded twice (the editor's bundle and this file on one page)
  var KINDS = ["added", "removed", "changed", "end", "reached", "unreached", "dead_end", "loop", "problem"];
  var ICONS = {added: "+", removed: "−", changed: "Δ", end: "■", reached: "✓", unreached: "∅",
               dead_end: "✕", loop: "↻", problem: "!"};

  function badge(kind, label) {
    var el = document.createElement("span");
    el.className = "mark-badge mark-badge-" + kind;
    el.textContent = ICONS[kind];
    el.title = label || kind;
    el.setAttribute("aria-hidden", "true");
    return el;
  }

  function elementName(element) {
    var bo = element.businessObject || {};
    return bo.name ? bo.name + " (" + element.id + ")" : element.id;
  }

  function clear(diagram) {
    var canvas = diagram.get("canvas");
    var state = diagram.__ceMarks || {};
    Object.keys(state).forEach(function (id) { canvas.removeMarker(id, "mark-" + state[id]); });
    diagram.get("overlays").remove({type: "ce-mark"});
    diagram.__ceMarks = {};
  }

  /* Mark the diagram's elements; returns [{id, kind, name}] of those drawn, in diagram order
     (ids the diagram does not have and unknown kinds are left out). */
  function apply(diagram, marks, labels) {
    clear(diagram);
    labels = labels || {};
    var canvas = diagram.get("canvas");
    var overlays = diagram.get("overlays");
    var registry = diagram.get("elementRegistry");
    var drawn = [];
    registry.forEach(function (element) {
      var kind = marks && Object.prototype.hasOwnProperty.call(marks, element.id) ? marks[element.id] : null;
      if (!kind || KINDS.indexOf(kind) < 0 || element.type === "label") return;
      canvas.addMarker(element.id, "mark-" + kind);
      var position = element.waypoints ? {top: -10, left: -10} : {top: -12, right: 12};
      overlays.add(element.id, "ce-mark", {position: position, html: badge(kind, labels[kind])});
      diagram.__ceMarks[element.id] = kind;
      drawn.push({id: element.id, kind: kind, name: elementName(element)});
    });
    return drawn;
  }

  /* Select and centre an element (the editor and the viewer both have "selection"). */
  function reveal(diagram, id) {
    var element = diagram.get("elementRegistry").get(id);
    if (!element) return false;
    var canvas = diagram.get("canvas");
    if (canvas.scrollToElement) canvas.scrollToElement(element, {top: 80, bottom: 80, left: 80, right: 80});
    try { diagram.get("selection").select(element); } catch (e) { /* a viewer without selection */ }
    return true;
  }

  /* Fill a <ul> with one button per marked element; a click reveals the element. */
  function list(container, diagram, drawn, labels) {
    container.textContent = "";
    drawn.forEach(function (item) {
      var li = document.createElement("li");
      var button = document.createElement("button");
      button.type = "button";
      button.className = "linklike mark-item";
      button.dataset.elementId = item.id;
      var icon = badge(item.kind, labels[item.kind]);
      button.appendChild(icon);
      button.appendChild(document.createTextNode(" " + item.name + " — " + (labels[item.kind] || item.kind)));
      button.addEventListener("click", function () { reveal(diagram, item.id); });
      li.appendChild(button);
      container.appendChild(li);
    });
  }

  /* Show the [data-diagram-tools] buttons (data-zoom="in" | "out" | "fit") and make them work. */
  function zoomTools(tools, canvas) {
    if (!tools) return;
    tools.hidden = false;
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("[data-zoom]");
      if (!button) return;
      var how = button.dataset.zoom;
      if (how === "fit") canvas.zoom("fit-viewport", "auto");
      else canvas.zoom(canvas.zoom() * (how === "in" ? 1.25 : 0.8), "auto");
    });
  }

  /* Fetch the diagram at url into a viewer and fit it to the viewport; resolves once drawn. */
  function load(viewer, url) {
    return fetch(url, {credentials: "same-origin", headers: {Accept: "application/xml"}})
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (xml) { return viewer.importXML(xml); })
      .then(function () { viewer.get("canvas").zoom("fit-viewport", "auto"); });
  }

  function showViewer(section) {
    var container = section.querySelector("[data-diagram-canvas]");
    var block = section.querySelector("script[data-marked-config]");
    if (!container || !block) return;
    var config;
    try { config = JSON.parse(block.textContent || "{}"); } catch (e) { config = {}; }
    var labels = config.labels || {};
    var viewer = new root.BpmnJS({container: container});
    section.ceViewer = viewer;
    load(viewer, config.xml_url)
      .then(function () {
        var canvas = viewer.get("canvas");
        var drawn = apply(viewer, config.marks || {}, labels);
        var target = section.querySelector("[data-marked-list]");
        if (target) list(target, viewer, drawn, labels);
        zoomTools(section.querySelector("[data-diagram-tools]"), canvas);
        section.classList.add("marked-ready");
      })
      .catch(function () {
        container.classList.add("diagram-failed");
        container.textContent = container.dataset.errorText || "";
      });
  }

  root.ceDiagramMarks = {KINDS: KINDS, ICONS: ICONS, apply: apply, clear: clear, reveal: reveal, list: list,
                         load: load, zoomTools: zoomTools};

  // the legends' badges take their icon from here (one list of icons)
  Array.prototype.forEach.call(document.querySelectorAll("[data-mark-icon]"), function (el) {
    el.textContent = ICONS[el.dataset.markIcon] || "";
  });

  if (typeof root.BpmnJS === "function") {
    Array.prototype.forEach.call(document.querySelectorAll("[data-marked-diagram]"), showViewer);
  }
})(window);
