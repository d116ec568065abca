export * from './codec';
export {
  getterFor,
  setterFor,
  toReader,
  toWriter,
  ObjectReader,
  MapReader,
  HeadersReader,
  FunctionReader,
  ObjectWriter,
  MapWriter,
  HeadersWriter,
  MAX_HEADER_VALUE_LENGTH,
  type CarrierAdapter,
  type CarrierSource,
  type CarrierTarget,
  type HeadersLike,
  type HeaderValue,
} from './carrier';
export {
  encodeBaggage,
  decodeBaggage,
  limitBaggage,
  escapeBaggage,
  unescapeBaggage,
  baggageEntryLength,
} from './baggage';
export {
  javaUrlEncode,
  javaUrlDecode,
  percentDecode,
  baggageValueEncode,
  hasControlChars,
  isToken,
} from './text';
export { sofaB3Codec, SOFA_B3_HEADERS } from './sofa-b3';
export { sftcCodec, serializeSftc, SFTC_HEADER } from './sftc';
export {
  w3cCodec,
  readW3cTraceContext,
  outgoingTracestate,
  TRACEPARENT_HEADER,
  TRACESTATE_HEADER,
  SOFA_TRACESTATE_KEY,
  type W3cTraceContext,
} from './w3c';
export {
  parseTraceparent,
  formatTraceparent,
  parseTracestate,
  formatTracestate,
  truncateTracestate,
  isValidTracestateKey,
  isValidTracestateValue,
  TRACESTATE_MAX_MEMBERS,
  TRACE_FLAG_SAMPLED,
  TRACE_FLAG_RANDOM,
  type Traceparent,
  type TracestateMember,
} from './w3c-trace-context';
export {
  parseW3cBaggage,
  formatW3cBaggage,
  W3C_BAGGAGE_HEADER,
  W3C_SYS_BAGGAGE_PREFIX,
  W3C_BAGGAGE_MAX_MEMBERS,
  W3C_BAGGAGE_MAX_BYTES,
  type ParsedW3cBaggage,
  type FormattedW3cBaggage,
} from './w3c-baggage';
export { b3Codec, formatB3Single, B3_SINGLE_HEADER } from './b3';
export {
  Propagator,
  CODECS,
  DEFAULT_INJECT_FORMATS,
  DEFAULT_BAGGAGE_MAX_LENGTH,
  type PropagatorOptions,
  type CarrierFormat,
} from './propagator';
