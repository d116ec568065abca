export { jsonString, legacyValue } from './json-string';
export { encodeDigestJson, encodeDigestLegacy } from './digest-line';
export { encodeStatJson, encodeStatLegacy, type StatRow } from './stat-line';
