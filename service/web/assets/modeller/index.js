// The process owners' diagram editor, bundled by `make vendor` (esbuild) into
// static/vendor/bpmn-js/gwarchod-modeller.min.js: bpmn-js's Modeler with its properties panel
// and Gwarchod's properties (properties.js), SpiffWorkflow's extension elements read and
// written through the moddle descriptor spiffworkflow.json, and a viewer for comparing versions.
import Modeler from 'bpmn-js/lib/Modeler'
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer'
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule } from 'bpmn-js-properties-panel'
import GwarchodPropertiesProvider from './properties.js'
import spiffworkflow from './spiffworkflow.json'
import { translateModule } from './translate.js'

export { translateModule }

const GwarchodPropertiesModule = {
  __init__: ['gwarchodPropertiesProvider'],
  gwarchodPropertiesProvider: ['type', GwarchodPropertiesProvider]
}

// ``settings``: the page's language, labels in it, lanes (lane -> the role working it), and
// welshNames ({get(id), set(id, name)}).
export function createModeler (container, panel, settings) {
  return new Modeler({
    container,
    propertiesPanel: { parent: panel, layout: { groups: { general: { open: true }, gwarchod: { open: true } } } },
    additionalModules: [
      BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, GwarchodPropertiesModule,
      translateModule(settings.language)
    ],
    moddleExtensions: { spiffworkflow },
    gwarchod: settings
  })
}

export function createViewer (container, language) {
  return new NavigatedViewer({ container, moddleExtensions: { spiffworkflow }, additionalModules: [translateModule(language)] })
}
