import acme from 'acme-client';
import type pg from 'pg';
import { seal, unsealWithAny } from '../../secrets/secret-box.js';
import { classify } from './acme-problems.js';
import { traced, type AcmeTrace } from './acme-trace.js';

// Status polls start fast (Pebble answers in milliseconds) and back off to 10 s for a real CA: ~60 s in all.
const BACKOFF = { backoffAttempts: 12, backoffMin: 50, backoffMax: 10_000 };

export interface AcmeAccountOptions {
  pool: pg.Pool;
  directoryUrl: string;
  accountEmail: string;
  /** The active key the account key is sealed with, then older ones it may have been sealed with. */
  keys: Buffer[];
}

/**
 * The ACME account of one directory: its key is made once and kept (sealed) in `acme_accounts`, its URL
 * remembered after registering; one client per process, made again after a failed attempt.
 */
export class AcmeAccount {
  private client?: Promise<acme.Client>;

  constructor(private readonly options: AcmeAccountOptions) {}

  open(): Promise<acme.Client> {
    this.client ??= this.load().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  private async load(): Promise<acme.Client> {
    const { directoryUrl } = this.options;
    const { accountKey, accountUrl } = await this.storedKey();
    const client = new acme.Client({ directoryUrl, accountKey, accountUrl: accountUrl ?? undefined, ...BACKOFF });
    if (!accountUrl) await this.register(client);
    return client;
  }

  /** The account key (made and stored when the directory has none) and the account URL if registered. */
  private async storedKey(): Promise<{ accountKey: Buffer; accountUrl: string | null }> {
    const { pool, directoryUrl, accountEmail, keys } = this.options;
    const select = () =>
      pool.query<{ account_key_enc: Buffer; account_url: string | null }>(
        'SELECT account_key_enc, account_url FROM acme_accounts WHERE directory_url = $1',
        [directoryUrl],
      );
    let row = (await select()).rows[0];
    if (!row) {
      const created = await acme.crypto.createPrivateEcdsaKey();
      // Racing processes: the first key stored wins and everyone reads it back.
      await pool.query(
        'INSERT INTO acme_accounts (directory_url, email, account_key_enc) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
        [directoryUrl, accountEmail, seal(keys[0], created)],
      );
      row = (await select()).rows[0];
    }
    const opened = unsealWithAny(keys, row.account_key_enc);
    const accountKey = opened.plaintext;
    // Sealed with an older credentials key: sealed again with the active one, so that key can be retired.
    if (opened.keyIndex > 0) {
      const resealed = seal(keys[0], accountKey);
      const sql = 'UPDATE acme_accounts SET account_key_enc = $2 WHERE directory_url = $1';
      await pool.query(sql, [directoryUrl, resealed]);
    }
    return { accountKey, accountUrl: row.account_url };
  }

  private async register(client: acme.Client): Promise<void> {
    const { pool, directoryUrl, accountEmail } = this.options;
    const trace: AcmeTrace = { problems: [] };
    try {
      // With an existing key the CA answers with that account, so a repeat is harmless.
      await traced(trace, () =>
        client.createAccount({ termsOfServiceAgreed: true, contact: [`mailto:${accountEmail}`] }),
      );
    } catch (error) {
      throw classify(error, trace);
    }
    await pool.query('UPDATE acme_accounts SET account_url = $2 WHERE directory_url = $1', [
      directoryUrl,
      client.getAccountUrl(),
    ]);
  }
}
