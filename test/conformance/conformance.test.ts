/**
 * RFC 6750 conformance, written once and run against a real server per adapter over loopback, with
 * the emulator as the token service. Rows: `rows/`; adapters: `subjects/`.
 */
import { afterAll, beforeAll, describe, it } from 'vitest'
import { send } from '../helpers/http.js'
import { assertAnswer, sentCredentials } from './assert.js'
import { type ConformanceEnvironment, startConformanceEnvironment } from './context.js'
import { rowGroups } from './rows/index.js'
import type { ConformanceRow } from './rows/types.js'
import { subjects } from './subjects/index.js'
import type { ConformanceSubject, StartedSubject } from './subjects/types.js'

let env: ConformanceEnvironment

beforeAll(async () => {
  env = await startConformanceEnvironment()
})

afterAll(async () => {
  await env?.close()
})

for (const subject of subjects) {
  describe(subject.name, () => {
    let shared: StartedSubject

    beforeAll(async () => {
      shared = await subject.start(env.base)
    })

    afterAll(async () => {
      await shared?.close()
    })

    for (const group of rowGroups) {
      describe(group.title, () => {
        for (const row of group.rows) it(row.name, () => runRow(subject, () => shared, row))
      })
    }
  })
}

async function runRow(subject: ConformanceSubject, shared: () => StartedSubject, row: ConformanceRow) {
  const scope = env.forRow()
  let own: StartedSubject | undefined
  try {
    if (row.verifier) {
      own = await subject.start({
        ...env.base,
        verifier: { ...env.base.verifier, ...row.verifier(scope.ctx) },
      })
    }
    const target = own ?? shared()
    const authorization = await row.authorization?.(scope.ctx)
    const response = await send(`${target.url}${row.path ?? '/protected'}`, {
      headers: authorization === undefined ? {} : { authorization },
    })
    assertAnswer(response, row.expect, scope.ctx, [...scope.secrets(), ...sentCredentials(authorization)])
  } finally {
    await scope.cleanup()
    await own?.close()
  }
}
