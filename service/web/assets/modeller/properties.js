// What Gwarchod reads from a diagram, editable in the properties panel: a task's form, due
// date, letter, instructions and scripts (SpiffWorkflow's extension elements, as
// docs/definitions.md describes them), a script task's script, a flow's condition, a loop's
// condition, a business rule task's decision, the lane a task is in and every name's Welsh.
// Every change goes through the modeler's command stack, so it can be undone.
import { TextAreaEntry, TextFieldEntry, isTextAreaEntryEdited, isTextFieldEntryEdited } from '@bpmn-io/properties-panel'
import { useService } from 'bpmn-js-properties-panel'
import { getBusinessObject, is, isAny } from 'bpmn-js/lib/util/ModelUtil'

const LOW_PRIORITY = 500
const PROPERTIES = 'spiffworkflow:properties'
const PROPERTY = 'spiffworkflow:property'
// Elements whose name is shown to caseworkers, so must have a Welsh name (workflows/names.py).
const NAMED = ['bpmn:Process', 'bpmn:Participant', 'bpmn:FlowNode']

export default class GwarchodPropertiesProvider {
  constructor (propertiesPanel, settings) {
    this.settings = settings
    propertiesPanel.registerProvider(LOW_PRIORITY, this)
  }

  getGroups (element) {
    return (groups) => {
      const entries = caseWorkEntries(element, this.settings)
      if (!entries.length) return groups
      const group = { id: 'gwarchod', label: this.settings.labels.group, entries }
      const general = groups.findIndex((each) => each.id === 'general')
      groups.splice(general + 1, 0, group)
      return groups
    }
  }
}
GwarchodPropertiesProvider.$inject = ['propertiesPanel', 'config.gwarchod']

function caseWorkEntries (element, settings) {
  const bo = getBusinessObject(element)
  const entries = []
  const text = (id, component, extra = {}) =>
    entries.push({ id, component, isEdited: isTextFieldEntryEdited, settings, ...extra })
  const area = (id, component, extra = {}) =>
    entries.push({ id, component, isEdited: isTextAreaEntryEdited, settings, ...extra })

  if (isAny(bo, NAMED) && !is(bo, 'bpmn:Lane')) text('welshName', WelshName)
  if (isAny(bo, ['bpmn:UserTask', 'bpmn:ManualTask'])) {
    text('lane', Lane)
    text('form', Property, { property: 'formJsonSchemaFilename', label: 'form', hint: 'formHint' })
    text('uiForm', Property, { property: 'formUiSchemaFilename', label: 'uiForm' })
    text('dueIn', Property, { property: 'dueIn', label: 'dueIn', hint: 'dueInHint' })
    text('dueAt', Property, { property: 'dueAt', label: 'dueAt', hint: 'dueAtHint' })
    text('letter', Property, { property: 'letterTemplate', label: 'letter', hint: 'letterHint' })
    area('instructions', Body, { type: 'spiffworkflow:instructionsForEndUser', label: 'instructions', rows: 6 })
  }
  if (is(bo, 'bpmn:StartEvent') && is(bo.$parent, 'bpmn:Process')) {
    text('lane', Lane)
    text('form', Property, { property: 'formJsonSchemaFilename', label: 'startForm', hint: 'formHint' })
    text('uiForm', Property, { property: 'formUiSchemaFilename', label: 'uiForm' })
  }
  if (is(bo, 'bpmn:ScriptTask')) area('script', Script)
  if (is(bo, 'bpmn:BusinessRuleTask')) {
    text('decision', Body, { type: 'spiffworkflow:calledDecisionId', label: 'decision', code: true })
  }
  if (is(bo, 'bpmn:SequenceFlow') && isAny(bo.sourceRef, ['bpmn:ExclusiveGateway', 'bpmn:InclusiveGateway', 'bpmn:Activity'])) {
    area('condition', Condition)
  }
  if (is(bo, 'bpmn:Activity') && is(bo.loopCharacteristics, 'bpmn:StandardLoopCharacteristics')) {
    area('loopCondition', LoopCondition)
  }
  if (is(bo, 'bpmn:Task')) {
    area('preScript', Body, { type: 'spiffworkflow:preScript', label: 'preScript', code: true })
    area('postScript', Body, { type: 'spiffworkflow:postScript', label: 'postScript', code: true })
  }
  return entries
}

