// The auditor's diagrams (web/_audit_diagram.html). The page works without this script: the
// path a case took, or a heat map of many cases, is a table in words. With it, bpmn-js's
// NavigatedViewer (vendored, it sets window.BpmnJS) draws the diagram above the table, marks
// each step as the table says (done, here now, withdrawn, escalated, or how busy it was) with
// a count on a step passed more than once, and selecting a step lists its events, the same
// links as the table's.

const STATUSES = ['active', 'escalated', 'cancelled', 'completed']

function badge (className, text) {
  const element = document.createElement('span')
  element.className = className
  element.textContent = text
  return element
}

function markPath (viewer, marks) {
  const canvas = viewer.get('canvas')
  const overlays = viewer.get('overlays')
  const registry = viewer.get('elementRegistry')
  for (const mark of marks) {
    if (!registry.get(mark.id) || !STATUSES.includes(mark.status)) continue
    canvas.addMarker(mark.id, `app-path-${mark.status}`)
    if (mark.escalated) canvas.addMarker(mark.id, 'app-path-escalated')
    if (mark.passes > 1) {
      overlays.add(mark.id, 'app-path-count', {
        position: { top: -12, right: 12 },
        html: badge('app-path-badge', String(mark.passes))
      })
    }
  }
}

function markHeat (viewer, marks) {
  const canvas = viewer.get('canvas')
  const overlays = viewer.get('overlays')
  const registry = viewer.get('elementRegistry')
  for (const mark of marks) {
    if (!registry.get(mark.id)) continue
    canvas.addMarker(mark.id, `app-heat-${Math.min(Math.max(mark.level, 1), 5)}`)
    overlays.add(mark.id, 'app-heat-count', {
      position: { bottom: -4, left: 0 },
      html: badge('app-heat-count', `${mark.cases} · ${mark.overdue}`)
    })
  }
}

// The step's row of the table, its name and events shown beside the drawing.
function showEvents (root, panel, elementId, name) {
  const row = root.querySelector(`tr[data-element-id="${CSS.escape(elementId)}"]`)
  panel.replaceChildren()
  const heading = document.createElement('h3')
  heading.className = 'govuk-heading-s'
  heading.textContent = row ? row.querySelector('th').firstChild.textContent.trim() : name
  panel.append(heading)
  const list = row && row.querySelector('.app-audit-diagram__event-list')
  if (list) {
    panel.append(list.cloneNode(true))
  } else if (row) {
    const figures = document.createElement('p')
    figures.className = 'govuk-body'
    figures.textContent = [...row.querySelectorAll('td')].map((cell, index) =>
      `${root.querySelectorAll('thead th')[index + 1].textContent.trim()}: ${cell.textContent.trim()}`
    ).join('; ')
    panel.append(figures)
  } else {
    const nothing = document.createElement('p')
    nothing.className = 'govuk-body'
    nothing.textContent = root.dataset.nothing
    panel.append(nothing)
  }
  panel.hidden = false
}

// The marked steps in view (the case's path, or where the cases went), with room around them;
// the whole diagram when none is marked. The viewer zooms and pans from there.
function showMarked (viewer, marks) {
  const canvas = viewer.get('canvas')
  const registry = viewer.get('elementRegistry')
  const shapes = marks.map((mark) => registry.get(mark.id)).filter((shape) => shape && !shape.waypoints)
  canvas.zoom('fit-viewport')
  if (!shapes.length) return
  const left = Math.min(...shapes.map((s) => s.x)) - 80
  const top = Math.min(...shapes.map((s) => s.y)) - 80
  const right = Math.max(...shapes.map((s) => s.x + s.width)) + 80
  const bottom = Math.max(...shapes.map((s) => s.y + s.height)) + 80
  const { outer } = canvas.viewbox()
  const scale = Math.min(outer.width / (right - left), outer.height / (bottom - top), 1.2)
  canvas.viewbox({
    x: (left + right) / 2 - outer.width / scale / 2,
    y: (top + bottom) / 2 - outer.height / scale / 2,
    width: outer.width / scale,
    height: outer.height / scale
  })
}

async function mount (root) {
  const data = JSON.parse(root.querySelector('.app-audit-diagram__data').textContent)
  const drawing = root.querySelector('.app-audit-diagram__drawing')
  const panel = root.querySelector('.app-audit-diagram__events')
  drawing.hidden = false // drawn at its size, so shown first
  const viewer = new window.BpmnJS({ container: root.querySelector('.app-audit-diagram__canvas') })
  try {
    await viewer.importXML(data.xml)
  } catch (error) {
    drawing.hidden = true
    const failure = document.createElement('p')
    failure.className = 'govuk-body app-audit-diagram__failed'
    failure.textContent = root.dataset.failed
    root.prepend(failure)
    return
  }
  if (root.dataset.appAuditDiagram === 'path') markPath(viewer, data.marks)
  else markHeat(viewer, data.marks)
  showMarked(viewer, data.marks)
  viewer.get('eventBus').on('element.click', (event) => {
    // A label drawn outside its shape (an event's, a gateway's) stands for that shape.
    const element = event.element && (event.element.labelTarget || event.element)
    if (!element || element.type === 'bpmn:Process' || element.type === 'bpmn:Collaboration' ||
      element.type === 'bpmn:Participant' || element.type === 'bpmn:Lane' || element.waypoints) return
    showEvents(root, panel, element.id, element.businessObject && element.businessObject.name)
  })
  root.dataset.drawn = 'true'
}

if (window.BpmnJS) {
  document.querySelectorAll('[data-app-audit-diagram]').forEach((root) => { mount(root) })
}
