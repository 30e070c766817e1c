import { setFlagsFromString } from 'node:v8'
import { runInNewContext } from 'node:vm'

/** What reached the process-wide last-resort handlers while a watch was on. */
export interface ProcessFaults {
  /** Messages of unhandled rejections and uncaught exceptions (never a token: ours carry none). */
  readonly seen: readonly string[]
  /** Stops listening. */
  stop(): void
}

/**
 * Listens for `unhandledRejection` and `uncaughtException` for as long as a test runs, so a test
 * can assert that a fault never escaped as a crash. Vitest has its own listeners too; ours only
 * record, theirs still fail the run.
 */
export function watchProcessFaults(): ProcessFaults {
  const seen: string[] = []
  const onRejection = (reason: unknown) => {
    seen.push(`unhandledRejection: ${describeReason(reason)}`)
  }
  const onException = (error: unknown) => {
    seen.push(`uncaughtException: ${describeReason(error)}`)
  }
  process.on('unhandledRejection', onRejection)
  process.on('uncaughtException', onException)
  return {
    seen,
    stop() {
      process.off('unhandledRejection', onRejection)
      process.off('uncaughtException', onException)
    },
  }
}

function describeReason(value: unknown): string {
  return value instanceof Error ? `${value.name}: ${value.message}` : typeof value
}

/** A full garbage collection, when the runtime allows one to be requested (V8: yes). */
export function collectGarbage(): void {
  const gc = globalThis.gc ?? exposeGc()
  gc?.()
  gc?.()
}

function exposeGc(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose-gc')
    return runInNewContext('gc') as () => void
  } catch {
    return undefined
  }
}

/** Memory figures in MiB, after a full collection. */
export interface MemorySample {
  rssMiB: number
  heapUsedMiB: number
}

export function sampleMemory(collect = true): MemorySample {
  if (collect) collectGarbage()
  const { rss, heapUsed } = process.memoryUsage()
  return { rssMiB: toMiB(rss), heapUsedMiB: toMiB(heapUsed) }
}

const toMiB = (bytes: number) => Math.round((bytes / 1024 / 1024) * 10) / 10

/**
 * Counts of active handles by kind (`TCPSocketWrap`, `Timeout`, ...), from
 * `process.getActiveResourcesInfo()`. Compared before and after a run to spot leaked sockets and
 * timers.
 */
export function activeResources(): Record<string, number> {
  const counts: Record<string, number> = {}
  for (const kind of process.getActiveResourcesInfo()) counts[kind] = (counts[kind] ?? 0) + 1
  return counts
}

/** Kinds whose count grew from `before` to `after`, with the growth. */
export function resourceGrowth(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const grown: Record<string, number> = {}
  for (const [kind, count] of Object.entries(after)) {
    const delta = count - (before[kind] ?? 0)
    if (delta > 0) grown[kind] = delta
  }
  return grown
}

/**
 * Polls `check` until it returns true or `timeoutMs` passes (bounded: at most `timeoutMs /
 * intervalMs` rounds). Used where resources are released a tick or two after `close()` resolves.
 */
export async function eventually(check: () => boolean, timeoutMs = 3000, intervalMs = 25): Promise<boolean> {
  const rounds = Math.ceil(timeoutMs / intervalMs)
  for (let i = 0; i < rounds; i++) {
    if (check()) return true
    await new Promise((resolve) => setTimeout(resolve, intervalMs))
  }
  return check()
}
