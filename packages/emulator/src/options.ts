import { readFile } from 'node:fs/promises'
import { checkKnownKeys } from '@m2m-auth/core'
import { MACHINE_ID_PATTERN } from './ids.js'
import type { Store } from './state.js'
import type { EmulatorMachineSeed, EmulatorOptions } from './types.js'

/**
 * The machines created when no `machines` option is given: two services, each allowed to send
 * tokens to the other, so both directions work out of the box.
 */
export const DEFAULT_MACHINES: readonly EmulatorMachineSeed[] = [
  { name: 'orders-service', scopes: ['billing-service'] },
  { name: 'billing-service', scopes: ['orders-service'] },
]

/** What a state file (`statePath`, CLI `--machines`) may hold. */
interface StateFile {
  seed?: string
  instanceSecretKey?: string
  machines?: EmulatorMachineSeed[]
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/**
 * Every key of {@link EmulatorOptions}: anything else is a typo that must not pass silently (core's
 * `checkKnownKeys`: an `M2MConfigError` naming the key, with a suggestion).
 */
const OPTION_KEYS = [
  'port',
  'host',
  'machines',
  'seed',
  'instanceSecretKey',
  'latencyMs',
  'faults',
  'statePath',
  'now',
  'expiredTokenRetentionMs',
] as const satisfies readonly (keyof EmulatorOptions)[]
const MACHINE_SEED_KEYS = [
  'name',
  'id',
  'secretKey',
  'scopes',
  'defaultTokenTtlSeconds',
] as const satisfies readonly (keyof EmulatorMachineSeed)[]
const STATE_FILE_KEYS = [
  'seed',
  'instanceSecretKey',
  'machines',
] as const satisfies readonly (keyof StateFile)[]

/** Reads a state file: `{ seed?, instanceSecretKey?, machines? }` or a bare array of machines. */
export async function readStateFile(path: string): Promise<StateFile> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new TypeError(
      `statePath: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
    )
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    // Not the parser's message: it quotes the text, which may hold secret keys.
    throw new TypeError(`statePath: ${path} is not valid JSON`)
  }
  if (Array.isArray(parsed)) return { machines: parsed as EmulatorMachineSeed[] }
  if (!isRecord(parsed))
    throw new TypeError('statePath: the file must hold an object or an array of machines')
  checkKnownKeys(parsed, STATE_FILE_KEYS, 'statePath')
  return parsed as StateFile
}

function checkMachineSeed(seed: unknown, at: string): asserts seed is EmulatorMachineSeed {
  if (!isRecord(seed)) throw new TypeError(`${at} must be an object`)
  checkKnownKeys(seed, MACHINE_SEED_KEYS, at)
  const { name, id, secretKey, scopes, defaultTokenTtlSeconds: ttl } = seed
  if (typeof name !== 'string' || name.length < 1 || name.length > 255) {
    throw new TypeError(`${at}.name must be a string of 1 to 255 characters`)
  }
  if (id !== undefined && (typeof id !== 'string' || !MACHINE_ID_PATTERN.test(id))) {
    throw new TypeError(`${at}.id must match ${MACHINE_ID_PATTERN}`)
  }
  if (secretKey !== undefined && (typeof secretKey !== 'string' || !/^ak_\S{8,}$/.test(secretKey))) {
    throw new TypeError(`${at}.secretKey must start with ak_ and have at least 8 more characters`)
  }
  if (scopes !== undefined && (!Array.isArray(scopes) || scopes.some((s) => typeof s !== 'string'))) {
    throw new TypeError(`${at}.scopes must be an array of machine names or ids`)
  }
  if (ttl !== undefined && (!Number.isInteger(ttl) || (ttl as number) < 1 || (ttl as number) > 315_360_000)) {
    throw new RangeError(`${at}.defaultTokenTtlSeconds must be an integer in [1, 315360000]`)
  }
}

/** Options merged with the state file (code wins) and checked; throws errors naming the option. */
export async function resolveOptions(options: EmulatorOptions): Promise<EmulatorOptions> {
  const given: unknown = options
  if (!isRecord(given)) throw new TypeError('options must be an object')
  checkKnownKeys(given, OPTION_KEYS)
  const file = options.statePath === undefined ? {} : await readStateFile(options.statePath)
  const merged: EmulatorOptions = {
    ...options,
    seed: options.seed ?? file.seed,
    instanceSecretKey: options.instanceSecretKey ?? file.instanceSecretKey,
    machines: options.machines ?? file.machines ?? [...DEFAULT_MACHINES],
  }
  const { port, seed, instanceSecretKey, machines } = merged
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65_535)) {
    throw new RangeError('port must be an integer in [0, 65535]')
  }
  if (seed !== undefined && (typeof seed !== 'string' || seed === ''))
    throw new TypeError('seed must be a non-empty string')
  if (instanceSecretKey !== undefined && !/^sk_\S{8,}$/.test(String(instanceSecretKey))) {
    throw new TypeError('instanceSecretKey must start with sk_ and have at least 8 more characters')
  }
  const retention = merged.expiredTokenRetentionMs
  if (retention !== undefined && (!Number.isFinite(retention) || retention < 0)) {
    throw new RangeError('expiredTokenRetentionMs must be a number of milliseconds >= 0')
  }
  if (!Array.isArray(machines)) throw new TypeError('machines must be an array')
  for (const [i, m] of machines.entries()) checkMachineSeed(m, `machines[${i}]`)
  const names = machines.map((m) => m.name)
  const duplicate = names.find((n, i) => names.indexOf(n) !== i)
  if (duplicate !== undefined) throw new TypeError(`machines: the name ${duplicate} is used twice`)
  return merged
}

/** Resolves a machine name or id to an id; throws naming `at` when there is none. */
export function machineRef(store: Store, ref: string, at: string): string {
  const machine = store.findMachine(ref)
  if (!machine) throw new TypeError(`${at}: no machine named or with id ${ref}`)
  return machine.id
}

/** Creates the seed machines, then their scopes (so a scope may name a machine created later). */
export function seedMachines(store: Store, machines: readonly EmulatorMachineSeed[]): void {
  const created = machines.map((m) =>
    store.createMachine({
      name: m.name,
      ...(m.id === undefined ? {} : { id: m.id }),
      ...(m.secretKey === undefined ? {} : { secretKey: m.secretKey }),
      ...(m.defaultTokenTtlSeconds === undefined ? {} : { defaultTokenTtlSeconds: m.defaultTokenTtlSeconds }),
    }),
  )
  machines.forEach((m, i) => {
    for (const ref of m.scopes ?? [])
      store.grantScope(created[i]!.id, machineRef(store, ref, `machines[${i}].scopes`))
  })
}
