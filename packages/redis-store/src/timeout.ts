/**
 * A deadline on one Redis call. Redis sits on the request path of every verification, so a slow or
 * hung server must cost at most `timeoutMs`, after which the caller carries on without it.
 */

/** The Redis operations the store performs, as named in errors and in `onError`. */
export type RedisStoreOperation = 'get' | 'set' | 'delete' | 'lock' | 'unlock' | 'publish' | 'subscribe'

/**
 * A Redis call that did not answer within `timeoutMs`. The command may still run later (a client
 * queues it); the store has stopped waiting for it.
 */
export class RedisStoreTimeoutError extends Error {
  override readonly name = 'RedisStoreTimeoutError'
  /** The operation that timed out. */
  readonly operation: RedisStoreOperation
  /** The deadline that passed, in milliseconds. */
  readonly timeoutMs: number

  constructor(operation: RedisStoreOperation, timeoutMs: number) {
    super(`Redis ${operation} did not answer within ${timeoutMs} ms`)
    this.operation = operation
    this.timeoutMs = timeoutMs
  }
}

/**
 * Settles like `call()`, or rejects with {@link RedisStoreTimeoutError} after `timeoutMs`. The
 * timer is cleared as soon as either side wins, and a call that throws synchronously (a closed
 * client) rejects instead of throwing, so callers handle one failure path.
 */
export function withTimeout<T>(
  operation: RedisStoreOperation,
  timeoutMs: number,
  call: () => PromiseLike<T>,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new RedisStoreTimeoutError(operation, timeoutMs)), timeoutMs)
    const settle =
      <A>(fn: (arg: A) => void) =>
      (arg: A): void => {
        clearTimeout(timer)
        fn(arg)
      }
    try {
      // A late answer after the timeout lands here too: the promise is settled, so it is ignored,
      // and its rejection is handled, so it never surfaces as an unhandled rejection.
      Promise.resolve(call()).then(settle(resolve), settle(reject))
    } catch (error) {
      settle(reject)(error)
    }
  })
}
