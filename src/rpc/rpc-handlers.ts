/**
 * The serving side of a channel: a table of handlers, dispatched by json-rpc-2.0's `JSONRPCServer` (method
 * lookup, method-not-found, notifications, an exception → error response). Ours: handlers get the link's
 * abort signal, an exception that is a `SentryRpcError` carries its kind in the error's `data`
 * (rpc-failure.ts), and a {@link JsonText} result is spliced in unserialised.
 *
 * @module
 */
import { createJSONRPCErrorResponse, JSONRPCErrorCode, JSONRPCErrorException, JSONRPCServer, type JSONRPCResponse } from 'json-rpc-2.0';
import { JsonText, stringifyWithoutRecursion } from './json-text.js';
import { NATS_ANSWER_LIMIT_BYTES } from './limits.js';
import { failureData } from './rpc-failure.js';
import type { RpcRequestFrame } from './rpc-frames.js';

/**
 * Answers one request: given its named params and the link's signal (aborted when the link ends), returns or
 * resolves with the result; a thrown error's message is what the caller sees.
 */
export type RpcHandler = (params: Readonly<Record<string, unknown>>, signal: AbortSignal) => unknown;

/** Method name → handler; any other method is answered with method-not-found. */
export type RpcHandlers = Readonly<Record<string, RpcHandler>>;

/** Options of {@link RpcDispatcher}. */
export interface RpcDispatcherOptions {
  /** The message of method-not-found for `method`. @default json-rpc-2.0's `Method not found` */
  readonly methodNotFound?: (method: string) => string;
}

/** json-rpc-2.0's code for a method's exception; kept so answers read as before. */
const EXCEPTION_CODE = 0;

/** The error a result that cannot be written as JSON is answered with (a BigInt, or a runaway value). */
const UNSENDABLE_ANSWER = 'the answer cannot be sent: it is not JSON data, or too large';

/** Dispatches requests to a handler table; one per link (it holds no per-link state but the table). */
export class RpcDispatcher {
  readonly #server = new JSONRPCServer<AbortSignal>({ errorListener: () => undefined });

  constructor(handlers: RpcHandlers, options: RpcDispatcherOptions = {}) {
    const server = this.#server;
    for (const [name, handler] of Object.entries(handlers)) {
      server.addMethod(name, async (params, signal) => {
        if (Array.isArray(params)) throw new JSONRPCErrorException('params must be an object', JSONRPCErrorCode.InvalidParams);
        // JSON-RPC needs a result member; `undefined` would vanish from the frame.
        return (await handler(params ?? {}, signal)) ?? null;
      });
    }
    server.mapErrorToJSONRPCErrorResponse = (id, error: unknown) => {
      const message = (error as { message?: unknown } | null)?.message;
      const exception = error instanceof JSONRPCErrorException ? error : undefined;
      return createJSONRPCErrorResponse(
        id,
        exception?.code ?? EXCEPTION_CODE,
        typeof message === 'string' ? message : 'An unexpected error occurred',
        exception ? exception.data : failureData(error),
      );
    };
    const { methodNotFound } = options;
    if (methodNotFound) {
      server.applyMiddleware((next, request, signal) => {
        if (server.hasMethod(request.method)) return next(request, signal);
        return Promise.resolve(
          request.id === undefined
            ? null
            : createJSONRPCErrorResponse(request.id, JSONRPCErrorCode.MethodNotFound, methodNotFound(request.method)),
        );
      });
    }
  }

  /** The response frame's text for `request`, or undefined for a notification. */
  async answer(request: RpcRequestFrame, signal: AbortSignal): Promise<string | undefined> {
    const response = await this.#server.receive(request, signal);
    if (!response) return undefined;
    if ('result' in response && response.result instanceof JsonText) {
      return `{"jsonrpc":"2.0","id":${JSON.stringify(response.id)},"result":${response.result.text}}`;
    }
    return responseText(response);
  }
}

/**
 * The text of a response. A result JSON.stringify cannot take (nested deeper than its recursion allows: a data
 * node relaying a hostile sentry's answer) is written without recursion, so it reaches the caller as it came
 * and is refused there like any malformed answer; one that cannot be written at all is answered with an error.
 * Never throws: an answer that cannot be sent must not become an unhandled rejection.
 */
function responseText(response: JSONRPCResponse): string {
  try {
    return JSON.stringify(response);
  } catch {
    try {
      const text = stringifyWithoutRecursion(response, NATS_ANSWER_LIMIT_BYTES.list);
      if (text !== undefined) return text;
    } catch {
      // too long, or not JSON data: answered below
    }
    return JSON.stringify(createJSONRPCErrorResponse(response.id, EXCEPTION_CODE, UNSENDABLE_ANSWER));
  }
}
