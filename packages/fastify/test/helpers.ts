export { makeTracer, listen, until, type TestTracer } from '../../../test/support/plugin-fixtures';
