/**
 * The authorization decision (verify/authorize.ts), through `verifier.authenticate()` against a
 * loopback fake of Clerk: `scope`, `callers`, `authorize` hooks, and the one rule about `optional`
 * (it never weakens a requirement: no credentials on a route that requires something is 401).
 */
import { afterEach, describe, expect, it } from 'vitest'
import {
  type AuthRuleOptions,
  applyAuthRule,
  createAuthRule,
  InsufficientScopeError,
  MissingTokenError,
} from '../src/index.js'
import {
  type Harness,
  harness,
  opaqueToken,
  RECEIVER,
  rejectionOf,
  SENDER,
  STRANGER,
  validReply,
} from './verifier.fixtures.js'

const TOKEN = opaqueToken(42)
const BEARER = `Bearer ${TOKEN}`

let h: Harness | undefined
afterEach(async () => {
  await h?.close()
  h = undefined
})

async function started(): Promise<Harness> {
  const started = await harness()
  started.replies.set(TOKEN, validReply()) // subject SENDER, scopes [RECEIVER]
  h = started
  return started
}

describe('optional never weakens a requirement', () => {
  it.each<[string, AuthRuleOptions]>([
    ['scope', { scope: RECEIVER, optional: true }],
    ['callers', { callers: [SENDER], optional: true }],
    ['authorize', { authorize: () => true, optional: true }],
  ])('no credentials with %s and optional: 401', async (_name, rule) => {
    const h = await started()
    const error = await rejectionOf(h.verifier.authenticate(undefined, rule))
    expect(error).toBeInstanceOf(MissingTokenError)
    expect(error.status).toBe(401)
  })

  it('no credentials with optional and nothing required: null', async () => {
    const h = await started()
    await expect(h.verifier.authenticate(undefined, { optional: true })).resolves.toBeNull()
  })

  it('a route requirement on top of an optional middleware rule needs credentials too', () => {
    const route = createAuthRule({ callers: SENDER }, createAuthRule({ optional: true }))
    expect(() => applyAuthRule(route, null, undefined)).toThrow(MissingTokenError)
    const open = createAuthRule({}, createAuthRule({ optional: true }))
    expect(applyAuthRule(open, null, undefined)).toBeNull()
  })
})

describe('scope', () => {
  it('accepts a machine id or a list, all required', async () => {
    const h = await started()
    await expect(h.verifier.authenticate(BEARER, { scope: RECEIVER })).resolves.toMatchObject({
      subject: SENDER,
    })
    const missing = await rejectionOf(h.verifier.authenticate(BEARER, { scope: [RECEIVER, STRANGER] }))
    expect(missing).toBeInstanceOf(InsufficientScopeError)
    expect((missing as unknown as InsufficientScopeError).challenge('api')).toContain(
      `scope="${RECEIVER} ${STRANGER}"`,
    )
  })
})

describe('callers', () => {
  it('lets the listed sending machines through and answers 403 to any other, from the cache too', async () => {
    const h = await started()
    await expect(h.verifier.authenticate(BEARER, { callers: [SENDER] })).resolves.toMatchObject({
      subject: SENDER,
    })
    const refused = await rejectionOf(h.verifier.authenticate(BEARER, { callers: STRANGER }))
    expect(refused).toBeInstanceOf(InsufficientScopeError)
    expect(refused.status).toBe(403)
    expect(h.upstreamCount(TOKEN)).toBe(1)
  })

  it('intersects a route list with the middleware list', () => {
    const rule = createAuthRule({ callers: [SENDER] }, createAuthRule({ callers: [SENDER, STRANGER] }))
    expect([...(rule.callers ?? [])]).toEqual([SENDER])
  })
})

describe('authorize hooks', () => {
  it('receive the token and the request; false is 403, true passes, async hooks included', async () => {
    const h = await started()
    const seen: unknown[] = []
    const request = { path: '/refunds' }
    const hook = async (token: { subject: string }, req: unknown) => {
      seen.push(req)
      return token.subject === SENDER
    }
    await expect(h.verifier.authenticate(BEARER, { authorize: hook }, request)).resolves.toMatchObject({
      subject: SENDER,
    })
    const no = await rejectionOf(h.verifier.authenticate(BEARER, { authorize: () => false }, request))
    expect(no).toBeInstanceOf(InsufficientScopeError)
    expect(no.status).toBe(403)
    expect(seen).toEqual([request])
  })

  it('pass a hook exception on unchanged (the framework error path decides)', async () => {
    const h = await started()
    const bug = new Error('database down')
    const error = await h.verifier
      .authenticate(BEARER, { authorize: () => Promise.reject(bug) })
      .catch((e) => e)
    expect(error).toBe(bug)
  })

  it('refuse a hook that answers something other than a boolean (fail closed)', async () => {
    const h = await started()
    const error = await h.verifier
      .authenticate(BEARER, { authorize: (() => 'yes') as never })
      .catch((e: Error) => e)
    expect(error).toMatchObject({ code: 'm2m_config_error', option: 'authorize' })
  })

  it('run after scope and callers: a refused caller never reaches the hook', async () => {
    const h = await started()
    let called = false
    const hook = () => {
      called = true
      return true
    }
    await rejectionOf(h.verifier.authenticate(BEARER, { callers: STRANGER, authorize: hook }))
    expect(called).toBe(false)
  })
})

it('authenticate() rejects (never throws) on options with an unknown key', async () => {
  const h = await started()
  const result = h.verifier.authenticate(BEARER, { scopes: [RECEIVER] } as never)
  await expect(result).rejects.toMatchObject({
    option: 'scopes',
    message: expect.stringContaining('`scope`'),
  })
})
