// The process administrators' diagram editor (bundle entry; built by tools/build-modeler.mjs).
// The page (partial process_admin/_modeler.html) gives its configuration in
// <script type="application/json" id="modeler-config"> and the translated words in
// id="modeler-messages"; no inline script (the page CSP forbids it).
import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import 'bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css';
import '../diagram-marks.js';

import { showDetails } from './details';
import { createEditor } from './editor';
import { setMessages, t } from './i18n';
import { createReport } from './report';
import { connectToolbar } from './toolbar';

function readJson(id) {
  const block = document.getElementById(id);
  try {
    return block ? JSON.parse(block.textContent || '{}') : {};
  } catch (e) {
    return {};
  }
}

function fail(canvas, message) {
  canvas.classList.add('diagram-failed');
  canvas.textContent = message;
}

async function start(root) {
  const config = readJson('modeler-config');
  setMessages({ ...readJson('modeler-messages'), ...(config.messages || {}) });
  const canvas = root.querySelector('[data-modeler-canvas]');
  const panel = root.querySelector('[data-modeler-panel]');
  canvas.textContent = '';
  root.classList.toggle('modeler-readonly', Boolean(config.readonly));

  const diagram = createEditor(canvas, panel, config);
  window.ceModeler = diagram;  // for the browser tests and the console
  const report = createReport(root, diagram);
  const toolbar = connectToolbar(root, diagram, config, report);
  if (config.readonly) showDetails(diagram, panel);

  let xml;
  try {
    const response = await fetch(config.xml_url,
      { credentials: 'same-origin', headers: { Accept: 'application/xml' } });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    xml = await response.text();
  } catch (e) {
    fail(canvas, t('The diagram could not be loaded.'));
    return;
  }
  try {
    const { warnings } = await diagram.importXML(xml);
    diagram.get('canvas').zoom('fit-viewport', 'auto');
    if (warnings && warnings.length) {
      report.error(t('The diagram was opened with {count} warnings; parts of it may be missing.',
        { count: warnings.length }), { import: warnings.map((w) => w.message) });
    }
  } catch (e) {
    fail(canvas, t('The diagram could not be read: {message}', { message: e.message }));
    return;
  }
  toolbar.imported();
  let settle = null;  // a resized window or a rotated phone: the canvas takes its new size once it settles
  window.addEventListener('resize', () => {
    clearTimeout(settle);
    settle = setTimeout(() => diagram.get('canvas').resized(), 200);
  });
  root.dataset.ready = 'true';
}

const root = document.querySelector('[data-modeler]');
if (root) start(root);
