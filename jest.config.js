// Unit tests (*.spec.ts beside the code) and end-to-end tests (test/**/*.e2e-spec.ts) against the
// real PostgreSQL and Redis, and browser tests (test/browser/*.browser-spec.ts) of the web app in
// headless Chromium. `npm test` runs all three.
const swcTransform = [
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

// The SMS Gateway for Android npm client ships ES module syntax in a package that does not say
// so; the client API's tests load it through the same compiler, as CommonJS.
const esmPackageTransform = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

const moduleNameMapper = {
  '^@app/([a-z-]+)$': '<rootDir>/libs/$1/src',
  '^@app/([a-z-]+)/(.*)$': '<rootDir>/libs/$1/src/$2',
};

const shared = {
  rootDir: __dirname,
  transform: {
    '^.+\\.ts$': swcTransform,
    '/node_modules/android-sms-gateway/.+\\.js$': esmPackageTransform,
  },
  transformIgnorePatterns: ['/node_modules/(?!android-sms-gateway/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testEnvironment: 'node',
};

module.exports = {
  // A global option (ignored inside projects): e2e tests start apps, workers and servers.
  testTimeout: 60_000,
  // Two test files at once, whatever the machine: most of an e2e file's time is spent waiting on
  // its own API, worker and database, so on 2 cores two files take about half the time one after
  // the other do (281 s instead of 558 s here); more would crowd PostgreSQL. Each file has its own
  // database and Redis prefix (test/setup), so files never see each other's messages.
  maxWorkers: 2,
  projects: [
    {
      ...shared,
      displayName: 'unit',
      testMatch: [
        '<rootDir>/apps/**/*.spec.ts',
        '<rootDir>/libs/**/*.spec.ts',
        '<rootDir>/test/**/*.spec.ts',
      ],
    },
    {
      ...shared,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/test-environment.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/isolated-database.ts'],
      slowTestThreshold: 30,
    },
    {
      // The web app in headless Chromium (test/helpers/browser.ts) against the real stack.
      ...shared,
      displayName: 'browser',
      testMatch: ['<rootDir>/test/browser/**/*.browser-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup/test-environment.ts'],
      setupFilesAfterEnv: ['<rootDir>/test/setup/isolated-database.ts'],
      slowTestThreshold: 30,
    },
  ],
};
