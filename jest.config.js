// Three projects, one `npm test`: unit (pure logic), integration (services and HTTP on real
// PostgreSQL and Redis, in-process), e2e (built processes started as a user would).
// The database of a run is created by test/support/global-setup and dropped afterwards.
const { readFileSync } = require('node:fs');

const swc = JSON.parse(readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }],
    // otplib's crypto and Base32 plugins (@noble/hashes, @scure/base) ship ES modules only, which
    // Node loads with require(esm) but Jest's module system cannot: compiled to CommonJS for tests.
    '/node_modules/@(noble|scure)/.+\\.js$': ['@swc/jest', { ...swc, swcrc: false, sourceMaps: false, jsc: { ...swc.jsc, parser: { syntax: 'ecmascript' } } }],
  },
  transformIgnorePatterns: ['^(?!.*/node_modules/@(noble|scure)/).*/node_modules/'],
  moduleNameMapper: { '^@bank/([^/]+)/(.*)$': '<rootDir>/libs/$1/src/$2' },
  moduleFileExtensions: ['ts', 'js', 'json'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
};

module.exports = {
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  maxWorkers: 2,
  testTimeout: 60_000,
  // Coverage of libs/ by the in-process tests (built processes started by e2e tests are not counted).
  collectCoverage: true,
  collectCoverageFrom: ['libs/*/src/**/*.ts', '!**/*.spec.ts', '!libs/db/src/migrations/**'],
  coverageReporters: ['text-summary', 'lcov'],
  coverageThreshold: { global: { lines: 90 } },
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/libs/**/*.spec.ts', '<rootDir>/apps/**/*.spec.ts', '<rootDir>/test/unit/**/*.spec.ts'], testPathIgnorePatterns: [...shared.testPathIgnorePatterns, '\\.int\\.spec\\.ts$', '\\.e2e\\.spec\\.ts$'] },
    { ...shared, displayName: 'integration', testMatch: ['<rootDir>/libs/**/*.int.spec.ts', '<rootDir>/apps/**/*.int.spec.ts'] },
    { ...shared, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e.spec.ts'] },
  ],
};
