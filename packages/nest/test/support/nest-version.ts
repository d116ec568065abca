import { join } from 'node:path';

/** The Nest majors of the test matrix, each installed in its own private workspace. */
export type NestVersion = 'nest10' | 'nest11';
/** The two HTTP platforms. */
export type Platform = 'express' | 'fastify';

/** Folder of the private workspace holding a Nest major (packages/nest-compat/<version>). */
export function compatDir(version: NestVersion): string {
  return join(__dirname, '..', '..', '..', 'nest-compat', version);
}

// what the tests and the module under test load by name
const SPECIFIERS = [
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/core/router/router-execution-context',
  '@nestjs/core/exceptions/exceptions-handler',
  '@nestjs/testing',
];

/**
 * Makes `@nestjs/*` resolve to `version`'s copy for this test file, for the tests and for the
 * module's own imports alike (Nest's packages require each other by name, so an npm alias cannot
 * do this). Call before anything loads Nest.
 */
export function useNest(version: NestVersion): void {
  const dir = compatDir(version);
  for (const spec of SPECIFIERS) {
    const target = require.resolve(spec, { paths: [dir] });
    if (target !== require.resolve(spec)) jest.doMock(spec, () => jest.requireActual(target));
  }
}

/** Loads a Nest platform package (`@nestjs/platform-express` / `-fastify`) of `version`. */
export function loadPlatform(version: NestVersion, platform: Platform): Record<string, unknown> {
  return require(require.resolve('@nestjs/platform-' + platform, { paths: [compatDir(version)] })) as Record<
    string,
    unknown
  >;
}
