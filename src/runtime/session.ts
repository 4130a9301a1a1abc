/** Who runs a query. */
export interface Session {
  /** Login name. */
  readonly user: string;
  /** Administrators may call sentry RPCs; other users get 23100 at parse time. */
  readonly isAdmin: boolean;
}

/** A config value of the host. */
export type ConfigValue = string | number | boolean;

/** The host's configuration (read-only to commands). */
export interface HostConfig {
  /** The value of `key`, or `undefined` when the host has none. */
  get(key: string): ConfigValue | undefined;
}

/** A {@link HostConfig} over a plain object or map. */
export function hostConfigFrom(entries: Readonly<Record<string, ConfigValue>> | ReadonlyMap<string, ConfigValue> = {}): HostConfig {
  const map = entries instanceof Map ? new Map(entries) : new Map(Object.entries(entries));
  return { get: (key) => map.get(key) };
}
