/**
 * A sentry's table of RPC methods: what every sentry side (the real agent, the simulator, the in-memory mock)
 * answers with. A new `sentry-*` command adds one entry; the links carry any method name through.
 *
 * @module
 */

/**
 * Answers one RPC: given the request's named params, returns (or resolves with) the result, which is sent as
 * JSON. A thrown error's message is what the caller sees in `_error`.
 */
export type SentryMethodHandler = (params: Readonly<Record<string, unknown>>) => unknown;

/**
 * Method name → handler. A request for a name not in the table is answered with JSON-RPC's method-not-found.
 *
 * @example
 * ```ts
 * const methods: SentryMethods = { netstat: () => collectConnections() };
 * ```
 */
export type SentryMethods = Readonly<Record<string, SentryMethodHandler>>;
