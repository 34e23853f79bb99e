// The editors' own words in the page's language. diagram-js, bpmn-js, the properties panel and
// dmn-js ask the ``translate`` service for every word they show, by its English; this module
// takes its place (as bpmn.io's i18n example does) with the page's dictionary. A word the
// dictionary lacks stays English; {placeholders} are filled in either way.
import welsh from './welsh.js'

const DICTIONARIES = { cy: welsh }

export function translator (language) {
  const dictionary = DICTIONARIES[language] || {}
  return function translate (template, replacements) {
    const values = replacements || {}
    const words = Object.prototype.hasOwnProperty.call(dictionary, template) ? dictionary[template] : template
    return words.replace(/{([^}]+)}/g, (_, key) => (key in values ? values[key] : `{${key}}`))
  }
}

// A module for the editors' additionalModules: their translate service in ``language``.
export function translateModule (language) {
  return { translate: ['value', translator(language)] }
}
