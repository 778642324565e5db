import type pg from 'pg';
import type { GlobalPosition } from '../../../ports/event-store.port.js';
import type {
  DeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpoints,
  WebhookSecrets,
} from '../../../ports/webhooks.port.js';
import type { PostgresCheckpointStore } from '../../postgres/postgres-checkpoint-store.js';
import { seal, unsealWithAny } from '../../secrets/secret-box.js';

const COLUMNS = `id::text, url, event_types, created_at, disabled_at, disabled_reason, previous_secret_until, generation`;

interface Row {
  id: string;
  url: string;
  event_types: string[];
  created_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  previous_secret_until: Date | null;
  generation: number;
}

const iso = (date: Date | null) => (date ? date.toISOString() : null);

function toEndpoint(row: Row): WebhookEndpoint {
  return {
    id: row.id,
    url: row.url,
    eventTypes: row.event_types,
    createdAt: row.created_at.toISOString(),
    disabledAt: iso(row.disabled_at),
    disabledReason: row.disabled_reason,
    previousSecretUntil: iso(row.previous_secret_until),
    generation: row.generation,
  };
}

const checkpointName = (id: string) => `webhook:${id}`;

// Only while the endpoint exists (a removed one must not leave its checkpoint behind) and was not replayed
// since the worker started (the replay's position must stand).
const SAVE_CHECKPOINT = `INSERT INTO scs_checkpoints (name, commit_position, prepare_position, updated_at)
  SELECT $1, $2, $3, now() WHERE EXISTS (SELECT 1 FROM scs_webhook_endpoints WHERE id = $4 AND generation = $5)
  ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position,
    prepare_position = EXCLUDED.prepare_position, updated_at = now()`;

// One endpoint's attempts from parallel arrays, in their order (the log's id orders it).
const RECORD_ATTEMPTS = `INSERT INTO scs_webhook_deliveries
  (endpoint_id, event_id, event_type, subject, attempt, outcome, http_status, latency_ms, error, attempted_at)
  SELECT $1, a.event_id, a.event_type, a.subject, a.attempt, a.outcome, a.http_status, a.latency_ms, a.error,
         a.attempted_at
    FROM unnest($2::text[], $3::text[], $4::text[], $5::int[], $6::text[], $7::int[], $8::int[], $9::text[],
                $10::timestamptz[]) WITH ORDINALITY
         AS a(event_id, event_type, subject, attempt, outcome, http_status, latency_ms, error, attempted_at, n)
   WHERE EXISTS (SELECT 1 FROM scs_webhook_endpoints WHERE id = $1)
   ORDER BY a.n`;

const ATTEMPTS = `SELECT endpoint_id::text, event_id, event_type, subject, attempt, outcome, http_status, latency_ms, error,
  attempted_at FROM scs_webhook_deliveries`;

interface AttemptRow {
  endpoint_id: string;
  event_id: string;
  event_type: string;
  subject: string;
  attempt: number;
  outcome: DeliveryAttempt['outcome'];
  http_status: number | null;
  latency_ms: number;
  error: string | null;
  attempted_at: Date;
}

function toAttempt(r: AttemptRow): DeliveryAttempt {
  return {
    endpointId: r.endpoint_id,
    eventId: r.event_id,
    eventType: r.event_type,
    subject: r.subject,
    attempt: r.attempt,
    outcome: r.outcome,
    httpStatus: r.http_status,
    latencyMs: r.latency_ms,
    error: r.error,
    attemptedAt: r.attempted_at.toISOString(),
  };
}

/**
 * Endpoints in `scs_webhook_endpoints`, their secrets sealed with the active credentials key's sealing
 * subkey (older listed keys still open them, and a secret opened with one is sealed again with the active
 * key); each endpoint's position in `scs_checkpoints` as `webhook:<id>`; attempts in `scs_webhook_deliveries`.
 */
export class PostgresWebhookEndpoints implements WebhookEndpoints {
  constructor(
    private readonly pool: pg.Pool,
    private readonly checkpoints: PostgresCheckpointStore,
    /** The active key's first (see SchoolCredentials.sealingKeys). */
    private readonly sealingKeys: Buffer[],
  ) {}

  async create(
    endpoint: { id: string; url: string; eventTypes: string[] },
    secret: string,
    from?: GlobalPosition,
  ): Promise<WebhookEndpoint> {
    return this.inTransaction(async (client) => {
      const { rows } = await client.query<Row>(
        `INSERT INTO scs_webhook_endpoints (id, url, event_types, secret_sealed) VALUES ($1, $2, $3, $4)
         RETURNING ${COLUMNS}`,
        [endpoint.id, endpoint.url, endpoint.eventTypes, seal(this.sealingKeys[0], secret)],
      );
      if (from) await this.checkpoints.save(checkpointName(endpoint.id), from, client);
      return toEndpoint(rows[0]);
    });
  }

