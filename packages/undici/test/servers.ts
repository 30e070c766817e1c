/**
 * The world of the interceptor suites, all on loopback: the emulator, a token source of its first
 * machine (orders-service), `billing` (an API protected by a real verifier running as the second
 * machine, no cache, so a revoked token is refused at once) and `other`, an unrelated origin. Both
 * servers record the Authorization header of every request.
 */
import { createServer, type IncomingMessage, type RequestListener, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { createM2MClient, createTokenSource, createVerifier, type TokenSource } from '@m2m-auth/core'
import { type Emulator, startEmulator } from '@m2m-auth/emulator'

export interface Seen {
  path: string
  method: string
  authorization: string | undefined
  body: string
}

export interface World {
  emulator: Emulator
  source: TokenSource
  billingUrl: string
  otherUrl: string
  billingSeen: Seen[]
  otherSeen: Seen[]
  /** Create calls the emulator received. */
  creates(): number
  /** Revokes the source's current token, so that billing refuses it from now on. */
  revokeCurrentToken(): Promise<void>
  close(): Promise<void>
}

const quiet = { warn: () => undefined, error: () => undefined }

async function listen(handler: RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = createServer(handler)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const close = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeAllConnections()
    })
  return { url: `http://127.0.0.1:${port}`, close }
}

async function record(req: IncomingMessage, seen: Seen[]): Promise<Seen> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const entry = {
    path: req.url ?? '/',
    method: req.method ?? 'GET',
    authorization: req.headers.authorization,
    body: Buffer.concat(chunks).toString('utf8'),
  }
  seen.push(entry)
  return entry
}

const redirect = (res: ServerResponse, status: number, location: string) =>
  void res.writeHead(status, { location }).end()

export async function startWorld(): Promise<World> {
  const emulator = await startEmulator({ host: '127.0.0.1', port: 0 })
  const [orders, billingMachine] = emulator.machines as [Emulator['machines'][0], Emulator['machines'][0]]
  const createdIds: string[] = []
  const source = createTokenSource({
    secretKey: orders.secretKey,
    apiUrl: emulator.url,
    retry: false,
    logger: quiet,
    onEvent: (event) => event.type === 'created' && event.tokenId && createdIds.push(event.tokenId),
  })
  const verifier = createVerifier({
    secretKey: billingMachine.secretKey,
    apiUrl: emulator.url,
    cache: false,
    logger: quiet,
  })
  const billingSeen: Seen[] = []
  const otherSeen: Seen[] = []
  let billingUrl = ''
  const other = await listen(async (req, res) => {
    const seen = await record(req, otherSeen)
    if (seen.path === '/bounce') return redirect(res, 302, `${billingUrl}/invoices`)
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"at":"other"}')
  })
  const billing = await listen(async (req, res) => {
    const seen = await record(req, billingSeen)
    if (seen.path === '/moved') return redirect(res, 302, `${other.url}/landing`)
    if (seen.path === '/always-401') return void res.writeHead(401).end('no')
    try {
      const token = await verifier.authenticate(seen.authorization)
      const body = JSON.stringify({ caller: token.subject, method: seen.method, body: seen.body })
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    } catch {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="billing"' }).end('refused')
    }
  })
  billingUrl = billing.url
  const ordersClient = createM2MClient({ secretKey: orders.secretKey, apiUrl: emulator.url })
  return {
    emulator,
    source,
    billingUrl: billing.url,
    otherUrl: other.url,
    billingSeen,
    otherSeen,
    creates: () => emulator.stats().byRoute.create ?? 0,
    revokeCurrentToken: async () => {
      await ordersClient.revokeToken({ m2mTokenId: createdIds.at(-1)! })
    },
    close: async () => {
      await Promise.all([billing.close(), other.close()])
      await emulator.close()
    },
  }
}
