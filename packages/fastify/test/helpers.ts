export {
  makeTracer,
  listen,
  until,
  HTTP_SERVER_DIGEST_KEYS,
  type TestTracer,
} from '../../../test/support/plugin-fixtures';
