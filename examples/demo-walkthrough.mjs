/**
 * The walk-through every example's demo shares: one request per situation against the example API,
 * printed readably. Called through each example's `demo.mjs` by `pnpm demo` (scripts/demo.mjs) with a
 * running emulator; prints statuses, never a token or a key.
 */

const ADMIN_MACHINE = 'reports-admin'

/**
 * Starts an example (`startServer`) on a free loopback port against `emulator`, as its second
 * machine, and calls it as the first machine: a public route, then with a valid token, none, a
 * garbage one, one lacking the admin scope and a revoked one. Closes the API it started (not the
 * emulator).
 *
 * @param {{ label: string, startServer: (options: { auth: object, adminScope: string }) => Promise<{ url: string, close(): Promise<void> }>, emulator: import('@m2m-auth/emulator').Emulator, log?: (line: string) => void }} options
 * @returns {Promise<Array<{ name: string, status: number, expected: number }>>}
 */
export async function runExampleDemo({ label, startServer, emulator, log = console.log }) {
  const [caller, api] = emulator.machines
  // A machine nobody is scoped to: /admin/reports requires it, so the caller's tokens get a 403.
  const admin =
    emulator.machines.find((m) => m.name === ADMIN_MACHINE) ?? emulator.createMachine({ name: ADMIN_MACHINE })
  const server = await startServer({
    auth: { secretKey: api.secretKey, apiUrl: emulator.url },
    adminScope: admin.id,
  })
  try {
    log(`${label} example on ${server.url}, running as ${api.name} (its Machine Secret Key)`)
    log(
      `  /admin/reports also requires ${ADMIN_MACHINE} (${admin.id}), which ${caller.name} is not scoped to`,
    )
    const valid = await createToken(emulator.url, caller.secretKey)
    const revoked = await createToken(emulator.url, caller.secretKey)
    await revokeToken(emulator.url, caller.secretKey, revoked.id)

    const cases = [
      { name: 'GET /health, public', path: '/health', expected: 200 },
      { name: 'GET /orders, valid token', path: '/orders', token: valid.token, expected: 200 },
      { name: 'GET /orders, no token', path: '/orders', expected: 401 },
      { name: 'GET /orders, garbage token', path: '/orders', token: 'mt_thisisnotarealtoken', expected: 401 },
      {
        name: 'GET /admin/reports, lacks the admin scope',
        path: '/admin/reports',
        token: valid.token,
        expected: 403,
      },
      { name: 'GET /orders, revoked token', path: '/orders', token: revoked.token, expected: 401 },
    ]
    const results = []
    for (const c of cases) {
      const response = await fetch(`${server.url}${c.path}`, {
        headers: c.token ? { authorization: `Bearer ${c.token}` } : {},
        signal: AbortSignal.timeout(10_000),
      })
      const body = await response.json().catch(() => undefined)
      const mark = response.status === c.expected ? ' ' : '!'
      log(`${mark} ${response.status}  ${c.name.padEnd(42)} ${summarize(response, body)}`)
      results.push({ name: c.name, status: response.status, expected: c.expected })
    }
    return results
  } finally {
    await server.close()
  }
}

/** One readable line about an answer: who called, or why it was refused. */
function summarize(response, body) {
  if (response.ok) return body?.caller ? `caller ${body.caller}` : JSON.stringify(body)
  const challenge = response.headers.get('www-authenticate')
  const error = body?.error ?? 'no JSON body'
  // The description is for humans reading the raw answer; the line keeps the machine-readable parts.
  const attributes = challenge?.replace(/, error_description="[^"]*"/, '')
  return attributes ? `${error}  (WWW-Authenticate: ${attributes})` : error
}

async function createToken(apiUrl, machineSecretKey) {
  const response = await fetch(`${apiUrl}/m2m_tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${machineSecretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ seconds_until_expiration: 600 }),
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 201) throw new Error(`creating a token failed with HTTP ${response.status}`)
  return response.json()
}

async function revokeToken(apiUrl, machineSecretKey, id) {
  const response = await fetch(`${apiUrl}/m2m_tokens/${id}/revoke`, {
    method: 'POST',
    headers: { authorization: `Bearer ${machineSecretKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ revocation_reason: 'demo' }),
    signal: AbortSignal.timeout(10_000),
  })
  if (response.status !== 200) throw new Error(`revoking a token failed with HTTP ${response.status}`)
}
