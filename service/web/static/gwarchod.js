// Gwarchod's scripts. The pages work without them; they only make the pages kinder.
import { initAll } from './vendor/govuk-frontend/govuk-frontend.min.js'

initAll()

// Questions another answer makes necessary (data-app-when="<field name>" and
// data-app-when-values="<values>") are shown only while that answer holds. A hidden
// question's inputs are disabled, so that what it held is not sent.
function revealConditionalQuestions () {
  const dependants = document.querySelectorAll('[data-app-when]')
  dependants.forEach((dependant) => {
    const form = dependant.closest('form')
    const name = dependant.dataset.appWhen
    const values = (dependant.dataset.appWhenValues || '').split(' ')
    const controls = form ? Array.from(form.elements).filter((element) => element.name === name) : []
    if (!controls.length) return
    const update = () => {
      const chosen = controls
        .filter((control) => (control.type === 'radio' || control.type === 'checkbox') ? control.checked : control.value)
        .map((control) => control.value)
      const shown = chosen.some((value) => values.includes(value))
      dependant.hidden = !shown
      dependant.querySelectorAll('input, select, textarea, button').forEach((input) => {
        input.disabled = !shown
      })
    }
    controls.forEach((control) => control.addEventListener('change', update))
    update()
  })
}

// Before an idle session ends, say so and offer to keep it; when it has ended, go to sign in.
function warnBeforeSigningOut () {
  const warning = document.getElementById('app-idle-warning')
  if (!warning) return
  const idle = Number(warning.dataset.idleMinutes) * 60 * 1000
  const notice = Math.min(5 * 60 * 1000, idle / 2)
  let warnTimer, endTimer
  const start = () => {
    clearTimeout(warnTimer)
    clearTimeout(endTimer)
    warnTimer = setTimeout(() => {
      warning.hidden = false
      warning.querySelector('button').focus()
    }, idle - notice)
    endTimer = setTimeout(() => {
      window.location.assign(warning.dataset.signInUrl)
    }, idle)
  }
  warning.querySelector('button').addEventListener('click', async () => {
    const response = await fetch(warning.dataset.keepUrl, {
      method: 'POST',
      headers: { 'X-CSRFToken': warning.dataset.csrfToken },
      credentials: 'same-origin'
    })
    if (response.ok) {
      warning.hidden = true
      start()
    } else {
      window.location.assign(warning.dataset.signInUrl)
    }
  })
  start()
}

revealConditionalQuestions()
warnBeforeSigningOut()

// A task's answers are kept as a draft as they are typed (a second after the last change),
// so that nothing typed is lost to a timeout or a closed tab.
function keepDrafts () {
  const form = document.querySelector('form[data-app-draft-url]')
  if (!form) return
  let timer
  const save = () => {
    fetch(form.dataset.appDraftUrl, {
      method: 'POST',
      body: new FormData(form),
      credentials: 'same-origin'
    }).catch(() => {})
  }
  const changed = () => {
    clearTimeout(timer)
    timer = setTimeout(save, 1000)
  }
  form.addEventListener('input', changed)
  form.addEventListener('change', changed)
  // A draft saved as the form is sent would come back with the session as it was before, and
  // the page after would lose what the sending left in it (the message that the task is done).
  form.addEventListener('submit', () => clearTimeout(timer))
}

keepDrafts()
