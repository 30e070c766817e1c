/**
 * The calling side in vitest's edge-runtime environment (project core-edge), whose `Request`,
 * `Response`, `Headers` and streams are the edge runtime's. The transport is a plain function
 * answering Web `Response`s (no Node `http`, no socket): the token source and createM2MFetch need
 * nothing but Web APIs. The networked behaviour is covered against the emulator in test/caller.
 */
import { describe, expect, it } from 'vitest'
import { createM2MFetch, createTokenSource, type FetchLike } from '../src/index.js'

const API = 'https://billing.example'
const OTHER = 'https://elsewhere.example'
let minted = 0

/** Clerk's create route, and two origins: `API` redirects /moved to `OTHER`. */
const transport: FetchLike = async (input, init) => {
  const request = new Request(input, init)
  const url = new URL(request.url)
  if (url.pathname === '/m2m_tokens') {
    minted++
    const at = Date.now()
    const body = {
      object: 'machine_to_machine_token',
      id: `mt_${minted.toString(16).padStart(32, '0')}`,
      subject: 'mch_2xhFjEI5X2qWRvtV13BzSj8H6Dk',
      claims: null,
      scopes: [],
      token: `mt_secret_${minted}`,
      revoked: false,
      revocation_reason: null,
      expired: false,
      expiration: at + 3600_000,
      last_used_at: null,
      created_at: at,
      updated_at: at,
    }
    return Response.json(body, { status: 201 })
  }
  const authorization = request.headers.get('authorization')
  if (url.origin === API && url.pathname === '/moved') {
    return new Response(null, { status: 302, headers: { location: `${OTHER}/landing` } })
  }
  return Response.json({ origin: url.origin, authorization })
}

describe('the calling side on the edge runtime', () => {
  it('mints once for concurrent callers and attaches the token to the listed origin only', async () => {
    minted = 0
    const source = createTokenSource({
      secretKey: 'ak_edge_key',
      apiUrl: 'https://clerk.example',
      fetch: transport,
    })
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getToken()))
    expect(new Set(tokens)).toEqual(new Set(['mt_secret_1']))
    const m2mFetch = createM2MFetch({ source, origins: [API], fetch: transport })
    expect(await (await m2mFetch(`${API}/invoices`)).json()).toEqual({
      origin: API,
      authorization: 'Bearer mt_secret_1',
    })
    expect(await (await m2mFetch(`${OTHER}/x`)).json()).toEqual({ origin: OTHER, authorization: null })
    expect(await (await m2mFetch(`${API}/moved`)).json()).toEqual({ origin: OTHER, authorization: null })
    expect(minted).toBe(1)
  })
})
