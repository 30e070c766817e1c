/**
 * The Hono example, walked through one request per situation (Node, @hono/node-server). Called by `pnpm demo`
 * (scripts/demo.mjs) with a running emulator; prints statuses, never a token or a key.
 */
import { runExampleDemo } from '../demo-walkthrough.mjs'
import { startServer } from './server.mjs'

/**
 * @param {{ emulator: import('@m2m-auth/emulator').Emulator, log?: (line: string) => void }} options
 * @returns {Promise<Array<{ name: string, status: number, expected: number }>>}
 */
export function runHonoDemo({ emulator, log }) {
  return runExampleDemo({ label: 'Hono', startServer, emulator, log })
}
