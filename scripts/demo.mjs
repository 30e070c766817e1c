#!/usr/bin/env node
/**
 * `pnpm demo`: the whole story on one machine, with no Clerk account and no network beyond
 * 127.0.0.1. Starts the emulator, walks one token through create -> verify -> list -> revoke ->
 * verify (rejected) with the `m2m-auth` CLI (run in-process, printed as you would type it), then runs
 * the demo of every framework example that exists, and finally the calling side: orders-service
 * calling billing-service many times through one token source. Exits 0 when every step did what it
 * should, 1 otherwise, and 1 if anything hangs. Secrets are masked in everything printed.
 */
import { existsSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { maskSecrets } from './demo-mask.mjs'

const HARD_TIMEOUT_MS = 90_000
/** Time allowed for the process to exit by itself once everything is closed. */
const EXIT_GRACE_MS = 5_000
const root = new URL('../', import.meta.url)

const hardTimeout = setTimeout(() => {
  console.error(`\ndemo: FAILED: still running after ${HARD_TIMEOUT_MS / 1000} s; something hangs`)
  process.exit(1)
}, HARD_TIMEOUT_MS)
hardTimeout.unref()

/** Imports a workspace package from its build output, with a clear message when it is not built. */
async function importBuilt(path) {
  const url = new URL(path, root)
  if (!existsSync(url)) {
    throw new Error(`${fileURLToPath(url)} is missing: run \`pnpm build\` first (or use \`pnpm demo\`)`)
  }
  return import(url.href)
}

const secrets = []
const mask = (text) => maskSecrets(text, secrets)
const say = (line = '') => console.log(mask(line))
const indent = (text) =>
  text
    .trimEnd()
    .split('\n')
    .map((line) => (line ? `    ${line}` : ''))
    .join('\n')

/**
 * Runs one CLI command in-process and prints it as typed, with its output. Fails the demo when the
 * exit code is not the expected one.
 */
async function cli(runCli, env, argv, { shown = argv.join(' '), expect = 0, learn } = {}) {
  let stdout = ''
  let stderr = ''
  const io = { stdout: { write: (s) => (stdout += s) }, stderr: { write: (s) => (stderr += s) }, env }
  say(`  $ m2m-auth ${shown}`)
  const code = await runCli(argv, io)
  // Lets the caller register a secret found in the output before the output is printed.
  learn?.(stdout)
  if (stdout) say(indent(stdout))
  if (stderr) say(indent(stderr))
  say(`    (exit code ${code}${code === expect ? '' : `, expected ${expect}`})`)
  say()
  if (code !== expect)
    throw new Error(`m2m-auth ${argv.slice(0, 2).join(' ')} exited ${code}, expected ${expect}`)
  return stdout
}

async function tokenWalkthrough(runCli, emulator) {
  const [orders, billing] = emulator.machines
  const base = { CLERK_API_URL: emulator.url }
  const asOrders = { ...base, CLERK_MACHINE_SECRET_KEY: orders.secretKey }
  const asBilling = { ...base, CLERK_MACHINE_SECRET_KEY: billing.secretKey }
  const asInstance = { ...base, CLERK_SECRET_KEY: emulator.secretKey }

  say(`1. ${orders.name} creates a token for ${billing.name} (with its Machine Secret Key)`)
  say(`  $ export CLERK_API_URL=${emulator.url} CLERK_MACHINE_SECRET_KEY=${orders.secretKey}`)
  const claims = '{"purpose":"demo"}'
  const lastLine = (text) => text.trimEnd().split('\n').at(-1) ?? ''
  const created = await cli(
    runCli,
    asOrders,
    ['token', 'create', '--expires-in', '600', '--claims', claims],
    {
      shown: `token create --expires-in 600 --claims '${claims}'`,
      learn: (out) => secrets.push(lastLine(out)),
    },
  )
  const token = lastLine(created)
  const id = /^\s+id\s+(mt_\w+)$/m.exec(created)?.[1]
  if (!token.startsWith('mt_') || !id) throw new Error('token create printed no token')
  say('  (the token is masked in this demo; the real command prints it whole, once: "$TOKEN" below)')
  say()

  say(`2. ${billing.name} verifies it (with its own key: it is in the token's scopes)`)
  await cli(runCli, asBilling, ['token', 'verify', token], { shown: 'token verify "$TOKEN"' })

  say(`3. The instance Secret Key lists ${orders.name}'s tokens`)
  await cli(runCli, asInstance, ['token', 'list', '--subject', orders.id])

  say(`4. ${orders.name} revokes the token`)
  await cli(runCli, asOrders, ['token', 'revoke', id, '--reason', 'demo finished'], {
    shown: `token revoke ${id} --reason "demo finished"`,
  })

  say(`5. Verifying it again is rejected (exit code 1: the token service said no)`)
  await cli(runCli, asBilling, ['token', 'verify', token], { shown: 'token verify "$TOKEN"', expect: 1 })

  say('6. Scripts use --json: one JSON document on stdout')
  await cli(runCli, asInstance, [
    'token',
    'list',
    '--subject',
    orders.id,
    '--revoked',
    '--limit',
    '1',
    '--json',
  ])
}

const ADAPTERS = [
  ['express', 'runExpressDemo'],
  ['fastify', 'runFastifyDemo'],
  ['hono', 'runHonoDemo'],
]

/** Runs each framework demo that exists; returns how many requests got an unexpected status. */
async function adapterDemos(emulator) {
  let mismatches = 0
  for (const [name, exportName] of ADAPTERS) {
    const file = new URL(`examples/${name}/demo.mjs`, root)
    if (!existsSync(file)) {
      say(`  ${name}: skipped (examples/${name}/demo.mjs does not exist yet)`)
      continue
    }
    const run = (await import(pathToFileURL(fileURLToPath(file)).href))[exportName]
    if (typeof run !== 'function') throw new Error(`examples/${name}/demo.mjs does not export ${exportName}`)
    const results = await run({ emulator, log: (line) => say(`  ${line}`) })
    for (const r of Array.isArray(results) ? results : []) {
      if (r.status !== r.expected) {
        mismatches++
        say(`  ${name}: UNEXPECTED ${r.status} (expected ${r.expected}) for ${r.name}`)
      }
    }
  }
  return mismatches
}

/** orders-service calls billing-service through one token source: every call 200, one token minted. */
async function callingService(emulator) {
  const core = await importBuilt('packages/core/dist/index.js')
  const { runCallingServiceDemo } = await import(new URL('examples/calling-service.mjs', root).href)
  const { calls, ok, tokensMinted } = await runCallingServiceDemo({
    emulator,
    core,
    log: (line) => say(`  ${line}`),
  })
  if (ok !== calls) throw new Error(`${calls - ok} of ${calls} calls through the token source failed`)
  if (tokensMinted !== 1) throw new Error(`${tokensMinted} tokens were minted for ${calls} calls, expected 1`)
}

async function main() {
  const { startEmulator } = await importBuilt('packages/emulator/dist/index.js')
  const { runCli } = await importBuilt('packages/cli/dist/index.js')
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0 })
  secrets.push(emulator.secretKey, ...emulator.machines.map((m) => m.secretKey))
  try {
    say(`Emulator listening on ${emulator.url} (a local, Clerk-compatible M2M token service)`)
    for (const m of emulator.machines) say(`  machine ${m.name.padEnd(16)} ${m.id}`)
    say()
    await tokenWalkthrough(runCli, emulator)
    say('7. The example APIs, one request per situation (the status each answered)')
    const mismatches = await adapterDemos(emulator)
    if (mismatches > 0) throw new Error(`${mismatches} example request(s) got an unexpected status`)
    say()
    say('8. The calling side: one token source for many outgoing calls')
    await callingService(emulator)
  } finally {
    await emulator.close()
  }
}

try {
  await main()
  say('\ndemo: OK')
  process.exitCode = 0
  // Everything is closed: Node should exit by itself now. If a handle is left open, say which.
  setTimeout(() => {
    console.error('demo: FAILED: something is still open:', process.getActiveResourcesInfo().join(', '))
    process.exit(1)
  }, EXIT_GRACE_MS).unref()
} catch (error) {
  console.error(mask(`\ndemo: FAILED: ${error instanceof Error ? error.message : String(error)}`))
  process.exit(1)
}
