// The runner side of the child processes: start one, wait until it is ready, talk to it over IPC,
// and stop every child at the end, on error and on signals. Children also exit by themselves when
// the IPC channel closes (child-ipc.mjs), so even a SIGKILLed runner leaves nothing behind.
import { fork } from 'node:child_process'

const READY_TIMEOUT_MS = 30_000
const REQUEST_TIMEOUT_MS = 10_000
const STOP_TIMEOUT_MS = 5_000

/** Every child still running, by pid. */
const running = new Map()

/**
 * Forks `modulePath` and resolves once it has sent { type: 'ready' }.
 *
 * @param {string} modulePath
 * @param {{ name: string, env?: Record<string, string>, inheritEnv?: boolean, execArgv?: string[] }} options
 *   `env` is added to the runner's environment, or replaces it when `inheritEnv` is false
 */
export function startChild(modulePath, { name, env = {}, inheritEnv = true, execArgv = [] }) {
  const child = fork(modulePath, [], {
    env: inheritEnv ? { ...process.env, ...env } : env,
    execArgv,
    // The runner's stdout carries the results: a child's chatter goes to stderr.
    stdio: ['ignore', process.stderr, process.stderr, 'ipc'],
  })
  track(child)
  return new Promise((resolve, reject) => {
    const fail = (error) => {
      clearTimeout(timer)
      child.off('exit', onEarlyExit)
      child.off('message', onStartup)
      child.kill('SIGKILL')
      reject(error)
    }
    const timer = setTimeout(
      () => fail(new Error(`${name}: not ready after ${READY_TIMEOUT_MS} ms`)),
      READY_TIMEOUT_MS,
    )
    const onEarlyExit = (code, signal) =>
      fail(new Error(`${name}: exited during startup (${signal ?? code})`))
    function onStartup(message) {
      if (message?.type === 'failed') return fail(new Error(`${name}: ${message.message}`))
      if (message?.type !== 'ready') return
      clearTimeout(timer)
      child.off('exit', onEarlyExit)
      child.off('message', onStartup)
      resolve(wrap(child, name, message))
    }
    child.once('exit', onEarlyExit)
    child.on('message', onStartup)
  })
}

function wrap(child, name, info) {
  let nextId = 0
  const pending = new Map()
  child.on('message', (message) => {
    const entry = pending.get(message?.id)
    if (entry === undefined) return
    pending.delete(message.id)
    clearTimeout(entry.timer)
    if (message.error !== undefined) entry.reject(new Error(`${name}: ${message.error}`))
    else entry.resolve(message.result)
  })
  child.once('exit', (code, signal) => {
    for (const entry of pending.values()) entry.reject(new Error(`${name}: exited (${signal ?? code})`))
    pending.clear()
  })
  return {
    name,
    info,
    pid: child.pid,
    get alive() {
      return child.exitCode === null && child.signalCode === null
    },
    request(cmd, args) {
      const id = ++nextId
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id)
          reject(new Error(`${name}: no answer to ${cmd} within ${REQUEST_TIMEOUT_MS} ms`))
        }, REQUEST_TIMEOUT_MS)
        pending.set(id, { resolve, reject, timer })
        child.send({ id, cmd, args })
      })
    },
    stop: () => stopChild(child),
  }
}

/** Asks a child to exit (so --cpu-prof can write its profile), then SIGKILLs it after a bound. */
function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve()
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS)
    child.once('exit', () => {
      clearTimeout(timer)
      resolve()
    })
    // Forked children exit on the 'exit' command; plain spawned ones (micro-benchmarks) on SIGTERM.
    // A child that died meanwhile closes the channel: fall back to a signal instead of an EPIPE.
    if (child.connected) child.send({ cmd: 'exit' }, (error) => error && child.kill('SIGKILL'))
    else child.kill('SIGTERM')
  })
}

/** Registers a child process so that stopAll() and killAllNow() stop it. */
export function track(child) {
  running.set(child.pid, child)
  child.once('exit', () => running.delete(child.pid))
  return child
}

/** Stops every running child (each by its own pid). */
export async function stopAll() {
  await Promise.all([...running.values()].map(stopChild))
}

/** Last resort on process exit: SIGKILL whatever is left, synchronously. */
export function killAllNow() {
  for (const child of running.values()) child.kill('SIGKILL')
  running.clear()
}

/** Number of children still running (for the final check that nothing is left over). */
export function runningCount() {
  return running.size
}
