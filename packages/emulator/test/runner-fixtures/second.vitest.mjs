import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { expect, inject, it } from 'vitest'

it('sees the same emulator as every other file of the run', () => {
  const { url } = inject('m2mEmulator')
  expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  writeFileSync(join(process.env.FIXTURE_OUT, 'vitest-second'), url)
})
