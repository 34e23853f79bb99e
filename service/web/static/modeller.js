// The process owners' drawings. The pages work without this script: a diagram's XML in a text
// box, checked and deployed by the server, and changes listed. With it, the text box gets a
// drawing to edit (bpmn-js with its properties panel, or dmn-js for a decision table) that
// keeps the text box up to date, "Check" marks each problem on its element, and the changes
// between two versions are drawn.
import { createModeler, createViewer, translateModule } from './vendor/bpmn-js/gwarchod-modeller.min.js'

const MARKS = { added: 'app-mark-added', changed: 'app-mark-changed', removed: 'app-mark-removed' }
const PROBLEM = 'app-mark-problem'
const PALETTE_WIDTH = 110 // the modeller's tools, over the drawing's left edge

// The whole diagram in view, clear of ``left`` pixels on the left.
function fitBeside (canvas, left) {
  canvas.zoom('fit-viewport')
  const { inner, outer } = canvas.viewbox()
  if (!inner.width || !inner.height) return
  const scale = Math.min((outer.width - left - 20) / inner.width, (outer.height - 40) / inner.height, 1)
  canvas.viewbox({
    x: inner.x - (left + 10) / scale,
    y: inner.y - (outer.height / scale - inner.height) / 2,
    width: outer.width / scale,
    height: outer.height / scale
  })
}

// --- the editor ----------------------------------------------------------------------------------

async function mountEditor (root) {
  const form = document.getElementById('app-model-form')
  const xml = form.elements.xml
  const result = document.getElementById('app-check-result')
  const canvas = root.querySelector('.app-modeller__canvas')
  const settings = JSON.parse(root.dataset.settings)
  const editor = root.dataset.appModeller === 'dmn'
    ? dmnEditor(canvas, settings.language)
    : bpmnEditor(canvas, root.querySelector('.app-modeller__panel'), settings, form.elements.names)

  const failure = document.createElement('p')
  failure.className = 'govuk-error-message app-modeller__failed'
  failure.textContent = root.dataset.failed
  failure.hidden = true
  root.before(failure)

  const draw = async () => {
    root.hidden = false // drawn at its size, so shown first
    try {
      await editor.open(xml.value)
      failure.hidden = true
      editor.mark(problemsListed(result))
      return true
    } catch (error) {
      root.hidden = true
      failure.hidden = false
      form.querySelectorAll('[data-app-source]').forEach((details) => { details.open = true })
      return false
    }
  }
  if (await draw()) {
    form.querySelectorAll('[data-app-source]').forEach((details) => { details.open = false })
  }

  // Every change to the drawing is written back to the text box that is sent.
  let saving = Promise.resolve()
  editor.onChange(() => {
    saving = editor.save().then((text) => { xml.value = text })
  })
  xml.addEventListener('change', draw)
  const upload = form.elements.upload
  upload.addEventListener('change', async () => {
    const [file] = upload.files
    if (!file) return
    xml.value = await file.text()
    upload.value = ''
    await draw()
  })

  form.addEventListener('submit', async (event) => {
    const check = event.submitter && event.submitter.hasAttribute('data-app-check')
    event.preventDefault()
    await saving
    if (check && await checkHere(form, root.dataset.checkUrl, result, editor)) return
    // Sent as without the script, the button pressed saying what to do.
    const action = document.createElement('input')
    action.type = 'hidden'
    action.name = 'action'
    action.value = event.submitter ? event.submitter.value : 'check'
    form.append(action)
    form.submit()
  })

  result.addEventListener('click', (event) => {
    const link = event.target.closest('a[data-element-id]')
    if (link && editor.select(link.dataset.elementId)) {
      event.preventDefault()
      canvas.focus()
    }
  })
}

// Check without leaving the page: the server's own check, its list shown and marked on the
// drawing. False when the answer could not be had (the form is then sent as it would be
// without the script).
async function checkHere (form, url, result, editor) {
  const body = new FormData(form)
  body.delete('upload')
  let answer
  try {
    const response = await fetch(url, {
      method: 'POST',
      body,
      headers: { 'X-CSRFToken': form.elements.csrf_token.value, Accept: 'application/json' },
      credentials: 'same-origin'
    })
    if (!(response.headers.get('Content-Type') || '').includes('application/json')) return false
    answer = await response.json()
  } catch (error) {
    return false
  }
  result.innerHTML = answer.html
  editor.mark(answer.problems)
  result.focus()
  return true
}

function problemsListed (result) {
  return Array.from(result.querySelectorAll('a[data-element-id]'))
    .map((link) => ({ element_id: link.dataset.elementId }))
}

// A diagram's element by id; a process is drawn as the pool that holds it. The drawing's root
// (its collaboration or process) is the whole drawing, so it is never marked.
function shapeOf (registry, id) {
  const shape = registry.get(id) ||
    registry.find((each) => each.businessObject && each.businessObject.processRef &&
      each.businessObject.processRef.id === id)
  return shape && shape.parent ? shape : undefined
}

