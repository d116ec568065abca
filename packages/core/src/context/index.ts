export { spanStorage, currentSpan, runWithSpan } from './storage';
export { bindToSpan, bindEmitterToSpan } from './bind';
