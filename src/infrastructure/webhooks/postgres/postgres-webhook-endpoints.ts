import type pg from 'pg';
import type { GlobalPosition } from '../../../application/ports/event-store.port.js';
import type {
  DeliveryAttempt,
  WebhookEndpoint,
  WebhookEndpoints,
  WebhookSecrets,
} from '../../../application/ports/webhooks.port.js';
import type { PostgresCheckpointStore } from '../../event-store/postgres/postgres-checkpoint-store.js';
import { seal, unsealWithAny } from '../../secrets/secret-box.js';

const COLUMNS = `id::text, url, event_types, created_at, disabled_at, disabled_reason, previous_secret_until`;

interface Row {
  id: string;
  url: string;
  event_types: string[];
  created_at: Date;
  disabled_at: Date | null;
  disabled_reason: string | null;
  previous_secret_until: Date | null;
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
  };
}

const checkpointName = (id: string) => `webhook:${id}`;

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
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const { rows } = await client.query<Row>(
        `INSERT INTO scs_webhook_endpoints (id, url, event_types, secret_sealed) VALUES ($1, $2, $3, $4)
         RETURNING ${COLUMNS}`,
        [endpoint.id, endpoint.url, endpoint.eventTypes, seal(this.sealingKeys[0], secret)],
      );
      if (from) await this.checkpoints.save(checkpointName(endpoint.id), from, client);
      await client.query('COMMIT');
      return toEndpoint(rows[0]);
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

  loadCheckpoint(id: string): Promise<GlobalPosition | undefined> {
    return this.checkpoints.load(checkpointName(id));
  }

  async saveCheckpoint(id: string, position: GlobalPosition): Promise<void> {
    // Only while the endpoint exists: a removed one must not leave its checkpoint behind.
    await this.pool.query(
      `INSERT INTO scs_checkpoints (name, commit_position, prepare_position, updated_at)
       SELECT $1, $2, $3, now() WHERE EXISTS (SELECT 1 FROM scs_webhook_endpoints WHERE id = $4)
       ON CONFLICT (name) DO UPDATE SET commit_position = EXCLUDED.commit_position,
         prepare_position = EXCLUDED.prepare_position, updated_at = now()`,
      [checkpointName(id), position.commit.toString(), position.prepare.toString(), id],
    );
  }

  async recordAttempt(a: DeliveryAttempt): Promise<void> {
    await this.pool.query(
      `INSERT INTO scs_webhook_deliveries
         (endpoint_id, event_id, event_type, subject, attempt, outcome, http_status, latency_ms, error, attempted_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10 WHERE EXISTS (SELECT 1 FROM scs_webhook_endpoints WHERE id = $1)`,
      [
        a.endpointId,
        a.eventId,
        a.eventType,
        a.subject,
        a.attempt,
        a.outcome,
        a.httpStatus,
        a.latencyMs,
        a.error,
        a.attemptedAt,
      ],
    );
  }

  async deliveries(id: string, limit: number): Promise<DeliveryAttempt[]> {
    const { rows } = await this.pool.query(
      `SELECT endpoint_id::text, event_id, event_type, subject, attempt, outcome, http_status, latency_ms, error, attempted_at
         FROM scs_webhook_deliveries WHERE endpoint_id = $1 ORDER BY id DESC LIMIT $2`,
      [id, limit],
    );
    return rows.map((r) => ({
      endpointId: r.endpoint_id,
      eventId: r.event_id,
      eventType: r.event_type,
      subject: r.subject,
      attempt: r.attempt,
      outcome: r.outcome,
      httpStatus: r.http_status,
      latencyMs: r.latency_ms,
      error: r.error,
      attemptedAt: (r.attempted_at as Date).toISOString(),
    }));
  }

  async firstAttemptAt(id: string, eventId: string): Promise<Date | undefined> {
    const { rows } = await this.pool.query<{ first: Date | null }>(
      'SELECT min(attempted_at) AS first FROM scs_webhook_deliveries WHERE endpoint_id = $1 AND event_id = $2',
      [id, eventId],
    );
    return rows[0]?.first ?? undefined;
  }
}