function bpmnEditor (container, panel, settings, namesField) {
  const modeler = createModeler(container, panel, { ...settings, welshNames: welshNames(namesField) })
  let marked = []
  return {
    async open (text) {
      await modeler.importXML(text)
      fitBeside(modeler.get('canvas'), PALETTE_WIDTH)
    },
    async save () {
      return (await modeler.saveXML({ format: true })).xml
    },
    onChange (listener) {
      modeler.on('commandStack.changed', listener)
    },
    mark (problems) {
      const canvas = modeler.get('canvas')
      const overlays = modeler.get('overlays')
      const registry = modeler.get('elementRegistry')
      marked.forEach((shape) => canvas.removeMarker(shape, PROBLEM))
      overlays.remove({ type: 'app-problem' })
      marked = []
      const counts = new Map()
      problems.forEach((problem) => {
        const shape = problem.element_id && shapeOf(registry, problem.element_id)
        if (shape) counts.set(shape, (counts.get(shape) || 0) + 1)
      })
      counts.forEach((count, shape) => {
        canvas.addMarker(shape, PROBLEM)
        marked.push(shape)
        const badge = document.createElement('span')
        badge.className = 'app-problem-badge'
        badge.textContent = String(count)
        overlays.add(shape, 'app-problem', { position: { top: -10, right: 10 }, html: badge })
      })
    },
    select (id) {
      const shape = shapeOf(modeler.get('elementRegistry'), id)
      if (!shape) return false
      modeler.get('canvas').scrollToElement(shape)
      modeler.get('selection').select(shape)
      return true
    }
  }
}

// The diagram's Welsh names, kept in their own text box as the file they are deployed as.
function welshNames (field) {
  const read = () => {
    try {
      const document = JSON.parse(field.value)
      return document && typeof document.names === 'object' && document.names ? document : null
    } catch (error) {
      return null // the check says what is wrong with it
    }
  }
  return {
    get (id) {
      const document = field ? read() : null
      return document && typeof document.names[id] === 'string' ? document.names[id] : ''
    },
    set (id, name) {
      const document = field ? read() : null
      if (!document) return
      if (name) document.names[id] = name
      else delete document.names[id]
      field.value = JSON.stringify(document, null, 2) + '\n'
    }
  }
}

// dmn-js's views each take their own modules: each gets the page's words.
const DMN_VIEWS = ['drd', 'decisionTable', 'literalExpression', 'boxedExpression']

function dmnEditor (container, language) {
  const views = Object.fromEntries(DMN_VIEWS.map((view) => [view, { additionalModules: [translateModule(language)] }]))
  const modeler = new window.DmnJS({ container, ...views })
  const watched = new WeakSet()
  const listeners = []
  let problems = []
  const table = () => modeler.getViews().find((view) => view.type === 'decisionTable')
  const cells = (id) => container.querySelectorAll(`[data-element-id="${CSS.escape(id)}"]`)
  const remark = () => {
    container.querySelectorAll(`.${PROBLEM}`).forEach((cell) => cell.classList.remove(PROBLEM))
    problems.forEach((problem) => problem.element_id && cells(problem.element_id).forEach((cell) => cell.classList.add(PROBLEM)))
  }
  modeler.on('views.changed', () => {
    const viewer = modeler.getActiveViewer()
    if (viewer && !watched.has(viewer)) {
      watched.add(viewer)
      viewer.on('commandStack.changed', () => {
        listeners.forEach((listener) => listener())
        setTimeout(remark)
      })
    }
    setTimeout(remark)
  })
  return {
    async open (text) {
      await modeler.importXML(text)
      if (table()) await modeler.open(table())
    },
    async save () {
      return (await modeler.saveXML({ format: true })).xml
    },
    onChange (listener) {
      listeners.push(listener)
    },
    mark (found) {
      problems = found
      remark()
    },
    select (id) {
      const [cell] = cells(id)
      if (!cell) return false
      cell.scrollIntoView({ block: 'center' })
      cell.focus()
      return true
    }
  }
}

// --- what changed, drawn -------------------------------------------------------------------------

async function drawChanges (root) {
  const marks = JSON.parse(root.dataset.marks)
  const text = async (source) => source.startsWith('#')
    ? document.querySelector(source).value
    : (await fetch(source, { credentials: 'same-origin' })).text()
  root.hidden = false
  for (const side of ['before', 'after']) {
    const container = root.querySelector(`[data-app-side="${side}"]`)
    const viewer = createViewer(container, document.documentElement.lang)
    try {
      await viewer.importXML(await text(root.dataset[`${side}Url`]))
    } catch (error) {
      container.closest('figure').hidden = true
      continue
    }
    const canvas = viewer.get('canvas')
    const registry = viewer.get('elementRegistry')
    canvas.zoom('fit-viewport', 'auto')
    marks.forEach((mark) => {
      if (mark.kind === (side === 'before' ? 'added' : 'removed')) return
      const shape = shapeOf(registry, mark.id)
      if (shape) canvas.addMarker(shape, MARKS[mark.kind])
    })
  }
}

document.querySelectorAll('[data-app-modeller]').forEach(mountEditor)
document.querySelectorAll('[data-app-diagram-changes]').forEach(drawChanges)
