/**
 * Runs the built `m2m-auth` bin as a subprocess. Asynchronous on purpose: the emulator the CLI talks
 * to runs in this test process and must keep answering while the child waits.
 */
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

/** The built executable; `pnpm test` builds it first (`turbo run build`). */
export const BIN = fileURLToPath(new URL('../dist/bin.js', import.meta.url))

/** Fails loudly, before any test, when the package was not built. */
export function assertBuilt(): void {
  if (!existsSync(BIN)) {
    throw new Error(`${BIN} is missing: build first with \`pnpm build\` (or \`cd packages/cli && npx tsup\`)`)
  }
}

/** What one run of the CLI produced. */
export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
  elapsedMs: number
}

/** Options of {@link runBin}. */
export interface RunOptions {
  /** Added to a minimal environment (no CLERK_* variable leaks in from the test runner). */
  env?: Record<string, string>
  /** Written to the child's standard input, which is then closed. */
  stdin?: string
  /** The child is killed past this, and the run rejects. @default 15000 */
  deadlineMs?: number
}

function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const key of ['PATH', 'HOME', 'TMPDIR', 'SYSTEMROOT']) {
    const value = process.env[key]
    if (value !== undefined) env[key] = value
  }
  return env
}

/** A running bin: its process, the output so far, and its end. */
export interface StartedBin {
  child: ChildProcessWithoutNullStreams
  /** Everything written to stdout so far. */
  stdout(): string
  /** Resolves when the process exits (or rejects past the deadline, after killing it). */
  exited: Promise<CliRun>
}

/** Starts `node dist/bin.js ...args`; the caller decides when it should end. */
export function startBin(args: string[], options: RunOptions = {}): StartedBin {
  const started = Date.now()
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...baseEnv(), ...options.env } })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk
  })
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk
  })
  child.stdin.end(options.stdin ?? '')
  const deadlineMs = options.deadlineMs ?? 15000
  const exited = new Promise<CliRun>((resolve, reject) => {
    const deadline = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`m2m-auth ${args.join(' ').slice(0, 40)} did not exit within ${deadlineMs} ms`))
    }, deadlineMs)
    child.on('error', reject)
    child.on('close', (code) => {
      clearTimeout(deadline)
      resolve({ code, stdout, stderr, elapsedMs: Date.now() - started })
    })
  })
  return { child, stdout: () => stdout, exited }
}

/** Runs `node dist/bin.js ...args` to its end and collects its output and exit code. */
export function runBin(args: string[], options: RunOptions = {}): Promise<CliRun> {
  return startBin(args, options).exited
}

/** Resolves with the first complete stdout line of `bin`; bounded by its deadline. */
export async function firstLine(bin: StartedBin, timeoutMs = 10000): Promise<string> {
  const until = Date.now() + timeoutMs
  while (Date.now() < until) {
    const text = bin.stdout()
    const end = text.indexOf('\n')
    if (end >= 0) return text.slice(0, end)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error('no output line in time')
}

/** The environment that points the CLI at an emulator with a given key. */
export function envFor(
  apiUrl: string,
  keys: { machine?: string; instance?: string },
): Record<string, string> {
  const env: Record<string, string> = { CLERK_API_URL: apiUrl }
  if (keys.machine) env.CLERK_MACHINE_SECRET_KEY = keys.machine
  if (keys.instance) env.CLERK_SECRET_KEY = keys.instance
  return env
}
