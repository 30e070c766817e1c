// Two lines a user adds: start the run's emulator, and close it.
module.exports = {
  rootDir: __dirname,
  testMatch: ['<rootDir>/*.jest.cjs'],
  testEnvironment: 'node',
  transform: {},
  globalSetup: '@m2m-auth/emulator/jest/setup',
  globalTeardown: '@m2m-auth/emulator/jest/teardown',
}
