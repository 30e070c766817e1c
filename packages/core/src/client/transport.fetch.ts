/**
 * `#transport` outside Node (Workers, Deno, Bun, browsers, edge runtimes): no transport of its own,
 * so the client uses `fetch`. Selected by the `imports` conditions of package.json.
 */
import type { Exchange } from './exchange.js'

/** The runtime's preferred exchange when no `fetch` option is given: none here, use `fetch`. */
export function defaultExchange(): Exchange | undefined {
  return undefined
}
