import type { IncomingMessage, ServerResponse } from 'node:http'
import { listen } from '../../helpers/server.js'

/** What the fake token service answers to every verify call until told otherwise. */
export interface FakeAnswer {
  status: number
  /** Sent as is (not necessarily JSON); dropped for statuses that cannot carry a body. */
  body: string
}

/** A loopback stand-in for the token service whose verify answer a test sets per case. */
export interface FakeVerifyService {
  url: string
  answer: FakeAnswer
  /** Verify calls received. */
  calls: number
  close(): Promise<void>
}

const NO_BODY = new Set([204, 304])

/**
 * Starts a fake token service on `127.0.0.1:0`: `POST /m2m_tokens/verify` answers `answer`,
 * anything else 404. It reads each request body fully before answering, as a real server does.
 */
export async function startFakeVerifyService(): Promise<FakeVerifyService> {
  const fake = {
    answer: { status: 200, body: '{}' } as FakeAnswer,
    calls: 0,
  }
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    req.resume()
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/m2m_tokens/verify') {
        res.writeHead(404).end()
        return
      }
      fake.calls++
      const { status, body } = fake.answer
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(NO_BODY.has(status) ? undefined : body)
    })
  }
  const server = await listen(handler)
  return Object.assign(fake, { url: server.url, close: server.close })
}
