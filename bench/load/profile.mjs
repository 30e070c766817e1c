// Summarises the .cpuprofile files that `BENCH_CPU_PROF=1 pnpm bench` makes the servers write:
// self time by package and by function, idle time excluded. Also runnable on its own:
//   node bench/load/profile.mjs <dir with .cpuprofile files> [top N]
import { readdirSync, readFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The package (or runtime part) a profiled function belongs to. */
export function categoryOf({ functionName, url }) {
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)'
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/').slice(0, 2).join('/')}`
  const nm = url.lastIndexOf('/node_modules/')
  if (nm !== -1) {
    const parts = url.slice(nm + 14).split('/')
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]
  }
  const pkg = /\/packages\/([^/]+)\//.exec(url)
  if (pkg) return `@m2m-auth/${pkg[1]}`
  return basename(url)
}

/** Self time (ms) per profile node id. */
function selfTimes(profile) {
  const self = new Map()
  const { samples = [], timeDeltas = [] } = profile
  for (let i = 0; i < samples.length; i++) {
    // timeDeltas[i] is the time elapsed before sample i: charge it to that sample's node.
    self.set(samples[i], (self.get(samples[i]) ?? 0) + (timeDeltas[i] ?? 0) / 1000)
  }
  return self
}

function top(map, n) {
  return [...map.entries()].sort((x, y) => y[1] - x[1]).slice(0, n)
}

/** What counts as m2m-auth's own work: its packages and the libraries it calls for the job. */
const OURS = new Set(['lru-cache', 'undici'])
const isOurs = (category) => category.startsWith('@m2m-auth/') || OURS.has(category)

/**
 * For each profile node, whether its time is m2m-auth's: the innermost frame of a package (or of
 * an app file) decides, and runtime frames (node:*, native code, the garbage collector excepted)
 * belong to the package that called them; llhttp's WebAssembly is undici's (Node's own HTTP
 * server parses in C++). So a socket write of the verify call is ours, the response write of the
 * app's route is not, and the framework's work that runs inside our hook's `next()` is the
 * framework's.
 */
function ownership(profile) {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]))
  const parent = new Map()
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id)
  const owned = new Map()
  const ours = (id) => {
    const path = []
    let answer = false
    for (let at = id; at !== undefined; at = parent.get(at)) {
      if (owned.has(at)) {
        answer = owned.get(at)
        break
      }
      path.push(at)
      const { url } = byId.get(at).callFrame
      if (url.startsWith('wasm')) {
        answer = true
        break
      }
      if (url !== '' && !url.startsWith('node:')) {
        answer = isOurs(categoryOf(byId.get(at).callFrame))
        break
      }
    }
    for (const at of path) owned.set(at, answer)
    return answer
  }
  return ours
}

/**
 * { busyMs, idleMs, oursMs, byCategory: [name, ms][], byFunction: [name, ms][] } of one profile;
 * `oursMs` is the busy time attributed to m2m-auth (see `ownership`).
 */
export function summarizeProfile(profile, n = 15) {
  const self = selfTimes(profile)
  const ours = ownership(profile)
  let oursMs = 0
  const byCategory = new Map()
  const byFunction = new Map()
  let busyMs = 0
  let idleMs = 0
  for (const node of profile.nodes) {
    const ms = self.get(node.id) ?? 0
    if (ms === 0) continue
    const frame = node.callFrame
    if (frame.functionName === '(idle)') {
      idleMs += ms
      continue
    }
    busyMs += ms
    if (frame.functionName !== '(garbage collector)' && ours(node.id)) oursMs += ms
    const category = categoryOf(frame)
    const where = frame.url === '' ? '' : ` ${basename(frame.url)}:${frame.lineNumber + 1}`
    const name = `${frame.functionName || '(anonymous)'}${where} [${category}]`
    byCategory.set(category, (byCategory.get(category) ?? 0) + ms)
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms)
  }
  return { busyMs, idleMs, oursMs, byCategory: top(byCategory, n), byFunction: top(byFunction, n) }
}

function render(file, { busyMs, idleMs, oursMs, byCategory, byFunction }) {
  const pct = (ms) => `${((ms / busyMs) * 100).toFixed(1).padStart(5)}%`
  return [
    `### ${basename(file, '.cpuprofile')}: busy ${(busyMs / 1000).toFixed(1)} s, idle ${(idleMs / 1000).toFixed(1)} s`,
    `m2m-auth's share of the busy time (its code, lru-cache, undici and the runtime work they call; warm-ups included): ${pct(oursMs).trim()}`,
    'self time by package:',
    ...byCategory.map(([name, ms]) => `  ${pct(ms)}  ${name}`),
    'self time by function:',
    ...byFunction.map(([name, ms]) => `  ${pct(ms)}  ${name}`),
  ].join('\n')
}

/** The summary of every .cpuprofile in `dir`, as text. */
export function summarizeProfiles(dir, n = 15) {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .sort()
  if (files.length === 0) return `no .cpuprofile in ${dir}`
  return files
    .map((f) => render(f, summarizeProfile(JSON.parse(readFileSync(join(dir, f), 'utf8')), n)))
    .join('\n\n')
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir, n] = process.argv.slice(2)
  if (dir === undefined) {
    console.error('usage: node bench/load/profile.mjs <dir> [top N]')
    process.exit(2)
  }
  console.log(summarizeProfiles(dir, Number(n ?? 15)))
}
