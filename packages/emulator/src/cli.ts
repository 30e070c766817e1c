import { parseArgs } from 'node:util'
import { validateLatency } from './faults.js'
import { readStateFile } from './options.js'
import { startEmulator } from './server.js'
import type { Emulator, EmulatorOptions, LatencyMs } from './types.js'

/** Where {@link runEmulatorCli} writes and how it is stopped; defaults suit a real terminal. */
export interface EmulatorCliIo {
  /** One line of normal output. @default writes to process.stdout */
  stdout?: (line: string) => void
  /** One line of error output. @default writes to process.stderr */
  stderr?: (line: string) => void
  /** Stops the emulator when aborted (besides SIGINT and SIGTERM). */
  signal?: AbortSignal
  /** Called once the emulator listens. */
  onStarted?: (emulator: Emulator) => void
}

/** Usage text of `m2m-auth emulator`. */
export const EMULATOR_USAGE = `Usage: m2m-auth emulator [options]

Runs a local Clerk-compatible M2M token service and prints its URL and keys.

Options:
  --port <n>          port to listen on (default: 0, a free port)
  --host <addr>       interface to bind (default: 127.0.0.1)
  --seed <string>     derive ids and keys from this seed (same seed, same keys)
  --machines <file>   JSON file: an array of machines, or { seed?, instanceSecretKey?, machines? }
  --latency <ms>      delay of the M2M routes: a number, or a range such as 20-80
  --json              print one JSON line { url, secretKey, machines } instead of text
  -h, --help          show this help`

function parseLatency(value: string | undefined): LatencyMs | undefined {
  if (value === undefined) return undefined
  const range = /^(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(value)
  const latency = range ? { min: Number(range[1]), max: Number(range[2]) } : Number(value)
  if (typeof latency === 'number' && Number.isNaN(latency))
    throw new TypeError('--latency must be a number or MIN-MAX')
  return validateLatency(latency, '--latency')
}

function parsePort(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d{1,5}$/.test(value)) throw new TypeError('--port must be an integer in [0, 65535]')
  return Number(value)
}

interface CliPlan {
  help: boolean
  json: boolean
  options: EmulatorOptions
}

function plan(argv: string[]): CliPlan {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      seed: { type: 'string' },
      machines: { type: 'string' },
      latency: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  })
  const options: EmulatorOptions = {}
  const port = parsePort(values.port)
  const latencyMs = parseLatency(values.latency)
  if (port !== undefined) options.port = port
  if (values.host !== undefined) options.host = values.host
  if (values.seed !== undefined) options.seed = values.seed
  if (values.machines !== undefined) options.statePath = values.machines
  if (latencyMs !== undefined) options.latencyMs = latencyMs
  return { help: values.help === true, json: values.json === true, options }
}

/** Keys that came from the user's file: we never print those, only the ones we generated. */
async function providedKeys(statePath: string | undefined): Promise<Set<string>> {
  if (statePath === undefined) return new Set()
  const file = await readStateFile(statePath)
  const keys = (file.machines ?? []).map((m) => m.secretKey)
  return new Set([file.instanceSecretKey, ...keys].filter((k): k is string => typeof k === 'string'))
}

function report(emulator: Emulator, provided: Set<string>, json: boolean): string[] {
  const shown = (key: string) => (provided.has(key) ? undefined : key)
  if (json) {
    const machines = emulator.machines.map(({ id, name, secretKey }) => ({
      id,
      name,
      secretKey: shown(secretKey),
    }))
    return [JSON.stringify({ url: emulator.url, secretKey: shown(emulator.secretKey), machines })]
  }
  const lines = [
    `M2M emulator listening on ${emulator.url}`,
    `  CLERK_API_URL=${emulator.url}`,
    `  CLERK_SECRET_KEY=${shown(emulator.secretKey) ?? '(from your file)'}`,
    'Machines (CLERK_MACHINE_SECRET_KEY per machine):',
  ]
  // Names differ in length: pad them so ids and keys line up in columns.
  const width = Math.max(...emulator.machines.map((m) => m.name.length))
  for (const m of emulator.machines)
    lines.push(`  ${m.name.padEnd(width)}  ${m.id}  ${shown(m.secretKey) ?? '(from your file)'}`)
  lines.push('These are local development keys. Press Ctrl+C to stop.')
  return lines
}

/** Resolves when SIGINT, SIGTERM or `signal` arrives. */
function stopRequested(signal: AbortSignal | undefined): { done: Promise<string>; dispose(): void } {
  let onSignal: (name: string) => void = () => {}
  const done = new Promise<string>((resolve) => {
    onSignal = resolve
  })
  const onInt = () => onSignal('SIGINT')
  const onTerm = () => onSignal('SIGTERM')
  const onAbort = () => onSignal('abort')
  process.once('SIGINT', onInt)
  process.once('SIGTERM', onTerm)
  if (signal?.aborted) onAbort()
  else signal?.addEventListener('abort', onAbort, { once: true })
  const dispose = () => {
    process.off('SIGINT', onInt)
    process.off('SIGTERM', onTerm)
    signal?.removeEventListener('abort', onAbort)
  }
  return { done, dispose }
}

/**
 * `m2m-auth emulator [options]`: starts the emulator, prints its URL, the instance `sk_` and each
 * machine's id, name and `ak_`, and runs until SIGINT, SIGTERM or `io.signal`.
 *
 * @returns the exit code: 0 after a clean stop or `--help`, 2 for bad arguments, 1 if it cannot start
 * @example
 * ```ts
 * process.exitCode = await runEmulatorCli(['--port', '4010', '--seed', 'dev'])
 * ```
 */
export async function runEmulatorCli(argv: string[], io: EmulatorCliIo = {}): Promise<number> {
  const out = io.stdout ?? ((line: string) => process.stdout.write(`${line}\n`))
  const err = io.stderr ?? ((line: string) => process.stderr.write(`${line}\n`))
  let cli: CliPlan
  try {
    cli = plan(argv)
  } catch (error) {
    err(`m2m-auth emulator: ${(error as Error).message}`)
    err(EMULATOR_USAGE)
    return 2
  }
  if (cli.help) {
    out(EMULATOR_USAGE)
    return 0
  }
  const stop = stopRequested(io.signal)
  try {
    const emulator = await startEmulator(cli.options)
    for (const line of report(emulator, await providedKeys(cli.options.statePath), cli.json)) out(line)
    io.onStarted?.(emulator)
    await stop.done
    await emulator.close()
    return 0
  } catch (error) {
    err(`m2m-auth emulator: ${(error as Error).message}`)
    return 1
  } finally {
    stop.dispose()
  }
}
