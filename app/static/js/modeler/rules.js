// The shapes the server accepts for each extension property (workflows/validation.py
// PROPERTY_RULES), checked as the administrator types; the server checks again on save.
const NAME = /^[a-z][a-z0-9_]{0,39}$/;
// words in any script, digits, spaces and a little punctuation; at most 40 characters
const LABEL = /^(?=.{1,40}$)[\p{L}\p{N}\p{M}](?:[\p{L}\p{N}\p{M}]|[ \-·、，,：:（）/])*$/u;
const LABEL_SEPARATOR = ' / ';
const PERIOD = /^P(?!$)(\d{1,4}Y)?(\d{1,4}M)?(\d{1,4}W)?(\d{1,4}D)?(T(?=\d)(\d{1,4}H)?(\d{1,4}M)?(\d{1,4}S)?)?$/;

/** A validator for the given shape ('name', 'label', 'period'): value -> message key or null. */
export function check(shape, value) {
  if (!value) return null;
  switch (shape) {
  case 'name':
    return NAME.test(value) ? null : 'Lower-case letters, digits and _ only, starting with a letter (at most 40).';
  case 'label':
    return LABEL.test(value) && !value.includes(LABEL_SEPARATOR)
      ? null : 'Words, digits, spaces and - · 、 ， , ： : （ ） / only (at most 40; not “ / ”).';
  case 'period':
    return PERIOD.test(value) ? null : 'An ISO 8601 period such as P15D, PT48H or P1M.';
  default:
    return null;
  }
}
