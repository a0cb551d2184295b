/** Unit and integration tests run with ts-jest against the TypeScript sources. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  testTimeout: 60000,
  maxWorkers: 2,
  // Tests that run the real CLI need dist/ built from the current sources.
  globalSetup: '<rootDir>/test/global-setup.js',
};
