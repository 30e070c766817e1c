import type { M2MToken } from '@m2m-auth/core'
import { conflict, notFound } from './errors.js'
import { type IdSource, MACHINE_ID_PATTERN, machineId, machineSecretKey } from './ids.js'

/** A machine as the emulator keeps it. */
export interface MachineRecord {
  id: string
  name: string
  secretKey: string
  createdAt: number
  updatedAt: number
  defaultTokenTtlSeconds: number
  /** Creation order (0, 1, 2...), to order machines created in the same millisecond. */
  sequence: number
  /** Machines this one may send tokens to, in grant order, with the grant time. */
  scopes: Map<string, number>
}

/** A stored (opaque) token. JWT-format tokens are never stored, as at Clerk. */
export interface TokenRecord {
  token: Omit<M2MToken, 'token' | 'expired'>
  /** The opaque token string (`mt_...`). */
  secret: string
}

/** Who a request authenticated as. */
export type Caller = { kind: 'instance' } | { kind: 'machine'; machine: MachineRecord }

/** Input of {@link Store.createMachine}; `scopes` are machine ids. */
export interface NewMachine {
  name: string
  id?: string
  secretKey?: string
  scopes?: string[]
  defaultTokenTtlSeconds?: number
}

/** Default of {@link Store.expiredRetentionMs}: how long an expired token stays listable. */
export const DEFAULT_EXPIRED_RETENTION_MS = 600_000
/** Least time between two sweeps of expired tokens, so a sweep (O(tokens)) stays amortised. */
const SWEEP_INTERVAL_MS = 10_000

/**
 * The emulator's in-memory state: one instance, its machines and its opaque tokens. Tokens expired
 * for longer than `expiredRetentionMs` are dropped as new ones arrive, so a long-running emulator
 * (a benchmark minting short-lived tokens) stays bounded.
 */
export class Store {
  readonly machines = new Map<string, MachineRecord>()
  readonly tokens = new Map<string, TokenRecord>()
  private readonly machineByKey = new Map<string, MachineRecord>()
  private readonly tokenBySecret = new Map<string, TokenRecord>()
  private readonly tokensBySubject = new Map<string, TokenRecord[]>()
  private machineCount = 0
  private lastSweepAt: number

  constructor(
    readonly instanceSecretKey: string,
    readonly instanceId: string,
    private readonly ids: IdSource,
    private readonly now: () => number,
    readonly expiredRetentionMs = DEFAULT_EXPIRED_RETENTION_MS,
  ) {
    this.lastSweepAt = now()
  }

  /** Creates a machine; ids and keys come from the id source unless given. */
  createMachine(input: NewMachine): MachineRecord {
    const sequence = this.machineCount++
    const label = `machine:${sequence}`
    const id = input.id ?? machineId(this.ids, label)
    if (!MACHINE_ID_PATTERN.test(id)) throw new TypeError(`machine id must match ${MACHINE_ID_PATTERN}`)
    if (this.machines.has(id)) throw conflict(`A machine with id ${id} already exists.`)
    const secretKey = input.secretKey ?? machineSecretKey(this.ids, label)
    if (this.machineByKey.has(secretKey) || secretKey === this.instanceSecretKey) {
      throw conflict('That secret key is already in use.')
    }
    const at = this.now()
    const machine: MachineRecord = {
      id,
      name: input.name,
      secretKey,
      createdAt: at,
      updatedAt: at,
      defaultTokenTtlSeconds: input.defaultTokenTtlSeconds ?? 3600,
      sequence,
      scopes: new Map(),
    }
    this.machines.set(id, machine)
    this.machineByKey.set(secretKey, machine)
    for (const to of input.scopes ?? []) this.grantScope(id, to)
    return machine
  }

  /** A machine by id, or by name when no id matches. */
  findMachine(ref: string): MachineRecord | undefined {
    const byId = this.machines.get(ref)
    if (byId) return byId
    for (const machine of this.machines.values()) if (machine.name === ref) return machine
    return undefined
  }

  /** Lets `fromId` send tokens to `toId`. Returns false when the grant already existed. */
  grantScope(fromId: string, toId: string): boolean {
    const from = this.machines.get(fromId)
    const to = this.machines.get(toId)
    if (!from || !to) throw notFound('No machine with that id.')
    if (from.scopes.has(toId)) return false
    from.scopes.set(toId, this.now())
    from.updatedAt = this.now()
    return true
  }

  /** Removes a grant. Returns false when there was none. */
  revokeScope(fromId: string, toId: string): boolean {
    const from = this.machines.get(fromId)
    if (!from) throw notFound('No machine with that id.')
    const removed = from.scopes.delete(toId)
    if (removed) from.updatedAt = this.now()
    return removed
  }

  /** Resolves a bearer key to its caller; `undefined` for an unknown key. */
  authenticate(key: string): Caller | undefined {
    if (key === this.instanceSecretKey) return { kind: 'instance' }
    const machine = this.machineByKey.get(key)
    return machine ? { kind: 'machine', machine } : undefined
  }

  /** Stores an opaque token, indexed by id, token string and subject; sweeps long-expired ones first. */
  addToken(record: TokenRecord): void {
    this.sweepExpired()
    this.tokens.set(record.token.id, record)
    this.tokenBySecret.set(record.secret, record)
    const list = this.tokensBySubject.get(record.token.subject)
    if (list) list.push(record)
    else this.tokensBySubject.set(record.token.subject, [record])
  }

  /** Drops tokens expired for longer than the retention, at most once per sweep interval. */
  private sweepExpired(): void {
    const at = this.now()
    if (at - this.lastSweepAt < SWEEP_INTERVAL_MS) return
    this.lastSweepAt = at
    const cutoff = at - this.expiredRetentionMs
    const stale = (r: TokenRecord) => r.token.expiration !== null && r.token.expiration <= cutoff
    for (const [subject, list] of this.tokensBySubject) {
      const kept = list.filter((r) => !stale(r))
      if (kept.length === list.length) continue
      for (const r of list) {
        if (!stale(r)) continue
        this.tokens.delete(r.token.id)
        this.tokenBySecret.delete(r.secret)
      }
      if (kept.length > 0) this.tokensBySubject.set(subject, kept)
      else this.tokensBySubject.delete(subject)
    }
  }

  /** The stored tokens of one machine, oldest first. */
  tokensOf(subject: string): readonly TokenRecord[] {
    return this.tokensBySubject.get(subject) ?? []
  }

  /** The stored token whose opaque string is `secret`. */
  findTokenBySecret(secret: string): TokenRecord | undefined {
    return this.tokenBySecret.get(secret)
  }

  /** Whether `expiration` has passed at this store's clock. */
  isExpired(expiration: number | null): boolean {
    return expiration !== null && expiration <= this.now()
  }
}
