// Finished runs' records in SQL: the RunRecordStore role of SqlOfbStore.
import { OfbRunRecord } from '@symphony/schemas';
import type { NewRunRecord, RunRecord, RunRecordStore } from '../../OfbStore.js';
import type { SqlDriver } from '../SqlDriver.js';
import { referenced } from './errors.js';
import type { Row } from './rows.js';

/**
 * Parameter `param` (milliseconds since the epoch) as a `timestamptz`, exactly: whole seconds and
 * the milliseconds apart, since `to_timestamp(ms / 1000.0)` would round large times to a float.
 */
const fromMs = (param: string) =>
  `(to_timestamp((${param}::bigint / 1000)::double precision) + (${param}::bigint % 1000) * interval '1 millisecond')`;
/** Column `column` of `alias` (a `timestamptz`) as milliseconds since the epoch (`extract` is exact numeric). */
const toMs = (alias: string, column: string) =>
  `round(extract(epoch from ${alias}.${column}) * 1000)::text as ${column}`;

/** The columns a record is read with, the starter's name joined in (their id when no user row exists). */
const recordColumns = (alias: string) => `${alias}.run_id, ${alias}.workflow_id, ${alias}.workspace_id,
  ${alias}.started_by, coalesce(u.name, ${alias}.started_by) as started_by_name, ${alias}.status,
  ${toMs(alias, 'started_at')}, ${toMs(alias, 'finished_at')},
  ${alias}.heads, ${alias}.outputs, ${alias}.nodes::text as nodes, ${alias}.input_tokens::text as input_tokens,
  ${alias}.output_tokens::text as output_tokens, ${alias}.cost_usd, ${alias}.rerun_of,
  ${toMs(alias, 'recorded_at')}`;

/** {@link RunRecordStore} over a {@link SqlDriver}. */
export class SqlRunRecordStore implements RunRecordStore {
  constructor(private readonly db: SqlDriver) {}

  async createRunRecord(r: NewRunRecord): Promise<RunRecord | null> {
    // `on conflict do nothing`: a taken run id writes nothing and returns no row, and a concurrent
    // insert of the same id waits for the first one's commit instead of failing the transaction.
    // JSON goes in as text (`::text::jsonb`): postgres.js would encode a string given for a jsonb
    // parameter once more, as a JSON string.
    const rows = await referenced(`workflow ${r.workflowId}`, () =>
      this.db.query(
        `with inserted as (
           insert into run_records (run_id, workflow_id, workspace_id, started_by, status, started_at,
             finished_at, heads, outputs, nodes, input_tokens, output_tokens, cost_usd, rerun_of, recorded_at)
           values ($1, $2, $3, $4, $5, ${fromMs('$6')}, ${fromMs('$7')}, $8::text::jsonb, $9::text::jsonb, $10, $11, $12,
             $13, $14, ${fromMs('$15')})
           on conflict (run_id) do nothing
           returning *
         )
         select ${recordColumns('r')} from inserted r left join users u on u.id = r.started_by`,
        [
          r.runId,
          r.workflowId,
          r.workspaceId,
          r.startedBy,
          r.status,
          r.startedAt,
          r.finishedAt,
          JSON.stringify(r.heads),
          JSON.stringify(r.outputs),
          r.nodes,
          r.inputTokens,
          r.outputTokens,
          r.costUsd,
          r.rerunOf ?? null,
          r.recordedAt,
        ],
      ),
    );
    return rows[0] ? runRecord(rows[0]) : null;
  }

  async getRunRecord(runId: string): Promise<RunRecord | null> {
    const rows = await this.db.query(
      `select ${recordColumns('r')} from run_records r left join users u on u.id = r.started_by
       where r.run_id = $1`,
      [runId],
    );
    return rows[0] ? runRecord(rows[0]) : null;
  }

  async listRunRecords(workflowId: string, limit: number): Promise<RunRecord[]> {
    const rows = await this.db.query(
      `select ${recordColumns('r')} from run_records r left join users u on u.id = r.started_by
       where r.workflow_id = $1 order by r.started_at desc, r.run_id desc limit $2`,
      [workflowId, limit],
    );
    return rows.map(runRecord);
  }
}

/**
 * A row as a {@link RunRecord}, parsed with the wire schema (the database is a boundary too: a row
 * written past OFB that does not fit fails here, loudly, rather than reaching a caller).
 */
function runRecord(r: Row): RunRecord {
  // Both drivers parse jsonb; a string here would be a driver configured not to.
  const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
  return OfbRunRecord.parse({
    workflowId: r.workflow_id,
    runId: r.run_id,
    status: r.status,
    startedAt: Number(r.started_at),
    finishedAt: Number(r.finished_at),
    heads: json(r.heads),
    outputs: json(r.outputs),
    nodes: Number(r.nodes),
    inputTokens: Number(r.input_tokens),
    outputTokens: Number(r.output_tokens),
    costUsd: Number(r.cost_usd),
    ...(r.rerun_of === null ? {} : { rerunOf: r.rerun_of }),
    workspaceId: r.workspace_id,
    startedBy: { userId: r.started_by, name: r.started_by_name },
    recordedAt: Number(r.recorded_at),
  });
}
