export type { LogWriter, LogWriterOptions, LogWriterStats, RollingPolicy } from './log-writer';
export type { SelfLog } from './self-log';
export { NOOP_SELF_LOG } from './self-log';
export { formatDate, formatLogTime, rollingSuffix } from './time-format';
export { AsyncLogWriter, type AsyncLogWriterOptions } from './async-writer';
export { LogDirectory, SHADOW_DIR, type LogDirectoryOptions } from './log-directory';
export {
  FileSelfLog,
  SELF_LOG_FILE,
  MAX_SELF_LOG_MESSAGE_CHARS,
  type FileSelfLogOptions,
} from './file-self-log';
export { StderrSelfLog } from './stderr-self-log';
export { parseRetention, deleteExpiredRolledFiles } from './retention';
export { rollingPeriod, rolledFileName, type RollingPeriod } from './rolling';
export { writeStaticInfo, timeZoneId, STATIC_INFO_FILE, type StaticInfo } from './static-info';
export { RateLimiter, errorText } from './rate-limiter';
