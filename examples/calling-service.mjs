/**
 * The calling side of the demo: orders-service calls billing-service (the Express example, running
 * as the emulator's second machine) many times through one token source, and shows how many tokens
 * were minted for how many calls. Called by `pnpm demo` (scripts/demo.mjs) with a running emulator
 * and the built core; prints counts, never a token or a key.
 */
import { startServer } from './express/server.mjs'

/** Concurrent calls per wave; the first wave is the "cold start": every caller arrives at once. */
const WAVE = 100
const WAVES = 5

/**
 * @param {{ emulator: import('@m2m-auth/emulator').Emulator, core: typeof import('@m2m-auth/core'), log?: (line: string) => void }} options
 * @returns {Promise<{ calls: number, ok: number, tokensMinted: number }>}
 */
export async function runCallingServiceDemo({ emulator, core, log = console.log }) {
  const [orders, billing] = emulator.machines
  const server = await startServer({ auth: { secretKey: billing.secretKey, apiUrl: emulator.url } })
  try {
    const env = { CLERK_MACHINE_SECRET_KEY: orders.secretKey, CLERK_API_URL: emulator.url }
    const source = core.createTokenSource(core.resolveTokenSourceOptions({}, env))
    const m2mFetch = core.createM2MFetch({ source, origins: [server.url] })
    log(
      `${orders.name} calls ${billing.name}'s API on ${server.url} through createTokenSource + createM2MFetch`,
    )
    emulator.resetStats()
    let ok = 0
    for (let wave = 0; wave < WAVES; wave++) {
      const statuses = await Promise.all(
        Array.from({ length: WAVE }, async () => {
          const response = await m2mFetch(`${server.url}/orders`, { signal: AbortSignal.timeout(10_000) })
          await response.arrayBuffer()
          return response.status
        }),
      )
      ok += statuses.filter((status) => status === 200).length
    }
    const calls = WAVE * WAVES
    const { byRoute } = emulator.stats()
    const tokensMinted = byRoute.create ?? 0
    log(`  ${calls} calls (${WAVES} waves of ${WAVE} at once): ${ok} answered 200`)
    log(
      `  tokens minted: ${tokensMinted} for ${calls} calls (one create call each time would have been ${calls})`,
    )
    log(
      `  ${billing.name} asked the token service to verify ${byRoute.verify ?? 0} time(s): its cache did the rest`,
    )
    return { calls, ok, tokensMinted }
  } finally {
    await server.close()
  }
}
