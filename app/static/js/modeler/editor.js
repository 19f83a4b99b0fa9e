// The diagram editor (bpmn-js Modeler + properties panel + bpmnlint), or a read-only
// NavigatedViewer when the page says so (a published version is read, never edited).
import BpmnModeler from 'bpmn-js/lib/Modeler';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel';
import LintModule from 'bpmn-js-bpmnlint';
import lintConfig from 'bpmnlint-config:.bpmnlintrc';

import { TranslateModule } from './i18n';
import ExtensionPropertiesProvider from './provider';
import spiffModdle from './spiffworkflow.json';

// Elements the server refuses (workflows/validation.py allows no data objects or stores):
// not offered in the palette (the server still checks every upload).
const UNSUPPORTED_PALETTE = [ 'create.data-object', 'create.data-store' ];

function PaletteFilter(palette) {
  palette.registerProvider(500, this);
}
PaletteFilter.prototype.getPaletteEntries = function() {
  return (entries) => {
    UNSUPPORTED_PALETTE.forEach((key) => delete entries[key]);
    return entries;
  };
};
PaletteFilter.$inject = [ 'palette' ];

const ProductModule = {
  __init__: [ 'cePropertiesProvider', 'cePaletteFilter' ],
  cePropertiesProvider: [ 'type', ExtensionPropertiesProvider ],
  cePaletteFilter: [ 'type', PaletteFilter ],
};

const moddleExtensions = { spiffworkflow: spiffModdle };

export function createEditor(canvas, panel, config) {
  if (config.readonly) {
    return new NavigatedViewer({ container: canvas, additionalModules: [ TranslateModule ], moddleExtensions });
  }
  return new BpmnModeler({
    container: canvas,
    propertiesPanel: { parent: panel },
    vocabulary: config.vocabulary || {},
    linting: { active: true, bpmnlint: lintConfig },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, ProductModule, LintModule, TranslateModule,
    ],
    moddleExtensions,
  });
}
