import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { connectEmulator } from '@m2m-auth/emulator'
import { expect, inject, it } from 'vitest'

const emulator = connectEmulator(inject('m2mEmulator'))

it('gets a token the receiving machine verifies', async () => {
  const { token } = await emulator.mintToken({ from: 'orders-service' })
  const env = emulator.envFor('billing-service')
  const res = await fetch(`${env.CLERK_API_URL}/m2m_tokens/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.CLERK_MACHINE_SECRET_KEY}` },
    body: JSON.stringify({ token }),
  })
  expect(res.status).toBe(200)
  writeFileSync(join(process.env.FIXTURE_OUT, 'vitest-first'), emulator.url)
})
