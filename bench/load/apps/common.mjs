// What every benchmarked app shares: the one route, its answers, and the options handed to
// m2m-auth and to Clerk's SDK, so that the variants differ only by their authentication layer.

/** The benchmarked route. Every variant answers it with a small JSON body naming the caller. */
export const ROUTE = '/hello'

/** The body of the no-auth ceiling: the same shape and about the same size as an authenticated one. */
export const ANONYMOUS = Object.freeze({ subject: 'anonymous' })

/** The answer of Clerk variants when Clerk did not authenticate an M2M token. */
export const UNAUTHORIZED = Object.freeze({ error: 'unauthorized' })

/** Cache TTL of the cached m2m-auth variant (the verifier's default, spelled out for the targets). */
export const CACHE_TTL_MS = 5000

/**
 * Cache TTL of the `m2m-held` control: long enough that no entry filled before a run is re-verified
 * during it, so its row differs from the cached one by the re-verifications alone.
 */
export const HELD_TTL_MS = 600_000

function cacheOption(variant) {
  if (variant === 'm2m-nocache') return false
  return { ttlMs: variant === 'm2m-held' ? HELD_TTL_MS : CACHE_TTL_MS }
}

/**
 * m2m-auth options: the receiving machine's secret key (ak_) and id, the emulator as the API, and
 * a cache (warm after the first request of each token; `m2m-held`: one that outlives the run) or no
 * cache at all.
 */
export function m2mOptions(config, variant) {
  return {
    secretKey: config.machineSecretKey,
    machineId: config.machineId,
    apiUrl: config.apiUrl,
    cache: cacheOption(variant),
    // The bench drives thousands of verify calls a second at the emulator (no rate limit): the
    // upstream budget, which would shed them as it should in production, is off to measure cost.
    budget: false,
  }
}

/**
 * Clerk SDK options. `clerkMiddleware` accepts any token type, which makes Clerk's backend check
 * the instance secret key (sk_) and parse a publishable key before it looks at the bearer token;
 * the verify call itself is authenticated with the machine secret key (ak_), as m2m-auth's is.
 */
export function clerkOptions(config) {
  return {
    secretKey: config.instanceSecretKey,
    machineSecretKey: config.machineSecretKey,
    publishableKey: config.publishableKey,
    apiUrl: config.apiUrl,
  }
}

/** The subject of a Clerk auth object, when it is an authenticated M2M token; else `null`. */
export function clerkSubject(auth) {
  return auth?.isAuthenticated === true && auth.tokenType === 'm2m_token' ? auth.subject : null
}

/** Listens on an ephemeral loopback port; resolves the port and a close function. */
export function listenNode(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve({ port: server.address().port, close: () => closeNode(server) })
    })
  })
}

function closeNode(server) {
  return new Promise((resolve) => {
    server.close(() => resolve())
    // autocannon's keep-alive sockets would hold close() open.
    server.closeAllConnections()
  })
}
