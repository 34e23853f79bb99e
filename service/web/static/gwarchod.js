// Start GOV.UK Frontend's components (the pages work without it).
import { initAll } from './vendor/govuk-frontend/govuk-frontend.min.js'

initAll()
