import { connect, type Socket } from 'node:net'

/** One HTTP/1.1 answer as read off the socket. Header names are lower-cased. */
export interface RawResponse {
  status: number
  headers: Map<string, string[]>
  body: string
}

const HEADER_END = Buffer.from('\r\n\r\n')

/**
 * A keep-alive HTTP/1.1 connection over a plain TCP socket, so a test controls every byte of a
 * request: repeated headers, control characters, odd whitespace and oversized values reach the
 * server's parser exactly as written (`fetch` and `node:http` would refuse or normalize them).
 * One request at a time; a closed connection is reopened for the next request.
 */
export class RawHttpConnection {
  readonly #host: string
  readonly #port: number
  #socket: Socket | undefined
  #buffer: Buffer = Buffer.alloc(0)
  #waiter: (() => void) | undefined
  #closed = true
  /** Connections opened so far (a server that closes after an error forces a new one). */
  connections = 0

  constructor(url: string) {
    const { hostname, port } = new URL(url)
    this.#host = hostname
    this.#port = Number(port)
  }

  /**
   * Sends `head` (request line and headers, without the final blank line) and reads the answer.
   * Like any HTTP client, retries once on a new connection when a reused one turns out to have
   * been closed by the server before it read anything (a keep-alive race, not an answer).
   */
  async request(head: Buffer | string, timeoutMs = 5000): Promise<RawResponse> {
    const reused = !this.#closed
    try {
      return await this.#exchange(head, timeoutMs)
    } catch (error) {
      if (!reused || !(error instanceof ClosedEarlyError) || error.bytes > 0) throw error
      this.close()
      return this.#exchange(head, timeoutMs)
    }
  }

  async #exchange(head: Buffer | string, timeoutMs: number): Promise<RawResponse> {
    if (this.#closed) await this.#open()
    this.#buffer = Buffer.alloc(0)
    const start = typeof head === 'string' ? Buffer.from(head, 'latin1') : head
    const bytes = Buffer.concat([start, Buffer.from('\r\n\r\n')])
    this.#socket!.write(bytes)
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const parsed = parseResponse(this.#buffer, this.#closed)
      if (parsed !== undefined) {
        if (parsed.headers.get('connection')?.includes('close')) this.close()
        return parsed
      }
      if (this.#closed) throw new ClosedEarlyError(this.#buffer.length)
      await this.#wait(deadline - Date.now())
    }
  }

  close(): void {
    this.#closed = true
    this.#socket?.destroy()
    this.#socket = undefined
  }

  #open(): Promise<void> {
    this.connections++
    return new Promise((resolve, reject) => {
      const socket = connect({ host: this.#host, port: this.#port, noDelay: true }, () => {
        socket.off('error', reject)
        this.#closed = false
        resolve()
      })
      socket.once('error', reject)
      socket.on('data', (chunk: Buffer) => {
        this.#buffer = Buffer.concat([this.#buffer, chunk])
        this.#wake()
      })
      // Errors after connecting (a reset by the server) end this connection like a close does.
      socket.on('error', () => undefined)
      socket.on('close', () => {
        if (this.#socket === socket) this.#closed = true
        this.#wake()
      })
      this.#socket = socket
    })
  }

  #wait(ms: number): Promise<void> {
    if (ms <= 0) return Promise.reject(new Error('no complete answer in time'))
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiter = undefined
        reject(new Error('no complete answer in time'))
      }, ms)
      this.#waiter = () => {
        clearTimeout(timer)
        this.#waiter = undefined
        resolve()
      }
    })
  }

  #wake(): void {
    this.#waiter?.()
  }
}

/** The server closed the connection before a complete answer. */
export class ClosedEarlyError extends Error {
  constructor(readonly bytes: number) {
    super(`connection closed after ${bytes} bytes of answer`)
  }
}

/** The complete answer in `buffer`, or `undefined` while more bytes are needed. */
export function parseResponse(buffer: Buffer, closed: boolean): RawResponse | undefined {
  const end = buffer.indexOf(HEADER_END)
  if (end < 0) return undefined
  const lines = buffer.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? Number.NaN)
  if (!Number.isInteger(status)) throw new Error('the answer does not start with an HTTP/1.x status line')
  const headers = new Map<string, string[]>()
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    headers.set(name, [...(headers.get(name) ?? []), line.slice(colon + 1).trim()])
  }
  const rest = buffer.subarray(end + HEADER_END.length)
  const body = readBody(rest, headers, closed)
  return body === undefined ? undefined : { status, headers, body: body.toString('utf8') }
}

function readBody(rest: Buffer, headers: Map<string, string[]>, closed: boolean): Buffer | undefined {
  const length = headers.get('content-length')?.[0]
  if (length !== undefined) {
    const n = Number(length)
    return rest.length >= n ? rest.subarray(0, n) : undefined
  }
  if (headers.get('transfer-encoding')?.[0]?.toLowerCase() === 'chunked') return readChunked(rest)
  // Neither length nor chunks: the body runs until the server closes the connection.
  return closed ? rest : undefined
}

function readChunked(rest: Buffer): Buffer | undefined {
  const parts: Buffer[] = []
  let at = 0
  for (let guard = 0; guard < 10_000; guard++) {
    const lineEnd = rest.indexOf('\r\n', at)
    if (lineEnd < 0) return undefined
    const size = Number.parseInt(rest.subarray(at, lineEnd).toString('latin1'), 16)
    if (size === 0) return rest.indexOf('\r\n', lineEnd + 2) < 0 ? undefined : Buffer.concat(parts)
    if (rest.length < lineEnd + 2 + size + 2) return undefined
    parts.push(rest.subarray(lineEnd + 2, lineEnd + 2 + size))
    at = lineEnd + 2 + size + 2
  }
  throw new Error('too many chunks')
}
