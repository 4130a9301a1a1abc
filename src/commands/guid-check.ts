import { RUNTIME_ERRORS } from '../errors/runtime-errors.js';
import type { Value } from '../runtime/value.js';

/** The `_error` messages of a bad `guid` input field, from the reference page (see the runtime catalogue). */
export const GUID_ERRORS = Object.freeze({
  /** The `guid` field is null or missing. */
  isNull: RUNTIME_ERRORS.GUID_NULL.message(),
  /** The `guid` field is not a string. */
  notString: RUNTIME_ERRORS.GUID_NOT_STRING.message(),
  /** The `guid` field is an empty string. */
  empty: RUNTIME_ERRORS.GUID_EMPTY.message(),
});

/**
 * Checks the `guid` of an input record, in the reference page's order: null or missing, not a string, empty.
 * @returns the error message, or `undefined` when the guid can be used
 */
export function guidError(guid: Value | undefined): string | undefined {
  if (guid === null || guid === undefined) return GUID_ERRORS.isNull;
  if (typeof guid !== 'string') return GUID_ERRORS.notString;
  if (guid === '') return GUID_ERRORS.empty;
  return undefined;
}
