/** One suite: unit specs beside the code, integration and end-to-end specs on real Kafka/PostgreSQL. */
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

module.exports = {
  rootDir: __dirname,
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts'],
  transform: { '^.+\\.(ts|js)$': swc },
  // Node 20 require()s this ESM-only dependency of @fastify/static natively; jest cannot.
  transformIgnorePatterns: ['/node_modules/(?!content-disposition/)'],
  moduleNameMapper: {
    '^@tracker/(contracts|kafka|database|config|testing|local-infra|platform|directory|replay)$':
      '<rootDir>/libs/$1/src',
  },
  globalSetup: '<rootDir>/libs/testing/src/jest/global-setup.ts',
  globalTeardown: '<rootDir>/libs/testing/src/jest/global-teardown.ts',
  testTimeout: 60000,
  // Kafka clients keep sockets briefly after disconnect; suites close what they open.
  forceExit: true,
  verbose: false,
};
