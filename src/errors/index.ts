export { ERRORS, ALL_ERROR_CODES, type ErrorCode } from './codes.js';
export { QueryParseError } from './query-parse-error.js';