// --- the extension elements ------------------------------------------------------------------

function extensions (bo, type) {
  const values = (bo.get('extensionElements') && bo.get('extensionElements').get('values')) || []
  return values.filter((value) => is(value, type))
}

function propertyValue (bo, name) {
  const found = extensions(bo, PROPERTIES)
    .flatMap((properties) => properties.get('properties'))
    .find((property) => property.get('name') === name)
  return found ? found.get('value') || '' : ''
}

// The commands that put ``added`` into the element's extension elements, making them if needed.
function addExtension (element, bo, added, bpmnFactory) {
  let extensionElements = bo.get('extensionElements')
  const commands = []
  if (!extensionElements) {
    extensionElements = bpmnFactory.create('bpmn:ExtensionElements', { values: [] })
    extensionElements.$parent = bo
    commands.push(update(element, bo, { extensionElements }))
  }
  added.$parent = extensionElements
  commands.push(update(element, extensionElements, { values: [...extensionElements.get('values'), added] }))
  return commands
}

function removeExtension (element, bo, removed) {
  const extensionElements = bo.get('extensionElements')
  return [update(element, extensionElements, { values: extensionElements.get('values').filter((value) => value !== removed) })]
}

function update (element, moddleElement, properties) {
  return { cmd: 'element.updateModdleProperties', context: { element, moddleElement, properties } }
}

function run (commandStack, commands) {
  if (commands.length) commandStack.execute('properties-panel.multi-command-executor', commands)
}

function setProperty (element, name, value, services) {
  const { bpmnFactory, commandStack } = services
  const bo = getBusinessObject(element)
  value = value.trim()
  const lists = extensions(bo, PROPERTIES)
  const existing = lists.flatMap((list) => list.get('properties').map((property) => [list, property]))
    .find(([, property]) => property.get('name') === name)
  if (existing) {
    const [list, property] = existing
    run(commandStack, value
      ? [update(element, property, { value })]
      : [update(element, list, { properties: list.get('properties').filter((each) => each !== property) })])
    return
  }
  if (!value) return
  const property = bpmnFactory.create(PROPERTY, { name, value })
  if (lists.length) {
    property.$parent = lists[0]
    run(commandStack, [update(element, lists[0], { properties: [...lists[0].get('properties'), property] })])
  } else {
    const list = bpmnFactory.create(PROPERTIES, { properties: [property] })
    property.$parent = list
    run(commandStack, addExtension(element, bo, list, bpmnFactory))
  }
}

function setBody (element, type, value, services) {
  const { bpmnFactory, commandStack } = services
  const bo = getBusinessObject(element)
  const [existing] = extensions(bo, type)
  if (existing) {
    run(commandStack, value.trim() ? [update(element, existing, { value })] : removeExtension(element, bo, existing))
  } else if (value.trim()) {
    run(commandStack, addExtension(element, bo, bpmnFactory.create(type, { value }), bpmnFactory))
  }
}

function setExpression (element, owner, name, value, services) {
  const { bpmnFactory, commandStack } = services
  const expression = owner.get(name)
  if (!value.trim()) {
    run(commandStack, [update(element, owner, { [name]: undefined })])
  } else if (expression) {
    run(commandStack, [update(element, expression, { body: value })])
  } else {
    const made = bpmnFactory.create('bpmn:FormalExpression', { body: value })
    made.$parent = owner
    run(commandStack, [update(element, owner, { [name]: made })])
  }
}

function useServices () {
  return { bpmnFactory: useService('bpmnFactory'), commandStack: useService('commandStack') }
}

// --- the entries ---------------------------------------------------------------------------------

function Property (props) {
  const { element, id, settings, property, label, hint } = props
  const services = useServices()
  return TextFieldEntry({
    element,
    id,
    label: settings.labels[label],
    description: hint ? settings.labels[hint] : undefined,
    getValue: () => propertyValue(getBusinessObject(element), property),
    setValue: (value) => setProperty(element, property, value || '', services),
    debounce: useService('debounceInput')
  })
}