  private async inTransaction<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async list(): Promise<WebhookEndpoint[]> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM scs_webhook_endpoints ORDER BY created_at, id`);
    return rows.map(toEndpoint);
  }

  async get(id: string): Promise<WebhookEndpoint | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM scs_webhook_endpoints WHERE id = $1`, [id]);
    return rows[0] && toEndpoint(rows[0]);
  }

  async remove(id: string): Promise<boolean> {
    const { rows } = await this.pool.query<{ n: number }>(
      `WITH gone AS (DELETE FROM scs_webhook_endpoints WHERE id = $1 RETURNING id),
            checkpoint AS (DELETE FROM scs_checkpoints WHERE name = $2 AND EXISTS (SELECT 1 FROM gone))
       SELECT count(*)::int AS n FROM gone`,
      [id, checkpointName(id)],
    );
    return rows[0].n > 0;
  }

  async secrets(id: string): Promise<WebhookSecrets | undefined> {
    const { rows } = await this.pool.query<{ current: Buffer; previous: Buffer | null; live: boolean }>(
      `SELECT secret_sealed AS current, previous_secret_sealed AS previous,
              coalesce(previous_secret_until > now(), false) AS live
         FROM scs_webhook_endpoints WHERE id = $1`,
      [id],
    );
    if (!rows[0]) return undefined;
    const opened = unsealWithAny(this.sealingKeys, rows[0].current);
    const current = opened.plaintext.toString('utf8');
    if (opened.keyIndex > 0) {
      // Sealed with an older credentials key: sealed again with the active one, so that key can be retired.
      await this.pool.query('UPDATE scs_webhook_endpoints SET secret_sealed = $2 WHERE id = $1', [
        id,
        seal(this.sealingKeys[0], current),
      ]);
    }
    const previous =
      rows[0].previous && rows[0].live
        ? unsealWithAny(this.sealingKeys, rows[0].previous).plaintext.toString('utf8')
        : undefined;
    return previous ? { current, previous } : { current };
  }

  async rotateSecret(id: string, secret: string, previousUntil: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE scs_webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = $3,
         secret_sealed = $2 WHERE id = $1`,
      [id, seal(this.sealingKeys[0], secret), previousUntil],
    );
    return (rowCount ?? 0) > 0;
  }

  async disable(id: string, reason: string): Promise<void> {
    await this.pool.query(
      'UPDATE scs_webhook_endpoints SET disabled_at = now(), disabled_reason = $2 WHERE id = $1 AND disabled_at IS NULL',
      [id, reason],
    );
  }

  async enable(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE scs_webhook_endpoints SET disabled_at = NULL, disabled_reason = NULL,
         enabled_at = CASE WHEN disabled_at IS NULL THEN enabled_at ELSE now() END WHERE id = $1`,
      [id],
    );
    return (rowCount ?? 0) > 0;
  }

  async replay(id: string, position: GlobalPosition | undefined): Promise<boolean> {
    return this.inTransaction(async (client) => {
      const { rowCount } = await client.query(
        'UPDATE scs_webhook_endpoints SET generation = generation + 1 WHERE id = $1',
        [id],
      );
      if (!rowCount) return false;
      await client.query('DELETE FROM scs_checkpoints WHERE name = $1', [checkpointName(id)]);
      if (position) await this.checkpoints.save(checkpointName(id), position, client);
      return true;
    });
  }

  loadCheckpoint(id: string): Promise<GlobalPosition | undefined> {
    return this.checkpoints.load(checkpointName(id));
  }

  async saveCheckpoint(id: string, position: GlobalPosition, generation: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(SAVE_CHECKPOINT, [
      checkpointName(id),
      position.commit.toString(),
      position.prepare.toString(),
      id,
      generation,
    ]);
    return (rowCount ?? 0) > 0;
  }

  async recordAttempts(attempts: DeliveryAttempt[]): Promise<boolean> {
    if (attempts.length === 0) return true;
    const column = <K extends keyof DeliveryAttempt>(key: K) => attempts.map((a) => a[key]);
    const { rowCount } = await this.pool.query(RECORD_ATTEMPTS, [
      attempts[0].endpointId,
      column('eventId'),
      column('eventType'),
      column('subject'),
      column('attempt'),
      column('outcome'),
      column('httpStatus'),
      column('latencyMs'),
      column('error'),
      column('attemptedAt'),
    ]);
    return (rowCount ?? 0) > 0;
  }

  async deliveries(id: string, limit: number): Promise<DeliveryAttempt[]> {
    const { rows } = await this.pool.query<AttemptRow>(`${ATTEMPTS} WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2`, [
      id,
      limit,
    ]);
    return rows.map(toAttempt);
  }

  async lastAttempt(id: string, eventId: string): Promise<DeliveryAttempt | undefined> {
    const { rows } = await this.pool.query<AttemptRow>(
      `${ATTEMPTS} WHERE endpoint_id = $1 AND event_id = $2 ORDER BY id DESC LIMIT 1`,
      [id, eventId],
    );
    return rows[0] && toAttempt(rows[0]);
  }

  async firstAttemptAt(id: string, eventId: string): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ first: Date | null }>(
      `SELECT min(d.attempted_at) AS first FROM scs_webhook_deliveries d JOIN scs_webhook_endpoints e ON e.id = d.endpoint_id
        WHERE d.endpoint_id = $1 AND d.event_id = $2 AND d.attempted_at >= coalesce(e.enabled_at, '-infinity')`,
      [id, eventId],
    );
    return rows[0]?.first ?? undefined;
  }
}
