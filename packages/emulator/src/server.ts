import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { AdminControls } from './admin.js'
import type { Services } from './context.js'
import { createRng, FaultInjector } from './faults.js'
import { instanceId, instanceSecretKey, prngSeed, randomIdSource, seededIdSource } from './ids.js'
import { KeyRing } from './jwt.js'
import { envForMachine, pickMachine } from './machine-env.js'
import { machineRef, resolveOptions, seedMachines } from './options.js'
import { handleRequest, StatsCounter } from './pipeline.js'
import { Store } from './state.js'
import { mintTestToken, revokeTestToken } from './test-helpers.js'
import type { Emulator, EmulatorMachine, EmulatorOptions, MintTokenInput } from './types.js'

/** Delays that `close()` cancels, so a closed emulator leaves no timer behind. */
function cancellableSleep() {
  const timers = new Set<NodeJS.Timeout>()
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })
  const cancelAll = () => {
    for (const timer of timers) clearTimeout(timer)
    timers.clear()
  }
  return { sleep, cancelAll }
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve(server.address() as AddressInfo)
    })
  })
}

function closer(server: Server, cancelAll: () => void): () => Promise<void> {
  let closing: Promise<void> | undefined
  return () => {
    closing ??= new Promise<void>((resolve) => {
      cancelAll()
      server.close(() => resolve())
      // Keep-alive, hung and half-read connections would hold close() open: destroy them all.
      server.closeAllConnections()
    })
    return closing
  }
}

const publicMachine = ({ id, name, secretKey }: EmulatorMachine): EmulatorMachine => ({ id, name, secretKey })

/** Machine creation and grants, by name or id, shared by the handle and the admin routes. */
function machineControls(store: Store) {
  const ref = (value: unknown, at: string) => {
    if (typeof value !== 'string') throw new TypeError(`${at} must be a machine name or id`)
    return machineRef(store, value, at)
  }
  return {
    machines: () => [...store.machines.values()].map(publicMachine),
    createMachine({ name, scopes = [] }: { name?: unknown; scopes?: unknown }) {
      if (typeof name !== 'string' || name.length < 1 || name.length > 255) {
        throw new TypeError('name must be a string of 1 to 255 characters')
      }
      if (!Array.isArray(scopes)) throw new TypeError('scopes must be an array of machine names or ids')
      const scopeIds = scopes.map((s, i) => ref(s, `scopes[${i}]`))
      return publicMachine(store.createMachine({ name, scopes: scopeIds }))
    },
    grantScope(from: unknown, to: unknown) {
      store.grantScope(ref(from, 'from'), ref(to, 'to'))
    },
  }
}

/** The emulator's state and controls, before any socket exists. */
function createCore(resolved: EmulatorOptions, now: () => number) {
  const ids = resolved.seed === undefined ? randomIdSource : seededIdSource(resolved.seed)
  const key = resolved.instanceSecretKey ?? instanceSecretKey(ids)
  const store = new Store(key, instanceId(ids), ids, now, resolved.expiredTokenRetentionMs)
  seedMachines(store, resolved.machines ?? [])
  const keys = new KeyRing()
  const services: Services = { store, keys, now }
  const faults = new FaultInjector(
    createRng(prngSeed(resolved.seed, 'faults')),
    createRng(prngSeed(resolved.seed, 'latency')),
  )
  faults.set(resolved.faults ?? {})
  faults.setLatency(resolved.latencyMs ?? 0)
  const stats = new StatsCounter()
  const admin: AdminControls = {
    getFaults: () => faults.get(),
    setFaults: (f) => faults.set(f),
    getLatency: () => faults.getLatency(),
    setLatency: (l) => faults.setLatency(l),
    rotateJwtKey: ({ keepOld }) => keys.rotate(keepOld ?? true),
    stats: () => stats.snapshot(),
    resetStats: () => stats.reset(),
    mintToken: (input) => mintTestToken(services, input as MintTokenInput),
    revokeToken: (id, reason) => revokeTestToken(services, id, reason),
    ...machineControls(store),
  }
  return { services, faults, stats, admin }
}

type Core = ReturnType<typeof createCore>

/** The public handle over a listening emulator. */
function handle(url: string, { services, admin }: Core, close: () => Promise<void>): Emulator {
  const { store } = services
  const machine = (ref: string) => pickMachine(admin.machines(), ref, 'machine')
  return {
    url,
    secretKey: store.instanceSecretKey,
    get machines() {
      return admin.machines()
    },
    createMachine: (input) => admin.createMachine(input),
    grantScope: (from, to) => admin.grantScope(from, to),
    setFaults: admin.setFaults,
    clearFaults: () => admin.setFaults({}),
    setLatency: admin.setLatency,
    rotateJwtKey: (opts = {}) => admin.rotateJwtKey(opts),
    stats: admin.stats,
    resetStats: admin.resetStats,
    machine,
    envFor: (ref) => envForMachine(url, pickMachine(admin.machines(), ref, 'envFor')),
    mintToken: (input) => admin.mintToken(input),
    revokeToken: async (id, options = {}) => admin.revokeToken(id, options.reason),
    info: () => ({ url, secretKey: store.instanceSecretKey, machines: admin.machines() }),
    close,
  }
}

/**
 * Starts a local, Clerk-compatible M2M token service on loopback.
 *
 * @example
 * ```ts
 * const emulator = await startEmulator()
 * const [orders] = emulator.machines
 * const res = await fetch(`${emulator.url}/m2m_tokens`, {
 *   method: 'POST',
 *   headers: { Authorization: `Bearer ${orders.secretKey}` },
 * })
 * await emulator.close()
 * ```
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const resolved = await resolveOptions(options)
  const now = options.now ?? Date.now
  const core = createCore(resolved, now)
  const { sleep, cancelAll } = cancellableSleep()
  const deps = { ...core, sleep }
  const server = createServer((req, res) => void handleRequest(req, res, deps))
  const address = await listen(server, resolved.port ?? 0, resolved.host ?? '127.0.0.1')
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  return handle(`http://${host}:${address.port}`, core, closer(server, cancelAll))
}
