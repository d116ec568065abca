export { jsonString, legacyValue } from './json-string';
export { encodeDigestJson, encodeDigestLegacy, writeDigestJson, writeDigestLegacy } from './digest-line';
export { ByteSink } from './byte-sink';
export { encodeStatJson, encodeStatLegacy, type StatRow } from './stat-line';
