/**
 * AbortSignal helpers that work on every runtime we target, and leave no listener or timer behind
 * when a call ends, so that a process whose last call finished can exit at once.
 */

/** Rejects with the signal's reason (an `AbortError` by default) when it is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw signal.reason
}

/** A `setTimeout` sleep that rejects with `signal.reason` when aborted and leaves no timer behind. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason)
      return
    }
    const onAbort = () => {
      clearTimeout(timer)
      reject(signal?.reason)
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal?.addEventListener('abort', onAbort, { once: true })
  })
}
