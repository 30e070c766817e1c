/**
 * Two loopback origins for the outgoing-request suites: `billing`, an API protected by a real
 * verifier against the emulator (no cache, so a revoked token is refused at once), and `other`, an
 * unrelated origin. Both record the Authorization header of every request they receive.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { createVerifier } from '@m2m-auth/core'
import type { Emulator } from '../helpers/emulator.js'
import { loopbackFetch } from '../helpers/http.js'
import { listen, type RunningServer } from '../helpers/server.js'

export interface Seen {
  path: string
  method: string
  authorization: string | undefined
  cookie: string | undefined
  body: string
}

export interface Apis {
  billing: RunningServer
  other: RunningServer
  billingSeen: Seen[]
  otherSeen: Seen[]
  close(): Promise<void>
}

async function record(req: IncomingMessage, seen: Seen[]): Promise<Seen> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  const entry = {
    path: req.url ?? '/',
    method: req.method ?? 'GET',
    authorization: req.headers.authorization,
    cookie: req.headers.cookie,
    body: Buffer.concat(chunks).toString('utf8'),
  }
  seen.push(entry)
  return entry
}

function redirect(res: ServerResponse, status: number, location: string): void {
  res.writeHead(status, { location }).end()
}

/** Starts both origins; `billing` runs as the emulator's second machine. */
export async function startApis(emulator: Emulator): Promise<Apis> {
  const billingMachine = emulator.machines[1]!
  const verifier = createVerifier({
    secretKey: billingMachine.secretKey,
    apiUrl: emulator.url,
    cache: false,
    fetch: loopbackFetch,
    logger: { warn: () => undefined, error: () => undefined },
  })
  const billingSeen: Seen[] = []
  const otherSeen: Seen[] = []
  const other = await listen(async (req, res) => {
    const seen = await record(req, otherSeen)
    if (seen.path === '/bounce') return redirect(res, 302, `${billing.url}/invoices`)
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ at: 'other' }))
  })
  const billing: RunningServer = await listen(async (req, res) => {
    const seen = await record(req, billingSeen)
    if (seen.path === '/moved') return redirect(res, 302, `${other.url}/landing`)
    if (seen.path === '/moved-here') return redirect(res, 307, '/invoices')
    if (seen.path === '/always-401') return void res.writeHead(401).end()
    try {
      const token = await verifier.authenticate(seen.authorization)
      const body = JSON.stringify({ caller: token.subject, method: seen.method, body: seen.body })
      res.writeHead(200, { 'content-type': 'application/json' }).end(body)
    } catch {
      res.writeHead(401, { 'www-authenticate': 'Bearer realm="billing"' }).end()
    }
  })
  return {
    billing,
    other,
    billingSeen,
    otherSeen,
    close: async () => {
      await Promise.all([billing.close(), other.close()])
    },
  }
}
