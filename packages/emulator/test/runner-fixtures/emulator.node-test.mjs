import assert from 'node:assert/strict'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { test } from 'node:test'
import { useEmulator } from '@m2m-auth/emulator/node-test'

const emulator = useEmulator()

test('a faulted verify route answers 503 while minting still works', async () => {
  await emulator.setFaults({ errorRate: 1, errorStatus: 503, routes: ['verify'] })
  const { token } = await emulator.mintToken({ from: 'orders-service' })
  const env = emulator.envFor('billing-service')
  const res = await fetch(`${env.CLERK_API_URL}/m2m_tokens/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${env.CLERK_MACHINE_SECRET_KEY}` },
    body: JSON.stringify({ token }),
  })
  assert.equal(res.status, 503)
  await emulator.clearFaults()
  writeFileSync(join(process.env.FIXTURE_OUT, 'node-test'), emulator.url)
})
