/**
 * The Splunk capability that lets a user run the sentry commands inside Splunk: there it replaces the permission
 * check of error 23100 ("No permission to call sentry RPC."). An admin grants it to a role in authorize.conf
 * (`[capability::run_sentry_rpc]`, then `run_sentry_rpc = enabled` in the role's stanza).
 *
 * @module
 */

/** The capability a caller needs to run a sentry command as a Splunk custom search command. */
export const SENTRY_RPC_CAPABILITY = 'run_sentry_rpc';

/**
 * Whether `caller` has `capability`, as splunkd listed it (exactly: Splunk capability names are lower case and
 * compared as they are).
 */
export function hasCapability(caller: { readonly capabilities: readonly string[] }, capability: string): boolean {
  return caller.capabilities.includes(capability);
}
