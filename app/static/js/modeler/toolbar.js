// The editor's toolbar: save a draft, validate & simulate on the server, download the
// .bpmn, fit, undo/redo; the lint count; and the guard against leaving with unsaved changes.
// Requests follow the page's contract: POST form-encoded bpmn=<xml>, X-CSRFToken and
// Accept: application/json; a refusal answers {"error": {"message", "fields"}}.
import { t } from './i18n';

async function post(url, token, xml) {
  const response = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'X-CSRFToken': token || '', Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded;charset=UTF-8' },
    body: new URLSearchParams({ bpmn: xml }),
  });
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  return { status: response.status, ok: response.ok, body: body || {} };
}

function lintCounts(issues) {
  let errors = 0;
  let warnings = 0;
  Object.values(issues || {}).forEach((list) => list.forEach((issue) => {
    if (issue.category === 'error') errors++;
    else if (issue.category === 'warn') warnings++;
  }));
  return { errors, warnings };
}

export function connectToolbar(root, diagram, config, report) {
  const editable = !config.readonly;
  const button = (action) => root.querySelector(`[data-action="${action}"]`);
  const status = root.querySelector('[data-status]');
  const lint = root.querySelector('[data-lint-count]');
  const eventBus = diagram.get('eventBus');
  const commandStack = editable ? diagram.get('commandStack') : null;
  let savedIndex = 0;
  let replaced = false;  // a file was opened over the diagram: unsaved, though the command stack is empty
  let busy = false;

  const say = (text, tone) => { status.textContent = text; status.dataset.tone = tone || ''; };
  const stackIndex = () => (commandStack ? commandStack._stackIdx : -1);
  // the command stack has no public position: its index tells whether we moved since the last save
  const isDirty = () => editable && (replaced || stackIndex() !== savedIndex);

  function refresh() {
    if (!editable) return;
    button('undo').disabled = !commandStack.canUndo();
    button('redo').disabled = !commandStack.canRedo();
    root.dataset.dirty = isDirty() ? 'true' : 'false';
  }

  async function send(url, heading, onDone) {
    if (busy || !url) return;
    busy = true;
    root.setAttribute('aria-busy', 'true');
    say(t('Sending to the server…'));
    try {
      const { xml } = await diagram.saveXML({ format: true });
      const answer = await post(url, config.csrf_token, xml);
      if (!answer.ok) {
        const error = answer.body.error || {};
        report.error(error.message || t('The server refused the request (HTTP {status}).', { status: answer.status }),
          error.fields);
        say(error.message || t('Refused.'), 'error');
        return;
      }
      onDone(answer.body, xml, heading);
    } catch (e) {
      report.error(t('The server could not be reached. Nothing was changed; try again.'));
      say(t('The server could not be reached.'), 'error');
    } finally {
      busy = false;
      root.removeAttribute('aria-busy');
    }
  }

  function saved(body, xml, heading) {
    const stored = body.ok || body.id !== undefined && body.id !== null;
    report.show({ problems: body.problems || [] }, heading);
    if (!stored) {
      say(t('The draft was not saved.'), 'error');
      return;
    }
    savedIndex = stackIndex();
    replaced = false;
    refresh();
    say(t('Draft saved.'), 'ok');
    if (body.redirect) window.location.assign(body.redirect);
  }

  function validated(body) {
    const problems = body.problems || [];
    const heading = problems.length
      ? t('Problems found: {count}.', { count: problems.length })
      : t('No problems found.');
    report.show(body, heading);
    say(heading, problems.length ? 'error' : 'ok');
  }

  async function download() {
    const { xml } = await diagram.saveXML({ format: true });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([ xml ], { type: 'application/xml' }));
    link.download = `${config.process_key || 'diagram'}.bpmn`;
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 1000);
  }

  const fileInput = root.querySelector('[data-open-file]');

  async function openFile() {
    const file = fileInput.files[0];
    fileInput.value = '';
    if (!file) return;
    try {
      await diagram.importXML(await file.text());
    } catch (e) {
      report.error(t('{name} is not a BPMN diagram: {message}', { name: file.name, message: e.message }));
      return;
    }
    diagram.get('canvas').zoom('fit-viewport', 'auto');
    replaced = true;
    refresh();
    say(t('{name} opened: save it as a draft to keep it.', { name: file.name }));
  }

  const actions = {
    save: () => send(config.save_url, t('Draft saved.'), saved),
    validate: () => send(config.validate_url, '', validated),
    download,
    open: () => fileInput && fileInput.click(),
    fit: () => diagram.get('canvas').zoom('fit-viewport', 'auto'),
    undo: () => commandStack && commandStack.undo(),
    redo: () => commandStack && commandStack.redo(),
  };

  root.querySelector('[data-toolbar]').addEventListener('click', (event) => {
    const target = event.target.closest('[data-action]');
    if (target && actions[target.dataset.action]) actions[target.dataset.action]();
  });

  if (editable) {
    if (fileInput) fileInput.addEventListener('change', openFile);
    eventBus.on('commandStack.changed', refresh);
    eventBus.on('linting.completed', ({ issues }) => {
      const { errors, warnings } = lintCounts(issues);
      lint.textContent = t('Lint: errors {errors}, warnings {warnings}', { errors, warnings });
      lint.dataset.errors = String(errors);
      lint.dataset.warnings = String(warnings);
      lint.dataset.tone = errors ? 'error' : warnings ? 'warn' : 'ok';
    });
    window.addEventListener('beforeunload', (event) => {
      if (!isDirty()) return undefined;
      event.preventDefault();
      event.returnValue = '';  // the browser shows its own "leave the page?" question
      return '';
    });
  }

  return {
    imported() { savedIndex = stackIndex(); refresh(); },
    isDirty,
  };
}
