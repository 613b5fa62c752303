/** The little of a Postgres client that {@link SqlOfbStore} needs; PGlite and postgres.js both provide it. */
export interface SqlDriver {
  /** One parameterised statement (`$1`, `$2`, …). */
  query<R = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** Several statements, no parameters (migrations). */
  exec(text: string): Promise<void>;
  transaction<T>(fn: (tx: SqlDriver) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
