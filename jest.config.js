'use strict';
// One jest run over every package. Tests import sibling packages from source (through the
// mapper below) so a test never runs against a stale build; test/packaging checks the built
// CommonJS/ESM entry points separately.
/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages', '<rootDir>/examples', '<rootDir>/test'],
  testMatch: ['**/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  transform: {
    // Nest's tests declare controllers with decorators: legacy decorators + emitted metadata (DI)
    '/packages/nest/.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true },
          target: 'es2022',
        },
        module: { type: 'commonjs' },
      },
    ],
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  moduleNameMapper: {
    '^@sofa-tracer/([a-z-]+)$': '<rootDir>/packages/$1/src/index.ts',
  },
  testTimeout: 30000,
  maxWorkers: 2,
};
