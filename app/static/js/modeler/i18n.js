// Translations: English msgids looked up in the page's messages (rendered by the partial with
// Flask-Babel); the same function serves as bpmn-js's "translate" service, so the palette,
// context pad, properties panel and lint overlays speak the page's language.
let messages = {};

export function setMessages(table) {
  messages = table || {};
}

/** t('Save draft'), t('{errors} Errors, {warnings} Warnings', {errors: 2, warnings: 0}) */
export function t(template, replacements) {
  const text = Object.prototype.hasOwnProperty.call(messages, template) ? messages[template] : template;
  if (!replacements) return text;
  return text.replace(/{([^}]+)}/g, (match, key) => (key in replacements ? String(replacements[key]) : match));
}

export const TranslateModule = { translate: [ 'value', t ] };
