/**
 * Work the verifier starts for a request and does not make it wait for (a refresh ahead, a store
 * write on Workers), handed to the `waitUntil` option with that request.
 */
import type { LibraryLog } from '../logger.js'
import type { WaitUntil } from './options.js'

/**
 * Hands `task` (which never rejects) to `waitUntil` with `request`: `true` when it took it, `false`
 * when it answered `false` (not taken) or threw (logged once); the caller then awaits the work, or
 * lets it run unwatched.
 *
 * @example
 * ```ts
 * if (!keepAlive(config.waitUntil, written, request, log)) await written
 * ```
 */
export function keepAlive(
  waitUntil: WaitUntil,
  task: Promise<unknown>,
  request: unknown,
  log: LibraryLog,
): boolean {
  try {
    return waitUntil(task, request) !== false
  } catch (error) {
    const reason = error instanceof Error ? error.name : typeof error
    log.once('wait-until', 'error', `the waitUntil option threw (${reason}); going on without it`)
    return false
  }
}
