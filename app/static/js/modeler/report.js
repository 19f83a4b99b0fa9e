// The problems list under the editor: the server's problems (a problem that starts with an
// element id, "unit_review: ...", selects that element when clicked), the simulation's
// summary and its marks (coloured on the diagram and listed).
const marks = () => window.ceDiagramMarks;

function item(text, className) {
  const li = document.createElement('li');
  if (className) li.className = className;
  li.textContent = text;
  return li;
}

function problemItem(diagram, text) {
  const match = /^([A-Za-z_][\w.-]*):\s/.exec(text);
  const id = match && diagram.get('elementRegistry').get(match[1]) ? match[1] : null;
  if (!id) return item(text, 'problem');
  const li = document.createElement('li');
  li.className = 'problem';
  const button = document.createElement('button');
  button.type = 'button';
  button.className = 'linklike';
  button.dataset.elementId = id;
  button.textContent = text;
  button.addEventListener('click', () => marks().reveal(diagram, id));
  li.append(button);
  return li;
}

function summaryLines(simulation) {
  if (!simulation) return [];
  const summary = simulation.summary;
  if (Array.isArray(summary)) return summary.map(String);
  return typeof summary === 'string' && summary ? [ summary ] : [];
}

export function createReport(root, diagram) {
  const section = root.querySelector('[data-problems-section]');
  const problems = root.querySelector('[data-problems]');
  const summary = root.querySelector('[data-simulation-summary]');
  const marked = root.querySelector('[data-marks-list]');
  const intro = root.querySelector('[data-problems-empty]');
  const legend = root.querySelector('[data-marks-legend]');
  const labels = JSON.parse(legend ? legend.dataset.labels || '{}' : '{}');

  function reset() {
    [ problems, summary, marked ].forEach((list) => { if (list) list.textContent = ''; });
    if (intro) intro.hidden = true;
    if (legend) legend.hidden = true;
    marks().clear(diagram);
  }

  return {
    /** {problems, simulation, marks} from validate, or {problems} from save. */
    show(result, heading) {
      reset();
      const list = result.problems || [];
      summary.append(item(heading, list.length ? 'report-heading has-problems' : 'report-heading'));
      summaryLines(result.simulation).forEach((line) => summary.append(item(line)));
      list.forEach((text) => problems.append(problemItem(diagram, text)));
      const drawn = marks().apply(diagram, result.marks || {}, labels);
      if (marked) marks().list(marked, diagram, drawn, labels);
      if (legend) legend.hidden = drawn.length === 0;
      section.dataset.state = list.length ? 'problems' : 'ok';
    },
    /** A refusal or a failure: {message, fields} of the error format, or a plain message. */
    error(message, fields) {
      reset();
      summary.append(item(message, 'report-heading has-problems'));
      Object.entries(fields || {}).forEach(([ field, texts ]) => {
        [].concat(texts).forEach((text) => {
          const words = typeof text === 'string' ? text : JSON.stringify(text);
          problems.append(item(`${field}: ${words}`, 'problem'));
        });
      });
      section.dataset.state = 'error';
    },
  };
}
