// Read-only mode: the panel lists the selected element's name, id and extension properties.
import { getCondition, getHandler, getProperties } from './extension';
import { t } from './i18n';

function row(list, term, value) {
  if (!value) return;
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  list.append(dt, dd);
}

function render(panel, element) {
  panel.textContent = '';
  const list = document.createElement('dl');
  list.className = 'modeler-details';
  if (!element) {
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = t('Select an element to see its properties.');
    panel.append(hint);
    return;
  }
  const bo = element.businessObject;
  row(list, t('Element name'), bo.get('name'));
  row(list, t('Element id'), element.id);
  Object.entries(getProperties(element)).forEach(([ name, value ]) => row(list, name, value));
  row(list, t('Handler'), getHandler(element));
  if (element.waypoints) row(list, t('Condition'), getCondition(element));
  panel.append(list);
}

export function showDetails(viewer, panel) {
  render(panel, null);
  viewer.get('eventBus').on('selection.changed', ({ newSelection }) => render(panel, newSelection[0] || null));
}
