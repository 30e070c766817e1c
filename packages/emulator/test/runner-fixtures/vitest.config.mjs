// The one line a user adds: one emulator for the whole run.
export default { test: { globalSetup: ['@m2m-auth/emulator/vitest'], include: ['*.vitest.mjs'] } }
