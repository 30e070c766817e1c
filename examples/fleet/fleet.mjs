/**
 * Starts a fleet of API processes (`api.mjs`) sharing one Redis: `cluster` mode forks one node:cluster
 * primary (`cluster.mjs`) with `size` workers; `processes` mode forks `size` separate processes.
 * Each member has its own URL and answers two IPC commands (stats, revoke) for the demo and tests.
 */
import { fork } from 'node:child_process'
import { fileURLToPath } from 'node:url'

/**
 * @typedef {object} FleetMember
 * @property {string} url `http://127.0.0.1:<port>` of this process
 * @property {number} pid
 * @property {() => Promise<Record<string, number>>} stats the verifier's `stats()`
 * @property {(id: string) => Promise<unknown>} revoke `verifier.revokeToken({ m2mTokenId: id })` there
 */

/**
 * @param {object} options
 * @param {'cluster' | 'processes'} [options.mode]
 * @param {number} [options.size]
 * @param {Record<string, string>} options.env CLERK_API_URL, CLERK_SECRET_KEY, MACHINE_ID, REDIS_URL...
 * @param {number} [options.startTimeoutMs]
 * @returns {Promise<{ members: FleetMember[], stop: () => Promise<void> }>}
 */
export async function startFleet({ mode = 'cluster', size = 3, env, startTimeoutMs = 15_000 }) {
  const env_ = { ...process.env, ...env, FLEET_SIZE: String(size) }
  const script = (name) => fileURLToPath(new URL(name, import.meta.url))
  // Plain `node`: not the flags of whatever started us (a test runner's loaders and conditions).
  const options = { env: env_, stdio: 'inherit', execArgv: [] }
  const children =
    mode === 'cluster'
      ? [fork(script('cluster.mjs'), options)]
      : Array.from({ length: size }, () => fork(script('api.mjs'), options))
  // In cluster mode one channel carries every worker's messages, tagged with `worker`.
  const route = (index) =>
    mode === 'cluster' ? { child: children[0], worker: index } : { child: children[index] }
  const pending = new Map()
  const ready = new Map()
  let nextId = 0
  let onReady = () => undefined

  children.forEach((child, childIndex) => {
    child.on('message', (message) => {
      const index = mode === 'cluster' ? message.worker : childIndex
      if (message.type === 'ready') {
        ready.set(index, message)
        onReady()
      } else if (message.type === 'reply') {
        const settle = pending.get(message.requestId)
        pending.delete(message.requestId)
        if (message.error) settle?.reject(new Error(message.error))
        else settle?.resolve(message.result)
      }
    })
  })

  const request = (index, type, fields = {}) =>
    new Promise((resolve, reject) => {
      const requestId = nextId++
      pending.set(requestId, { resolve, reject })
      const { child, worker } = route(index)
      child.send({ type, requestId, worker, ...fields })
    })

  async function stop() {
    await Promise.all(
      children.map(
        (child) =>
          new Promise((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve(undefined)
            const timer = setTimeout(() => child.kill('SIGKILL'), 5000)
            child.once('exit', () => {
              clearTimeout(timer)
              resolve(undefined)
            })
            child.kill('SIGTERM')
          }),
      ),
    )
  }

  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the fleet did not start within ${startTimeoutMs} ms`)),
        startTimeoutMs,
      )
      for (const child of children)
        child.once('exit', (code) => reject(new Error(`a fleet process exited (${code})`)))
      onReady = () => {
        if (ready.size < size) return
        clearTimeout(timer)
        resolve(undefined)
      }
    })
  } catch (error) {
    await stop()
    throw error
  }

  const members = Array.from({ length: size }, (_, index) => ({
    url: `http://127.0.0.1:${ready.get(index).port}`,
    pid: ready.get(index).pid,
    stats: () => request(index, 'stats'),
    revoke: (id) => request(index, 'revoke', { id }),
  }))
  return { members, stop }
}
