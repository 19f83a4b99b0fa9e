// Reading and writing this product's SpiffWorkflow extensions on a diagram element:
// <spiffworkflow:properties><spiffworkflow:property name value/></spiffworkflow:properties>
// and <spiffworkflow:serviceTaskOperator id resultVariable><spiffworkflow:parameters/>.
// Every write is one command on the command stack (undo/redo restore it in one step).
import { is } from 'bpmn-js/lib/util/ModelUtil';

const MULTI = 'properties-panel.multi-command-executor';

function extensionValues(businessObject) {
  const extensionElements = businessObject.get('extensionElements');
  return extensionElements ? extensionElements.get('values') : [];
}

function findExtension(businessObject, type) {
  return extensionValues(businessObject).find((value) => is(value, type));
}

/** The element's spiffworkflow properties as a plain {name: value} object. */
export function getProperties(element) {
  const container = findExtension(element.businessObject, 'spiffworkflow:Properties');
  const result = {};
  (container ? container.get('properties') : []).forEach((property) => {
    result[property.get('name')] = property.get('value') || '';
  });
  return result;
}

export function getProperty(element, name) {
  return getProperties(element)[name] || '';
}

/** The handler (operation id) a service task calls, or ''. */
export function getHandler(element) {
  const operator = findExtension(element.businessObject, 'spiffworkflow:ServiceTaskOperator');
  return (operator && operator.get('id')) || '';
}

function create(bpmnFactory, type, attrs, parent) {
  const created = bpmnFactory.create(type, attrs);
  created.$parent = parent;
  return created;
}

function update(element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } };
}

/**
 * Commands that make sure the element has a bpmn:ExtensionElements; returns
 * [extensionElements, commands].
 */
function ensureExtensionElements(element, bpmnFactory) {
  const businessObject = element.businessObject;
  let extensionElements = businessObject.get('extensionElements');
  if (extensionElements) return [extensionElements, []];
  extensionElements = create(bpmnFactory, 'bpmn:ExtensionElements', { values: [] }, businessObject);
  return [extensionElements, [update(element, businessObject, { extensionElements })]];
}

/**
 * Set several spiffworkflow properties at once ({name: value}; '' or null removes one),
 * keeping the others and their order; new ones are appended.
 */
export function setProperties(injector, element, changes) {
  const bpmnFactory = injector.get('bpmnFactory');
  const [extensionElements, commands] = ensureExtensionElements(element, bpmnFactory);
  let container = findExtension(element.businessObject, 'spiffworkflow:Properties');
  if (!container) {
    container = create(bpmnFactory, 'spiffworkflow:Properties', { properties: [] }, extensionElements);
    commands.push(update(element, extensionElements, { values: [...extensionElements.get('values'), container] }));
  }
  const pending = { ...changes };
  const next = [];
  container.get('properties').forEach((property) => {
    const name = property.get('name');
    if (!(name in pending)) {
      next.push(property);
      return;
    }
    const value = pending[name];
    delete pending[name];
    if (value) next.push(create(bpmnFactory, 'spiffworkflow:Property', { name, value }, container));
  });
  Object.entries(pending).forEach(([name, value]) => {
    if (value) next.push(create(bpmnFactory, 'spiffworkflow:Property', { name, value }, container));
  });
  commands.push(update(element, container, { properties: next }));
  injector.get('commandStack').execute(MULTI, commands);
}

/** Point a service task at another handler (keeps its result variable and parameters). */
export function setHandler(injector, element, handler) {
  const bpmnFactory = injector.get('bpmnFactory');
  const operator = findExtension(element.businessObject, 'spiffworkflow:ServiceTaskOperator');
  if (operator) {
    injector.get('modeling').updateModdleProperties(element, operator, { id: handler || undefined });
    return;
  }
  if (!handler) return;
  const [extensionElements, commands] = ensureExtensionElements(element, bpmnFactory);
  const created = create(bpmnFactory, 'spiffworkflow:ServiceTaskOperator',
    { id: handler, resultVariable: `${handler}_result` }, extensionElements);
  created.set('parameterList', create(bpmnFactory, 'spiffworkflow:Parameters', { parameters: [] }, created));
  commands.push(update(element, extensionElements, { values: [...extensionElements.get('values'), created] }));
  injector.get('commandStack').execute(MULTI, commands);
}

/** A sequence flow's condition (the text of its conditionExpression), or ''. */
export function getCondition(element) {
  const expression = element.businessObject.get('conditionExpression');
  return (expression && expression.get('body')) || '';
}

export function setCondition(injector, element, text) {
  const value = (text || '').trim();
  const conditionExpression = value
    ? injector.get('bpmnFactory').create('bpmn:FormalExpression', { body: value })
    : undefined;
  injector.get('modeling').updateProperties(element, { conditionExpression });
}
