import { type Handler, requireInstance } from './context.js'
import {
  createMachine,
  createMachineScope,
  deleteMachineScope,
  getMachine,
  getMachineSecretKey,
  listMachines,
} from './machines.js'
import { createToken } from './tokens-create.js'
import { listTokens, revokeToken, verifyToken } from './tokens-read.js'
import type { RouteName } from './types.js'

interface RouteDef {
  method: string
  /** Path segments after the optional `/v1`; `:name` captures a parameter. */
  segments: string[]
  name: RouteName
  handler: Handler
}

const route = (method: string, path: string, name: RouteName, handler: Handler): RouteDef => ({
  method,
  segments: path.split('/').filter(Boolean),
  name,
  handler,
})

const ROUTES: RouteDef[] = [
  route('POST', '/m2m_tokens/verify', 'verify', verifyToken),
  route('POST', '/m2m_tokens/:id/revoke', 'revoke', revokeToken),
  route('POST', '/m2m_tokens', 'create', createToken),
  route('GET', '/m2m_tokens', 'list', listTokens),
  route('GET', '/jwks', 'jwks', async (ctx, services) => {
    requireInstance(ctx, services.store) // Clerk: a Machine Secret Key cannot fetch the JWKS
    return { status: 200, body: await services.keys.jwks() }
  }),
  route('GET', '/machines', 'machines', listMachines),
  route('POST', '/machines', 'machines', createMachine),
  route('GET', '/machines/:id', 'machines', getMachine),
  route('GET', '/machines/:id/secret_key', 'machines', getMachineSecretKey),
  route('POST', '/machines/:id/scopes', 'machines', createMachineScope),
  route('DELETE', '/machines/:id/scopes/:otherId', 'machines', deleteMachineScope),
]

/** A matched route. */
export interface RouteMatch {
  name: RouteName
  handler: Handler
  params: Record<string, string>
}

function matchSegments(pattern: string[], segments: string[]): Record<string, string> | undefined {
  if (pattern.length !== segments.length) return undefined
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const want = pattern[i]!
    const got = segments[i]!
    if (want.startsWith(':')) params[want.slice(1)] = got
    else if (want !== got) return undefined
  }
  return params
}

/** Splits a path into decoded segments, dropping a leading `v1` (both path styles are served). */
export function pathSegments(pathname: string): string[] {
  const segments = pathname.split('/').filter(Boolean)
  if (segments[0] === 'v1') segments.shift()
  return segments.map((s) => {
    try {
      return decodeURIComponent(s)
    } catch {
      return s // a malformed escape is simply a segment that matches nothing
    }
  })
}

/** The API route for `method` and already split `segments`, if any. */
export function matchRoute(method: string, segments: string[]): RouteMatch | undefined {
  for (const def of ROUTES) {
    if (def.method !== method) continue
    const params = matchSegments(def.segments, segments)
    if (params) return { name: def.name, handler: def.handler, params }
  }
  return undefined
}
