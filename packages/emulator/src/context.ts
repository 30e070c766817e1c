import { machineKeyRequired, missingKey, unknownKey, wrongKeyKind } from './errors.js'
import type { KeyRing } from './jwt.js'
import type { Caller, MachineRecord, Store } from './state.js'

/** What a route handler needs from the emulator. */
export interface Services {
  store: Store
  keys: KeyRing
  now: () => number
}

/** One request, as a handler sees it. */
export interface RequestContext {
  method: string
  /** Path parameters by name (e.g. `id`). */
  params: Record<string, string>
  query: URLSearchParams
  /** The `Authorization: Bearer` value, if any. Never logged or echoed. */
  bearer: string | undefined
  /** The parsed JSON body: `undefined` when empty; throws a Clerk-style 400 when malformed. */
  json(): unknown
}

/** A successful answer. */
export interface Reply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

/** A route handler. */
export type Handler = (ctx: RequestContext, services: Services) => Reply | Promise<Reply>

/** `Bearer <key>` -> key (scheme case-insensitive, as RFC 6750 allows). */
export function parseBearer(header: string | undefined): string | undefined {
  const match = header === undefined ? null : /^Bearer +(\S+) *$/i.exec(header)
  return match?.[1]
}

/** Any known key: 401 when absent or unknown. */
export function requireCaller(ctx: RequestContext, store: Store): Caller {
  if (ctx.bearer === undefined) throw missingKey()
  const caller = store.authenticate(ctx.bearer)
  if (!caller) throw unknownKey()
  return caller
}

/** The instance Secret Key only: 401 when absent or unknown, 403 for a Machine Secret Key. */
export function requireInstance(ctx: RequestContext, store: Store): void {
  const caller = requireCaller(ctx, store)
  if (caller.kind !== 'instance') {
    throw wrongKeyKind(
      'This endpoint requires the instance Secret Key (sk_); a Machine Secret Key cannot use it.',
    )
  }
}

/**
 * A Machine Secret Key only: 401 when absent or unknown, and 401 `machine_secret_key_invalid` for
 * the instance Secret Key (Clerk's answer; not a 403).
 */
export function requireMachine(ctx: RequestContext, store: Store): MachineRecord {
  const caller = requireCaller(ctx, store)
  if (caller.kind !== 'machine') throw machineKeyRequired()
  return caller.machine
}
