import { expect, it } from 'vitest'
import * as api from '../src/index.js'

// Guards the public surface: a rename or removal here is a breaking change and must be deliberate.
it('exports exactly the documented public names', () => {
  expect(Object.keys(api).sort()).toMatchInlineSnapshot(`
    [
      "DEFAULT_WORKERS_STORE_BASE_URL",
      "WorkersCacheUnavailableError",
      "createWorkersStore",
    ]
  `)
})
