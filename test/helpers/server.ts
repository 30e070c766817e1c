import { createServer, type RequestListener, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** A server listening on loopback, as every cross-package suite sees it. */
export interface RunningServer {
  /** `http://127.0.0.1:<port>` without a trailing slash. */
  url: string
  /** Stops accepting connections, drops idle keep-alive sockets and resolves once closed. */
  close(): Promise<void>
}

/**
 * Listens on `127.0.0.1` with an OS-chosen port (never a fixed one, so suites can run side by side).
 * Accepts a request listener (an Express app is one) or an already created `http.Server`.
 *
 * @example
 * ```ts
 * const server = await listen(app)
 * await fetch(`${server.url}/health`)
 * await server.close()
 * ```
 */
export async function listen(handler: RequestListener | Server): Promise<RunningServer> {
  const server = typeof handler === 'function' ? createServer(handler) : handler
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => closeServer(server) }
}

/** Closes a Node server without waiting for idle keep-alive connections to time out. */
export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()))
    server.closeAllConnections()
  })
}
