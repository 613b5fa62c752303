// The audit log's hash chain as SQL: the expression the insert trigger hashes a row with
// (migration 20250101000000_init.sql, re-created in 20250304000000), for whoever recomputes it.

/** The `prev_hash` of the first row: the trigger's `repeat('0', 64)`. */
export const AUDIT_GENESIS_HASH = '0'.repeat(64);

/**
 * A row's canonical content as the trigger's `ofb_audit_canonical(a)` builds it, for the
 * `audit_log` row aliased `alias`: a JSON array of its fields, the time in UTC to the microsecond.
 */
export function auditCanonicalSql(alias: string): string {
  const a = checkedAlias(alias);
  return `json_build_array(
    ${a}.seq, to_char(${a}.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), ${a}.actor, ${a}.action,
    ${a}.resource_kind, ${a}.resource_id, ${a}.workspace_id, ${a}.allowed, ${a}.reason
  )::text`;
}

/**
 * The hash the insert trigger gives the `audit_log` row aliased `alias` (hex SHA-256 of its
 * `prev_hash` followed by its canonical content), written out inline rather than calling the
 * database's `ofb_audit_canonical`: a tamperer who redefines that function cannot make a forged
 * row verify. `symphony audit verify` compares it with each row's stored `hash`.
 */
export function auditHashSql(alias: string): string {
  const a = checkedAlias(alias);
  return `encode(sha256(convert_to(${a}.prev_hash || ${auditCanonicalSql(a)}, 'UTF8')), 'hex')`;
}

/** An alias is spliced into SQL: only a plain identifier is allowed. */
function checkedAlias(alias: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(alias))
    throw new Error(`audit SQL alias "${alias}" must be a plain lower-case identifier, like "a"`);
  return alias;
}