function Body (props) {
  const { element, id, settings, type, label, rows, code } = props
  const services = useServices()
  const entry = rows || code ? TextAreaEntry : TextFieldEntry
  return entry({
    element,
    id,
    label: settings.labels[label],
    rows: rows || 3,
    monospace: Boolean(code),
    autoResize: true,
    getValue: () => {
      const [found] = extensions(getBusinessObject(element), type)
      return found ? found.get('value') || '' : ''
    },
    setValue: (value) => setBody(element, type, value || '', services),
    debounce: useService('debounceInput')
  })
}

function Script (props) {
  const { element, id, settings } = props
  const { commandStack } = useServices()
  return TextAreaEntry({
    element,
    id,
    label: settings.labels.script,
    rows: 4,
    monospace: true,
    autoResize: true,
    getValue: () => getBusinessObject(element).get('script') || '',
    setValue: (value) => run(commandStack, [update(element, getBusinessObject(element), { script: value || undefined })]),
    debounce: useService('debounceInput')
  })
}

function Condition (props) {
  const { element, id, settings } = props
  const services = useServices()
  return TextAreaEntry({
    element,
    id,
    label: settings.labels.condition,
    description: settings.labels.conditionHint,
    rows: 2,
    monospace: true,
    autoResize: true,
    getValue: () => {
      const expression = getBusinessObject(element).get('conditionExpression')
      return expression ? expression.get('body') || '' : ''
    },
    setValue: (value) => setExpression(element, getBusinessObject(element), 'conditionExpression', value || '', services),
    debounce: useService('debounceInput')
  })
}

function LoopCondition (props) {
  const { element, id, settings } = props
  const services = useServices()
  const loop = () => getBusinessObject(element).get('loopCharacteristics')
  return TextAreaEntry({
    element,
    id,
    label: settings.labels.loopCondition,
    description: settings.labels.loopConditionHint,
    rows: 2,
    monospace: true,
    autoResize: true,
    getValue: () => {
      const expression = loop().get('loopCondition')
      return expression ? expression.get('body') || '' : ''
    },
    setValue: (value) => setExpression(element, loop(), 'loopCondition', value || '', services),
    debounce: useService('debounceInput')
  })
}

// The lane decides whose inbox a task reaches: shown with the role that works it, or a warning
// that none does. Moving the task to another lane on the drawing changes it.
function Lane (props) {
  const { element, id, settings } = props
  const lane = laneOf(getBusinessObject(element), useService('elementRegistry'))
  const role = lane ? settings.lanes[lane] : undefined
  return TextFieldEntry({
    element,
    id,
    label: settings.labels.lane,
    description: !lane ? settings.labels.noLane : role ? `${settings.labels.workedBy} ${role}` : settings.labels.noRole,
    disabled: true,
    getValue: () => lane || '',
    setValue: () => {},
    debounce: useService('debounceInput')
  })
}

// The innermost lane listing the node; a node inside a sub-process takes the sub-process's lane,
// as the engine does.
function laneOf (bo, elementRegistry) {
  const lanes = elementRegistry.filter((shape) => is(shape, 'bpmn:Lane')).map(getBusinessObject)
  for (let node = bo; node && !is(node, 'bpmn:Process'); node = node.$parent) {
    const holding = lanes.filter((lane) => (lane.get('flowNodeRef') || []).includes(node))
    if (holding.length) {
      const innermost = holding.find((lane) => !holding.some((other) => other.$parent && other.$parent.$parent === lane)) || holding[0]
      return innermost.get('name') || innermost.get('id')
    }
  }
  return undefined
}

// Welsh names live beside the diagram (bpmn/<diagram>.bpmn.cy.json), not in it: the page keeps
// them in their own field, which ``settings.welshNames`` reads and writes.
function WelshName (props) {
  const { element, id, settings } = props
  const eventBus = useService('eventBus')
  const bo = getBusinessObject(element)
  const key = is(bo, 'bpmn:Participant') && bo.get('processRef') ? bo.get('processRef').get('id') : bo.get('id')
  return TextFieldEntry({
    element,
    id,
    label: settings.labels.welshName,
    description: settings.labels.welshNameHint,
    getValue: () => settings.welshNames.get(key),
    setValue: (value) => {
      settings.welshNames.set(key, (value || '').trim())
      eventBus.fire('gwarchod.welshNames.changed', { key })
    },
    debounce: useService('debounceInput')
  })
}
