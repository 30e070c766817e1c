import { connect } from 'node:net'
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Emulator, MAX_BODY_BYTES, startEmulator } from '../src/index.js'
import { client } from './support.js'

let emulator: Emulator
let api: ReturnType<typeof client>
let orders: Emulator['machines'][number]

beforeAll(async () => {
  emulator = await startEmulator()
  api = client(emulator)
  ;[orders] = emulator.machines as [typeof orders]
})
afterAll(() => emulator.close())

const alive = async () =>
  expect((await api('POST', '/m2m_tokens', { key: orders.secretKey })).status).toBe(201)

/** Sends raw bytes over TCP and returns what came back before the server closed (bounded by time). */
function rawExchange(bytes: string): Promise<string> {
  const { port, hostname } = new URL(emulator.url)
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname)
    let received = ''
    socket.setTimeout(1_000, () => socket.destroy())
    socket.on('data', (chunk) => {
      received += chunk.toString('latin1')
    })
    socket.on('close', () => resolve(received))
    socket.on('error', () => socket.destroy())
    socket.write(bytes, 'latin1')
  })
}

describe('request bodies', () => {
  it('answers 413 to a body over 1 MiB, declared or streamed, and keeps serving', async () => {
    const big = 'x'.repeat(MAX_BODY_BYTES + 1)
    const declared = await api('POST', '/m2m_tokens', { key: orders.secretKey, raw: big })
    expect(declared.status).toBe(413)
    expect(declared.body.errors[0].code).toBe('request_body_too_large')
    const chunks = [
      new TextEncoder().encode(big.slice(0, 600_000)),
      new TextEncoder().encode(big.slice(600_000)),
    ]
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift()
        if (next) controller.enqueue(next)
        else controller.close()
      },
    })
    const streamed = await fetch(`${emulator.url}/m2m_tokens/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${orders.secretKey}` },
      body: stream,
      duplex: 'half',
    } as RequestInit)
    expect(streamed.status).toBe(413)
    await alive()
  })

  it('accepts a body of exactly 1 MiB', async () => {
    const padding = 'x'.repeat(MAX_BODY_BYTES - '{"token":""}'.length)
    const res = await api('POST', '/m2m_tokens/verify', {
      key: orders.secretKey,
      raw: `{"token":"${padding}"}`,
    })
    expect(res.status).toBe(404)
  })

  it('answers a Clerk-style 400 to malformed JSON and to JSON that is not an object', async () => {
    for (const raw of ['{"token":', '[1,2]', '42', '"token"', 'null', '\u0000\u00ff']) {
      const res = await api('POST', '/m2m_tokens/verify', { key: orders.secretKey, raw })
      expect(res.status, raw).toBe(400)
      expect(res.body.errors[0].code).toBe('request_body_invalid')
    }
  })

  it('parses JSON bodies whatever the declared content type', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', undefined]) {
      const headers: Record<string, string> = type === undefined ? {} : { 'content-type': type }
      const json = JSON.stringify({ claims: { via: type ?? 'none' } })
      const res = await api('POST', '/m2m_tokens', { key: orders.secretKey, raw: json, headers })
      expect(res.status, String(type)).toBe(201)
      expect(res.body.claims).toEqual({ via: type ?? 'none' })
    }
  })

  it('treats an empty body as no parameters', async () => {
    const res = await api('POST', '/m2m_tokens', { key: orders.secretKey, raw: '' })
    expect(res.status).toBe(201)
  })

  it('rejects claims nested deeper than 32 levels with a 400 instead of failing', async () => {
    const deep = `${'['.repeat(5_000)}${']'.repeat(5_000)}`
    const res = await api('POST', '/m2m_tokens', { key: orders.secretKey, raw: `{"claims":${deep}}` })
    expect(res.status).toBe(400)
    expect(res.body.errors[0].meta.param_name).toBe('claims')
  })
})

describe('routes', () => {
  it('answers unknown paths and methods with a Clerk-style 404', async () => {
    for (const [method, path] of [
      ['GET', '/nope'],
      ['DELETE', '/m2m_tokens'],
      ['PUT', '/v1/m2m_tokens/verify'],
      ['GET', '/v2/m2m_tokens'],
      ['GET', '/%E0%A4%A'],
      ['GET', '/v1'],
    ] as const) {
      const res = await api(method, path, { key: emulator.secretKey })
      expect(res.status, `${method} ${path}`).toBe(404)
      expect(res.body.errors[0].code).toBe('resource_not_found')
    }
  })

  it('tolerates a trailing slash', async () => {
    expect((await api('POST', '/m2m_tokens/', { key: orders.secretKey })).status).toBe(201)
  })
})

describe('garbage', () => {
  it('survives raw protocol garbage and odd request targets', async () => {
    const answers = await Promise.all([
      rawExchange('GARBAGE\r\n\r\n'),
      rawExchange('GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n'),
      rawExchange(
        'POST /m2m_tokens HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\n{"a"}',
      ),
      rawExchange(`GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      rawExchange('\u0000\u0001\u0002\u0003'),
    ])
    expect(answers[0]).toMatch(/^HTTP\/1\.1 400/)
    expect(answers[1]).toMatch(/^HTTP\/1\.1 404/)
    expect(answers[2]).toMatch(/^HTTP\/1\.1 401/)
    await alive()
  })

  it('answers random JSON bodies on every route with a 4xx or a success, never a 5xx', async () => {
    const routes = [
      ['POST', '/m2m_tokens'],
      ['POST', '/m2m_tokens/verify'],
      ['POST', `/m2m_tokens/mt_${'0'.repeat(32)}/revoke`],
      ['POST', '/machines'],
      ['POST', '/__emulator/faults'],
    ] as const
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        fc.jsonValue(),
        fc.boolean(),
        async ([method, path], body, asAdmin) => {
          const key = asAdmin ? emulator.secretKey : orders.secretKey
          const res = await api(method, path, { key, raw: JSON.stringify(body) })
          expect(res.status).toBeLessThan(500)
          emulator.setFaults({}) // a lucky body may have set real faults through the admin route
        },
      ),
      { numRuns: 60 },
    )
    await alive()
  })

  it('answers random query strings on the list route with 200 or a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('subject', 'limit', 'offset', 'revoked', 'expired', 'x'), fc.string()),
        async (query) => {
          const res = await api('GET', `/m2m_tokens?${new URLSearchParams(query)}`, {
            key: emulator.secretKey,
          })
          expect(res.status).toBeLessThan(500)
        },
      ),
      { numRuns: 60 },
    )
  })
})
