// The properties panel's groups for this product's extension properties. Choices come from
// the process plug-in's vocabulary the page gives (lanes, forms, handlers, decisions); a value
// the diagram has but the plug-in does not declare stays visible, marked, so nothing is lost
// silently (the server refuses it on validation).
import { h } from '@bpmn-io/properties-panel/preact';
import {
  CheckboxEntry,
  CheckboxGroup,
  Group,
  SelectEntry,
  TextFieldEntry,
  isCheckboxEntryEdited,
  isSelectEntryEdited,
  isTextFieldEntryEdited,
} from '@bpmn-io/properties-panel';
import { useService } from 'bpmn-js-properties-panel';
import { is, isAny } from 'bpmn-js/lib/util/ModelUtil';

import {
  getCondition, getHandler, getProperty, setCondition, setHandler, setProperties,
} from './extension';
import { t } from './i18n';
import { check } from './rules';

const LOW_PRIORITY = 500;
const STEP_TYPES = [ 'bpmn:UserTask', 'bpmn:ManualTask' ];
const STATUS_TYPES = [ 'bpmn:EndEvent', 'bpmn:IntermediateCatchEvent' ];
const NO_CONDITION_SOURCES = [ 'bpmn:ParallelGateway', 'bpmn:EventBasedGateway' ];

const split = (value) => (value || '').split(',').filter(Boolean);

/** Select options: none, the vocabulary's entries, and the current value if undeclared. */
function options(vocabulary, current, noneLabel) {
  const list = [ { value: '', label: noneLabel } ];
  vocabulary.forEach((entry) => list.push({ value: entry.id, label: `${entry.label} (${entry.id})` }));
  if (current && !vocabulary.some((entry) => entry.id === current)) {
    list.push({ value: current, label: t('{value} (not declared by this process)', { value: current }) });
  }
  return list;
}

/** The decisions in the vocabulary's order, then any undeclared ones the diagram already has. */
function ordered(chosen, vocabulary) {
  const declared = vocabulary.map((entry) => entry.id).filter((id) => chosen.includes(id));
  return declared.concat(chosen.filter((id) => !declared.includes(id)));
}

function PropertyText(props) {
  const { element, id, name, shape, label, description } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return h(TextFieldEntry, {
    element, id, label, description, debounce,
    getValue: () => getProperty(element, name),
    setValue: (value, error) => { if (!error) setProperties(injector, element, { [name]: value.trim() }); },
    validate: (value) => { const problem = check(shape, (value || '').trim()); return problem && t(problem); },
  });
}

function PropertySelect(props) {
  const { element, id, name, label, vocabulary } = props;
  const injector = useService('injector');
  return h(SelectEntry, {
    element, id, label,
    getValue: () => getProperty(element, name),
    setValue: (value) => setProperties(injector, element, { [name]: value }),
    getOptions: () => options(vocabulary, getProperty(element, name), t('(none)')),
  });
}

function PropertyCheckbox(props) {
  const { element, id, name, label } = props;
  const injector = useService('injector');
  return h(CheckboxEntry, {
    element, id, label,
    getValue: () => getProperty(element, name) === 'true',
    setValue: (checked) => setProperties(injector, element, { [name]: checked ? 'true' : '' }),
  });
}

function Decisions(props) {
  const { element, id, vocabulary } = props;
  const injector = useService('injector');
  const current = split(getProperty(element, 'decisions'));
  const choices = options(vocabulary, '', '').slice(1);
  current.filter((d) => !vocabulary.some((v) => v.id === d))
    .forEach((d) => choices.push({ value: d, label: t('{value} (not declared by this process)', { value: d }) }));
  return h(CheckboxGroup, {
    element, id, label: t('Decisions'), options: choices,
    description: t('What the person at this step may decide.'),
    getValue: () => split(getProperty(element, 'decisions')),
    setValue: (chosen) => {
      const decisions = ordered(chosen, vocabulary);
      // a decision no longer offered needs no comment either
      const comments = split(getProperty(element, 'comment_required')).filter((d) => decisions.includes(d));
      setProperties(injector, element, { decisions: decisions.join(','), comment_required: comments.join(',') });
    },
  });
}

function CommentRequired(props) {
  const { element, id, vocabulary } = props;
  const injector = useService('injector');
  const decisions = split(getProperty(element, 'decisions'));
  const labels = Object.fromEntries(vocabulary.map((v) => [ v.id, v.label ]));
  return h(CheckboxGroup, {
    element, id, label: t('Comment required for'),
    options: decisions.map((d) => ({ value: d, label: labels[d] ? `${labels[d]} (${d})` : d })),
    description: decisions.length ? '' : t('Choose the decisions first.'),
    getValue: () => split(getProperty(element, 'comment_required')),
    setValue: (chosen) => setProperties(injector, element,
      { comment_required: ordered(chosen, vocabulary).filter((d) => decisions.includes(d)).join(',') }),
  });
}

