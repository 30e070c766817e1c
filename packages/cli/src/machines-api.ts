/**
 * The part of Clerk's `/machines` API the machine commands use, with the instance Secret Key.
 * Failures are core's `M2MApiError` / `M2MNetworkError`, so they are reported like the token
 * commands' failures. No retries: create and grant are not idempotent, and list is a one-off.
 */
import {
  type ClerkErrorItem,
  DEFAULT_API_URL,
  DEFAULT_TIMEOUT_MS,
  M2MApiError,
  type M2MClientOptions,
  M2MNetworkError,
} from '@m2m-auth/core'

/** A machine as the CLI prints it (camelCase; `secretKey` only on create). */
export interface Machine {
  id: string
  name: string
  /** Ids of the machines this one may send tokens to. */
  scopedMachines: Array<{ id: string; name: string }>
  defaultTokenTtl: number | null
  createdAt: number | null
  secretKey?: string
}

type Wire = Record<string, unknown>

const str = (v: unknown) => (typeof v === 'string' ? v : '')
const num = (v: unknown) => (typeof v === 'number' ? v : null)

function toMachine(wire: Wire): Machine {
  const scoped = Array.isArray(wire.scoped_machines) ? (wire.scoped_machines as Wire[]) : []
  const machine: Machine = {
    id: str(wire.id),
    name: str(wire.name),
    scopedMachines: scoped.map((m) => ({ id: str(m.id), name: str(m.name) })),
    defaultTokenTtl: num(wire.default_token_ttl),
    createdAt: num(wire.created_at),
  }
  if (typeof wire.secret_key === 'string') machine.secretKey = wire.secret_key
  return machine
}

function errorItems(body: unknown, status: number): ClerkErrorItem[] {
  const errors = (body as { errors?: unknown } | undefined)?.errors
  if (!Array.isArray(errors) || errors.length === 0) {
    return [{ code: 'unexpected_response', message: `HTTP ${status} without a Clerk error body` }]
  }
  return errors.map((e: Wire) => ({
    code: str(e.code),
    message: str(e.message),
    longMessage: str(e.long_message),
  }))
}

/** A `/machines` client for one configuration. */
export function createMachinesApi(config: M2MClientOptions, signal?: AbortSignal) {
  const base = (config.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, '')
  // Clerk's own SDK reaches /machines under /v1; `--path-style unversioned` drops it.
  const prefix = config.pathStyle === 'unversioned' ? '' : '/v1'
  const timeoutMs = config.timeoutMs ?? DEFAULT_TIMEOUT_MS

  async function call(method: string, path: string, body?: unknown): Promise<{ status: number; body: Wire }> {
    const timeout = AbortSignal.timeout(timeoutMs)
    let res: Response
    try {
      res = await fetch(`${base}${prefix}${path}`, {
        method,
        headers: { authorization: `Bearer ${config.secretKey}`, 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
      })
    } catch (error) {
      if (signal?.aborted) throw signal.reason
      const timedOut = timeout.aborted
      throw new M2MNetworkError(timedOut ? 'request timed out' : 'request failed', { cause: error, timedOut })
    }
    const parsed = (await res.json().catch(() => undefined)) as Wire | undefined
    const traceId = typeof parsed?.clerk_trace_id === 'string' ? parsed.clerk_trace_id : undefined
    if (!res.ok) {
      throw new M2MApiError({
        status: res.status,
        errors: errorItems(parsed, res.status),
        clerkTraceId: traceId,
      })
    }
    if (typeof parsed !== 'object' || parsed === null) {
      const errors = [{ code: 'malformed_response', message: 'the answer is not a JSON object' }]
      throw new M2MApiError({ status: res.status, errors, malformedResponse: true })
    }
    return { status: res.status, body: parsed }
  }

  return {
    /** `POST /machines`: answers the new machine with its Machine Secret Key. */
    async create(name: string, scopedMachines: string[]): Promise<Machine> {
      const body = { name, ...(scopedMachines.length ? { scoped_machines: scopedMachines } : {}) }
      return toMachine((await call('POST', '/machines', body)).body)
    },
    /** `GET /machines`: one page, newest first. */
    async list(query: { limit?: number; offset?: number; query?: string }) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
      const qs = params.size ? `?${params}` : ''
      const { body } = await call('GET', `/machines${qs}`)
      const data = Array.isArray(body.data) ? (body.data as Wire[]).map(toMachine) : []
      return { data, totalCount: num(body.total_count) ?? data.length }
    },
    /** `POST /machines/{from}/scopes`: false when the grant existed already (Clerk answers 409). */
    async grant(from: string, to: string): Promise<boolean> {
      try {
        await call('POST', `/machines/${encodeURIComponent(from)}/scopes`, { to_machine_id: to })
        return true
      } catch (error) {
        if (error instanceof M2MApiError && error.status === 409) return false
        throw error
      }
    },
  }
}
