import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file is `test/runtimes/process.ts`). */
export const repoRoot = fileURLToPath(new URL('../../', import.meta.url))

/** Absolute path of a repository-relative path. */
export function fromRoot(path: string): string {
  return fileURLToPath(new URL(path, new URL('../../', import.meta.url)))
}

/**
 * Path of a runtime binary, or `undefined` when it is not installed. A suite that needs it skips
 * loudly instead of failing, so a machine without Bun (say) still runs the rest of the matrix.
 */
export function findBinary(relativePath: string, name: string): string | undefined {
  const path = fromRoot(relativePath)
  if (existsSync(path)) return path
  console.warn(`[runtimes] ${name} not found at ${relativePath}: its checks are SKIPPED`)
  return undefined
}

/**
 * The runtimes load the packages as users do, from `dist` (ARCHITECTURE.md: subprocess tests use
 * the build, which `pnpm test` makes first). A missing build fails with the command to run; a build
 * older than its sources only warns, since the run is still meaningful for what did not change.
 */
export function assertBuilt(packages: readonly string[]): void {
  for (const name of packages) {
    const entry = fromRoot(`packages/${name}/dist/index.js`)
    if (!existsSync(entry)) {
      throw new Error(`packages/${name}/dist is missing: run \`pnpm build\` first (\`pnpm test\` does)`)
    }
    const built = statSync(entry).mtimeMs
    if (newestMtime(fromRoot(`packages/${name}/src`)) > built) {
      console.warn(
        `[runtimes] packages/${name}/dist is older than its src: run \`pnpm build\` to test your changes`,
      )
    }
  }
}

function newestMtime(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

/** Options of {@link startServerProcess}. */
export interface ServerProcessOptions {
  command: string
  args: string[]
  /** The complete environment of the child: nothing is inherited, so a developer's own keys never leak in. */
  env: Record<string, string>
  cwd?: string
  /**
   * How long the child may take to print `listening on http://...`.
   * @default 15000
   */
  startTimeoutMs?: number
  /**
   * Hard limit on the child's whole life: it is killed then even if the suite forgot to stop it.
   * @default 60000
   */
  lifetimeMs?: number
}

/** A server running in a child process. */
export interface ServerProcess {
  /** `http://127.0.0.1:<port>`, as printed by the child. */
  url: string
  /** What the child printed so far (stdout and stderr), for failure messages. */
  output(): string
  /** Stops the child (SIGTERM, then SIGKILL after 3 s) and resolves once it has exited. */
  stop(): Promise<void>
}

const LISTENING = /listening on (http:\/\/127\.0\.0\.1:\d+)/

/**
 * Spawns a server that listens on a free loopback port and prints `listening on <url>`; resolves
 * with that url. The child is time-boxed twice: for its start, and for its whole life.
 */
export function startServerProcess(options: ServerProcessOptions): Promise<ServerProcess> {
  const child = spawn(options.command, options.args, {
    cwd: options.cwd ?? repoRoot,
    env: options.env,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: the runtime shims in node_modules/.bin are shell scripts that start the
    // real binary as a child, and killing the group reaches both.
    detached: true,
  })
  let output = ''
  const killOnExit = () => killGroup(child, 'SIGKILL')
  process.once('exit', killOnExit)
  const lifetime = setTimeout(() => killGroup(child, 'SIGKILL'), options.lifetimeMs ?? 60_000)
  lifetime.unref()
  child.once('exit', () => {
    clearTimeout(lifetime)
    process.off('exit', killOnExit)
  })
  const stop = () => stopChild(child)

  return new Promise((resolve, reject) => {
    let settled = false
    const fail = (reason: string) => {
      if (settled) return
      settled = true
      clearTimeout(startTimer)
      void stop().then(() => reject(new Error(`${reason}\n--- output ---\n${output}`)))
    }
    const startTimer = setTimeout(
      () => fail(`${options.command} did not start within ${options.startTimeoutMs ?? 15_000} ms`),
      options.startTimeoutMs ?? 15_000,
    )
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8')
      const match = LISTENING.exec(output)
      if (match?.[1] === undefined || settled) return
      settled = true
      clearTimeout(startTimer)
      child.stdout?.off('data', onData)
      child.stdout?.on('data', (more: Buffer) => {
        output += more.toString('utf8')
      })
      resolve({ url: match[1], output: () => output, stop })
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8')
    })
    child.once('error', (error) => fail(`could not spawn ${options.command}: ${error.message}`))
    child.once('exit', (code, signal) =>
      fail(`${options.command} exited early (code ${code}, signal ${signal})`),
    )
  })
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) {
    killGroup(child, 'SIGKILL')
    return Promise.resolve()
  }
  return new Promise((resolve) => {
    const force = setTimeout(() => killGroup(child, 'SIGKILL'), 3000)
    child.once('exit', () => {
      clearTimeout(force)
      // The shim may be gone while the runtime it started is not: make sure of the whole group.
      killGroup(child, 'SIGKILL')
      resolve()
    })
    killGroup(child, 'SIGTERM')
  })
}

/** Signals the child's process group (only ever the group this suite created). */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return
  try {
    process.kill(-child.pid, signal)
  } catch {
    // Already gone.
  }
}

/** The environment every runtime child gets: a PATH and a HOME, nothing else of ours. */
export function baseEnv(): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    NO_COLOR: '1',
  }
}