function Handler(props) {
  const { element, id, vocabulary } = props;
  const injector = useService('injector');
  return h(SelectEntry, {
    element, id, label: t('Handler'),
    description: t('The operation of this process’s plug-in the step runs.'),
    getValue: () => getHandler(element),
    setValue: (value) => setHandler(injector, element, value),
    getOptions: () => options(vocabulary, getHandler(element), t('(none)')),
  });
}

function LaneId(props) {
  const { element, id, vocabulary } = props;
  const modeling = useService('modeling');
  const registry = useService('elementRegistry');
  return h(SelectEntry, {
    element, id, label: t('Who acts in this lane'),
    description: t('The lane’s id names the role the process plug-in resolves to people.'),
    getValue: () => element.businessObject.get('id'),
    setValue: (value, error) => { if (!error && value) modeling.updateProperties(element, { id: value }); },
    validate: (value) => {
      const other = value && registry.get(value);
      return other && other !== element ? t('Another element already has the id {id}.', { id: value }) : null;
    },
    getOptions: () => options(vocabulary, element.businessObject.get('id'), t('(choose)')).slice(1),
  });
}

function Condition(props) {
  const { element, id } = props;
  const injector = useService('injector');
  const debounce = useService('debounceInput');
  return h(TextFieldEntry, {
    element, id, debounce, label: t('Condition'),
    description: t('An expression on the process data, e.g. decision == "approve". Empty: always taken.'),
    getValue: () => getCondition(element),
    setValue: (value) => setCondition(injector, element, value),
  });
}

const text = (id, name, label, shape, description) =>
  ({ id, name, label, shape, description, component: PropertyText, isEdited: isTextFieldEntryEdited });

function statusEntries() {
  return [
    text('ce-status', 'status', t('Status code'), 'name',
      t('The status the record has while this step waits (e.g. unit_review).')),
    text('ce-status-label', 'status_label', t('Status label'), 'label', t('What people see while the step waits.')),
  ];
}

function stepEntries(vocabulary) {
  return [
    ...statusEntries(),
    { id: 'ce-decisions', component: Decisions, vocabulary: vocabulary.decisions },
    { id: 'ce-comment-required', component: CommentRequired, vocabulary: vocabulary.decisions },
    { id: 'ce-form', name: 'form', label: t('Input form'), component: PropertySelect, vocabulary: vocabulary.forms,
      isEdited: isSelectEntryEdited },
    text('ce-due', 'due', t('Due period'), 'period', t('ISO 8601 period, e.g. P15D (15 days) or PT48H.')),
    { id: 'ce-editable', name: 'editable', label: t('The applicant may still edit the record'),
      component: PropertyCheckbox, isEdited: isCheckboxEntryEdited },
    text('ce-action', 'action', t('Action name'), 'name',
      t('The name of this step in the flow log (e.g. unit_review).')),
  ];
}

function group(id, label, entries) {
  return { id, label, entries, component: Group, shouldOpen: true };
}

/** The groups for one element, or null when this product adds none. */
export function groupsFor(element, vocabulary) {
  if (isAny(element, STEP_TYPES)) return group('ce-step', t('Step properties'), stepEntries(vocabulary));
  if (isAny(element, STATUS_TYPES)) return group('ce-status-group', t('Record status'), statusEntries());
  if (is(element, 'bpmn:ServiceTask')) {
    return group('ce-service', t('Service task'),
      [ { id: 'ce-handler', component: Handler, vocabulary: vocabulary.handlers, isEdited: isSelectEntryEdited } ]);
  }
  if (is(element, 'bpmn:Lane')) {
    return group('ce-lane', t('Lane role'), [ { id: 'ce-lane-id', component: LaneId, vocabulary: vocabulary.lanes } ]);
  }
  if (is(element, 'bpmn:SequenceFlow')) {
    const source = element.businessObject.get('sourceRef');
    const isDefault = source && source.get('default') === element.businessObject;
    if (source && !isAny(source, NO_CONDITION_SOURCES) && !isDefault) {
      return group('ce-flow', t('Condition'),
        [ { id: 'ce-condition', component: Condition, isEdited: isTextFieldEntryEdited } ]);
    }
  }
  return null;
}

export default function ExtensionPropertiesProvider(propertiesPanel, config) {
  const vocabulary = config || {};
  this.getGroups = (element) => (groups) => {
    const extra = groupsFor(element, {
      lanes: vocabulary.lanes || [], forms: vocabulary.forms || [],
      handlers: vocabulary.handlers || [], decisions: vocabulary.decisions || [],
    });
    if (extra) groups.splice(1, 0, extra);  // right after "General" (name and id)
    return groups;
  };
  propertiesPanel.registerProvider(LOW_PRIORITY, this);
}

ExtensionPropertiesProvider.$inject = [ 'propertiesPanel', 'config.vocabulary' ];

