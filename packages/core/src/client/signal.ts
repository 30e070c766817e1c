/**
 * AbortSignal plumbing that works on every runtime we target. `AbortSignal.any` is missing on some
 * edge runtimes, and we want every listener and timer released when a call ends, so that a process
 * whose last call finished can exit at once.
 */

/** A signal that aborts when any of `signals` does, and a `dispose` that detaches it from them. */
export interface LinkedSignal {
  signal: AbortSignal
  dispose: () => void
}

/** Links `signals` (undefined entries ignored) into one. Call `dispose` when the work is done. */
export function linkSignals(signals: ReadonlyArray<AbortSignal | undefined>): LinkedSignal {
  const controller = new AbortController()
  const sources = signals.filter((s): s is AbortSignal => s !== undefined)
  const already = sources.find((s) => s.aborted)
  if (already) {
    controller.abort(already.reason)
    return { signal: controller.signal, dispose: () => {} }
  }
  const listeners = sources.map((source) => {
    const onAbort = () => controller.abort(source.reason)
    source.addEventListener('abort', onAbort, { once: true })
    return () => source.removeEventListener('abort', onAbort)
  })
  const dispose = () => {
    for (const remove of listeners) remove()
  }
  return { signal: controller.signal, dispose }
}

/**
 * Settles like `promise`, or rejects with `signal.reason` as soon as `signal` aborts. This enforces
 * the timeout even with an injected `fetch` that ignores its signal.
 */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => {}) // the loser of the race must not become an unhandled rejection
    return Promise.reject(signal.reason)
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason)
    signal.addEventListener('abort', onAbort, { once: true })
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort)
        resolve(value)
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort)
        reject(error)
      },
    )
  })
}

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
