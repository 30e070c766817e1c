import type { M2MToken } from '@m2m-auth/core'
import { type Reply, type RequestContext, requireInstance } from './context.js'
import { bodyInvalid, notFound } from './errors.js'
import { validateFaults, validateLatency } from './faults.js'
import type { Store } from './state.js'
import type { EmulatorMachine, EmulatorStats, Faults, LatencyMs } from './types.js'

/** Path prefix of the admin routes (never under `/v1`, never faulted, never counted). */
export const ADMIN_PREFIX = '__emulator'

/** What the admin routes control. */
export interface AdminControls {
  getFaults(): Faults
  setFaults(faults: Faults): void
  getLatency(): LatencyMs
  setLatency(latencyMs: LatencyMs): void
  rotateJwtKey(options: { keepOld?: boolean }): Promise<{ kid: string }>
  stats(): EmulatorStats
  resetStats(): void
  /** Input checked by the implementation (it comes from JSON); throws TypeError/RangeError. */
  mintToken(input: unknown): Promise<M2MToken>
  revokeToken(id: unknown, reason?: unknown): M2MToken
  machines(): EmulatorMachine[]
  createMachine(input: { name?: unknown; scopes?: unknown }): EmulatorMachine
  grantScope(from: unknown, to: unknown): void
}

/** Runs `read` and turns a validation error into a Clerk-style 400 (its message names the option). */
function parsed<T>(read: () => T): T {
  try {
    return read()
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw bodyInvalid(error.message)
    throw error
  }
}

/** `parsed` for asynchronous work (minting a JWT signs it). */
async function parsedAsync<T>(read: () => Promise<T>): Promise<T> {
  try {
    return await read()
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) throw bodyInvalid(error.message)
    throw error
  }
}

/** The JSON body as an object (admin bodies are camelCase objects). */
function objectBody(ctx: RequestContext): Record<string, unknown> {
  const body = ctx.json() ?? {}
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw bodyInvalid('Expected a JSON object.')
  return body as Record<string, unknown>
}

function readKeepOld(body: unknown): boolean {
  if (body === undefined) return true
  const keepOld = (body as { keepOld?: unknown } | null)?.keepOld
  if (typeof body !== 'object' || body === null || (keepOld !== undefined && typeof keepOld !== 'boolean')) {
    throw bodyInvalid('Expected { "keepOld"?: boolean }.')
  }
  return keepOld ?? true
}

type AdminAction = (ctx: RequestContext, controls: AdminControls) => Reply | Promise<Reply>

const ok = (body: unknown): Reply => ({ status: 200, body })

const ACTIONS: Record<string, AdminAction> = {
  'GET faults': (_ctx, c) => ok({ faults: c.getFaults() }),
  'POST faults': (ctx, c) => {
    c.setFaults(parsed(() => validateFaults(ctx.json() ?? {}, 'body')))
    return ok({ faults: c.getFaults() })
  },
  'GET latency': (_ctx, c) => ok({ latencyMs: c.getLatency() }),
  'POST latency': (ctx, c) => {
    const body = ctx.json() as { latencyMs?: unknown } | undefined
    c.setLatency(parsed(() => validateLatency(body?.latencyMs ?? 0, 'latencyMs')))
    return ok({ latencyMs: c.getLatency() })
  },
  'POST rotate-jwks': async (ctx, c) => ok(await c.rotateJwtKey({ keepOld: readKeepOld(ctx.json()) })),
  'GET stats': (_ctx, c) => ok(c.stats()),
  'POST tokens': async (ctx, c) => ok(await parsedAsync(() => c.mintToken(objectBody(ctx)))),
  'POST revoke-token': (ctx, c) => {
    const { id, reason } = objectBody(ctx)
    return ok(parsed(() => c.revokeToken(id, reason)))
  },
  'GET machines': (_ctx, c) => ok({ machines: c.machines() }),
  'POST machines': (ctx, c) => ok(parsed(() => c.createMachine(objectBody(ctx)))),
  'POST grant-scope': (ctx, c) => {
    const { from, to } = objectBody(ctx)
    parsed(() => c.grantScope(from, to))
    return ok({ granted: true })
  },
  'POST reset-stats': (_ctx, c) => {
    c.resetStats()
    return ok(c.stats())
  },
}

/**
 * `/__emulator/<action>` (faults, latency, rotate-jwks, stats, reset-stats, tokens, revoke-token,
 * machines, grant-scope): instance Secret Key required (401 without a key or with an unknown one,
 * 403 with a Machine Secret Key).
 */
export async function handleAdmin(
  action: string,
  ctx: RequestContext,
  store: Store,
  controls: AdminControls,
): Promise<Reply> {
  const run = ACTIONS[`${ctx.method} ${action}`]
  if (!run) throw notFound('No admin route matches this method and path.')
  requireInstance(ctx, store)
  return run(ctx, controls)
}
