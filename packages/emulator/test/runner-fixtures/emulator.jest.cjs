const { writeFileSync } = require('node:fs')
const { join } = require('node:path')
const { useEmulator } = require('@m2m-auth/emulator/jest')

const emulator = useEmulator()

test('a minted token is verified, and refused once revoked', async () => {
  const { token, id } = await emulator.mintToken({ from: 'orders-service' })
  const env = emulator.envFor('billing-service')
  const verify = () =>
    fetch(`${env.CLERK_API_URL}/m2m_tokens/verify`, {
      method: 'POST',
      headers: { authorization: `Bearer ${env.CLERK_MACHINE_SECRET_KEY}` },
      body: JSON.stringify({ token }),
    })
  expect((await verify()).status).toBe(200)
  await emulator.revokeToken(id)
  expect((await verify()).status).toBe(404)
  writeFileSync(join(process.env.FIXTURE_OUT, 'jest'), emulator.url)
})
