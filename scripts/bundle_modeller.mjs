// Bundles the process owners' diagram editor (service/web/assets/modeller/) with esbuild, for
// `make vendor`:
//
//     node scripts/bundle_modeller.mjs <out.js> <meta.json>
//
// The pages' content security policy refuses style attributes (style-src 'self'). Two MIT
// packages write some in their markup; the build moves them out, so the bundle runs under the
// policy, and gwarchod.scss gives the same styles by class:
// - bpmn-js-properties-panel makes its containers from markup with style attributes;
// - bpmn-js's align and distribute icons style their SVG shapes with style attributes, which
//   become SVG presentation attributes (the same properties, not subject to the policy).
// A replacement that no longer finds its text stops the build: check the new version by hand.
import fs from 'node:fs'
import * as esbuild from 'esbuild'

const [outfile, metafile] = process.argv.slice(2)

const PANEL = [
  ['<div style="height: 100%" tabindex="-1" class="bio-properties-panel-container">',
    '<div tabindex="-1" class="bio-properties-panel-container">'],
  ['<div style="flex: none; height: auto" class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">',
    '<div class="bio-properties-panel bio-theme-parent bio-properties-panel-header-container">']
]

function replaceAll (text, replacements, path) {
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`${path}: "${from}" is not there any more`)
    text = text.split(from).join(to)
  }
  return text
}

// style="fill:none;stroke:currentColor;" -> fill="none" stroke="currentColor"
function presentationAttributes (text, path) {
  let found = 0
  const done = text.replace(/ style="([^"]*)"/g, (_, declarations) => {
    found += 1
    return declarations.split(';').filter((each) => each.trim()).map((each) => {
      const [name, value] = each.split(':').map((part) => part.trim())
      return ` ${name}="${value}"`
    }).join('')
  })
  if (!found) throw new Error(`${path}: no style attribute found any more`)
  return done
}

const withoutStyleAttributes = {
  name: 'without-style-attributes',
  setup (build) {
    build.onLoad({ filter: /bpmn-js-properties-panel[\\/]dist[\\/]index\.esm\.js$/ }, (args) => ({
      contents: replaceAll(fs.readFileSync(args.path, 'utf8'), PANEL, args.path),
      loader: 'js'
    }))
    build.onLoad({ filter: /bpmn-js[\\/]lib[\\/]features[\\/](align|distribute)-elements[\\/]\w+Icons\.js$/ }, (args) => ({
      contents: presentationAttributes(fs.readFileSync(args.path, 'utf8'), args.path),
      loader: 'js'
    }))
  }
}

const result = await esbuild.build({
  entryPoints: ['service/web/assets/modeller/index.js'],
  bundle: true,
  format: 'esm',
  minify: true,
  target: 'es2020',
  legalComments: 'none',
  metafile: true,
  outfile,
  plugins: [withoutStyleAttributes]
})
fs.writeFileSync(metafile, JSON.stringify(result.metafile))
