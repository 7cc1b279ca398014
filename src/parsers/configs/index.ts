export { detectPlatform, detectPlatformDetailed, isSetForm, type Detection } from './detect.js';
export { parseConfig, ConfigError, MAX_CONFIG_BYTES, binaryReason, walk, type ParseOptions } from './parse.js';
export { redactLine, REDACTED } from './redact.js';
