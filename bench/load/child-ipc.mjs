// The child side of the runner's IPC protocol (see processes.mjs). A child announces itself with
// { type: 'ready', ...info }, answers { id, cmd } requests with { id, result } or { id, error },
// and exits on the 'exit' command or when the runner goes away (the IPC channel closes), so a
// crashed or interrupted runner never leaves a server or an emulator behind.

/**
 * Wires the IPC channel of a child process.
 *
 * @param {Record<string, () => unknown>} handlers command name -> handler (may return a promise)
 * @param {() => Promise<void>} close releases the child's resources before it exits
 * @returns {(info: object) => void} sends the ready message
 */
export function serveCommands(handlers, close) {
  let exiting = false
  const exit = async (code) => {
    if (exiting) return
    exiting = true
    // A stuck close() must not keep the process alive: the runner would have to SIGKILL it, and
    // --cpu-prof writes its profile only on a normal exit.
    const timer = setTimeout(() => process.exit(code), 2000)
    timer.unref()
    try {
      await close()
    } finally {
      process.exit(code)
    }
  }
  process.on('message', async (message) => {
    if (message?.cmd === 'exit') return exit(0)
    const handler = handlers[message?.cmd]
    try {
      if (handler === undefined) throw new Error(`unknown command ${message?.cmd}`)
      process.send({ id: message.id, result: await handler(message.args) })
    } catch (error) {
      process.send({ id: message.id, error: String(error?.message ?? error) })
    }
  })
  process.on('disconnect', () => exit(0))
  process.on('SIGTERM', () => exit(0))
  // SIGINT reaches the whole process group on Ctrl-C: let the runner decide when children stop.
  process.on('SIGINT', () => {})
  return (info) => process.send({ type: 'ready', ...info })
}

/** Reports a startup failure to the runner (without any secret) and exits non-zero. */
export function failStartup(error) {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error)
  if (process.connected) process.send({ type: 'failed', message })
  process.exitCode = 1
  setTimeout(() => process.exit(1), 100).unref()
}
