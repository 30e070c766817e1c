import { request } from 'node:http'

/** What a test sees of an answer: status, lower-cased headers, raw text and parsed JSON (if any). */
export interface TestResponse {
  status: number
  headers: Record<string, string | string[] | undefined>
  text: string
  /** The parsed body, or `undefined` when the body is not JSON. */
  json: unknown
}

/** Options of {@link send}. */
export interface SendOptions {
  /** @default 'GET' */
  method?: string
  /**
   * Request headers. An array value is sent as that many separate header lines, which `fetch`
   * cannot do (it joins them with `, `): the conformance suite needs both.
   */
  headers?: Record<string, string | string[]>
  /** @default 5000 */
  timeoutMs?: number
}

/**
 * Sends one request with `node:http` (no keep-alive, so closing a server never waits on us) and
 * reads the whole answer. Header values are sent as given: no validation beyond Node's own, so
 * malformed `Authorization` values reach the server under test unchanged.
 */
export function send(url: string, options: SendOptions = {}): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', reject)
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8')
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json: parseJson(text) })
      })
    })
    for (const [name, value] of Object.entries(options.headers ?? {})) req.setHeader(name, value)
    req.setTimeout(options.timeoutMs ?? 5000, () => req.destroy(new Error(`request to ${url} timed out`)))
    req.on('error', reject)
    req.end()
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

/**
 * `fetch` that refuses anything but loopback. Tests hand it to verifiers so that a broken default
 * (say, an API URL that fell back to Clerk's) fails the test instead of leaving the machine.
 */
export function loopbackFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
  const url = new URL(input instanceof Request ? input.url : input)
  if (!LOOPBACK_HOSTS.has(url.hostname)) {
    return Promise.reject(new TypeError(`test refused a request to ${url.host}: loopback only`))
  }
  return fetch(input, init)
}
