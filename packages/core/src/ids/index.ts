export {
  generateTraceId,
  ipToHex,
  pickIpv4Hex,
  localIpHex,
  FALLBACK_IP_HEX,
  type InterfaceMap,
} from './trace-id';
export { fnv1a64Hex } from './fnv';
export { toW3cTraceId, toW3cSpanId } from './id-mapping';
export {
  isValidTraceId,
  isValidSpanId,
  spanIdDepth,
  isLowerHexId,
  MAX_TRACE_ID_LENGTH,
  MAX_SPAN_ID_DEPTH,
  MAX_SPAN_ID_LENGTH,
  MAX_ROOT_SEGMENT_LENGTH,
} from './validate';
export { localIpv4 } from './local-ip';
