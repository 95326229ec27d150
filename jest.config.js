/**
 * Test tiers as jest projects (`--selectProjects unit|int|e2e|browser`): unit specs beside the code need
 * no infrastructure; integration (`*.int-spec.ts`) and end-to-end (`*.e2e-spec.ts`) specs run on a
 * real Kafka broker and PostgreSQL that global-setup starts once for the whole run.
 */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
      keepClassNames: true,
    },
    module: { type: 'commonjs' },
    sourceMaps: 'inline',
  },
];

const shared = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  transform: { '^.+\\.(ts|js)$': swc },
  // Node 20 require()s this ESM-only dependency of @fastify/static natively; jest cannot.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^@tracker/(contracts|kafka|database|config|testing|local-infra|platform|directory|replay|destinations)$':
      '<rootDir>/libs/$1/src',
  },
};
const withInfrastructure = {
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
};

module.exports = {
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['**/*.spec.ts'] },
    { ...shared, ...withInfrastructure, displayName: 'int', testMatch: ['**/*.int-spec.ts'] },
    { ...shared, ...withInfrastructure, displayName: 'e2e', testMatch: ['**/*.e2e-spec.ts'] },
    // The web console in Debian's Chromium (playwright-core) against the whole tracker.
    {
      ...shared,
      ...withInfrastructure,
      displayName: 'browser',
      testMatch: ['**/*.browser-spec.ts'],
    },
  ],
  testTimeout: 60000,
  // Kafka clients keep sockets briefly after disconnect; suites close what they open.
  forceExit: true,
  verbose: false,
};
