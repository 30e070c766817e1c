import type { IncomingMessage, ServerResponse } from 'node:http'
import { bodyInvalid, bodyTooLarge, ClerkHttpError, errorBody, serverError } from './errors.js'

/** Largest request body accepted (1 MiB); larger ones get a 413. */
export const MAX_BODY_BYTES = 1024 * 1024

/**
 * Reads the whole body, or throws a 413 as soon as it passes `limitBytes` (the rest is left to
 * the connection, which the 413 closes).
 */
export function readBody(req: IncomingMessage, limitBytes = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? 0)
  if (declared > limitBytes) return Promise.reject(bodyTooLarge(limitBytes))
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    const fail = (error: Error) => {
      req.removeAllListeners('data')
      req.resume() // keep draining so the connection can still carry our answer
      reject(error)
    }
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > limitBytes) fail(bodyTooLarge(limitBytes))
      else chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', fail)
    req.on('close', () => {
      if (!req.complete) reject(new Error('request aborted'))
    })
  })
}

/** JSON of a body: `undefined` when empty, a Clerk-style 400 when malformed. Content type is not checked. */
export function parseJson(body: Buffer): unknown {
  const text = body.toString('utf8')
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    throw bodyInvalid()
  }
}

/** Whether an answer can still be written. */
const writable = (res: ServerResponse) => !res.headersSent && !res.destroyed && !res.writableEnded

/**
 * Sends a JSON answer. The content type is exactly `application/json` because Clerk's SDK compares
 * it by equality before parsing.
 */
export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (!writable(res)) return
  const payload = JSON.stringify(body)
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(payload),
    'Cache-Control': 'no-store',
    ...headers,
  })
  res.end(payload)
}

/** Sends `error` in Clerk's format; anything that is not a ClerkHttpError becomes a plain 500. */
export function sendError(res: ServerResponse, error: unknown, clerkTraceId: string): void {
  const clerkError = error instanceof ClerkHttpError ? error : serverError(500)
  const headers = { ...clerkError.headers }
  // After a 413 the unread rest of the body would be parsed as the next request: close instead.
  if (clerkError.status === 413) headers.Connection = 'close'
  sendJson(res, clerkError.status, errorBody(clerkError.errors, clerkTraceId), headers)
}

/** A `200` whose body is not valid JSON (fault injection). */
export function sendMalformed(res: ServerResponse): void {
  if (!writable(res)) return
  const payload = '{"object":"machine_to_machine_token","id":'
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': payload.length })
  res.end(payload)
}
