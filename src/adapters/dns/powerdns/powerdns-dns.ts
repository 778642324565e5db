import { foreignRecords, isAtOrUnder, ownedBy, ownershipName, ownershipRecord } from '../../../ports/dns-ownership.js';
import {
  DnsNameTakenError,
  type DnsChange,
  type DnsProvider,
  type DnsRecord,
  type DnsRecordType,
  type DnsRelease,
} from '../../../ports/dns.port.js';
import { StepError } from '../../../ports/step-error.js';

const TYPES: readonly DnsRecordType[] = ['A', 'CNAME', 'TXT'];
const TIMEOUT_MS = 10_000;

interface RRset {
  name: string;
  type: string;
  ttl: number;
  records: Array<{ content: string; disabled: boolean }>;
}

interface Zone {
  serial: number;
  rrsets: RRset[];
}

export interface PowerDnsOptions {
  apiUrl: string;
  apiKey: string;
  serverId?: string;
  zone: string;
  /** The SCS instance whose records these are (`SCS_OWNER_ID`). */
  owner: string;
  fetch?: typeof fetch;
}

const bare = (name: string) => name.trim().toLowerCase().replace(/\.$/, '');
const absolute = (name: string) => `${bare(name)}.`;

/**
 * TXT zone-file syntax: character-strings hold at most 255 octets (RFC 1035 §3.3.14), so longer values
 * become several strings; quotes and backslashes are escaped and non-ASCII octets written as \DDD, so
 * a UTF-8 character split across two strings survives.
 */
export function quoteTxt(value: string): string {
  const bytes = Buffer.from(value, 'utf8');
  const chunks: string[] = [];
  for (let i = 0; i === 0 || i < bytes.length; i += 255) {
    const escaped = [...bytes.subarray(i, i + 255)].map((b) =>
      b === 0x22 || b === 0x5c
        ? `\\${String.fromCharCode(b)}`
        : b >= 0x20 && b < 0x7f
          ? String.fromCharCode(b)
          : `\\${String(b).padStart(3, '0')}`,
    );
    chunks.push(`"${escaped.join('')}"`);
  }
  return chunks.join(' ');
}

/** The inverse of quoteTxt for what PowerDNS returns: `"a" "b"` → `ab`, escapes undone. */
export function unquoteTxt(content: string): string {
  const strings = content.match(/"((?:[^"\\]|\\.)*)"/g) ?? [`"${content}"`];
  const bytes: number[] = [];
  for (const s of strings) {
    const inner = s.slice(1, -1);
    for (let i = 0; i < inner.length; i++) {
      if (inner[i] !== '\\') bytes.push(...Buffer.from(inner[i], 'utf8'));
      else if (/^\d{3}$/.test(inner.slice(i + 1, i + 4))) {
        bytes.push(Number(inner.slice(i + 1, i + 4)));
        i += 3;
      } else bytes.push(inner.charCodeAt(++i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function content(record: DnsRecord): string {
  if (record.type === 'TXT') return quoteTxt(record.value);
  if (record.type === 'CNAME') return absolute(record.value);
  return record.value.trim();
}

/**
 * `powerdns` DNS: record sets in one zone of a PowerDNS authoritative server, changed through its HTTP API.
 * The change reference is the zone's SOA serial after the change (PowerDNS bumps it per SOA-EDIT-API).
 */
export class PowerDnsProvider implements DnsProvider {
  readonly name = 'powerdns';
  readonly zone: string;
  readonly owner: string;
  private readonly zoneUrl: string;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: PowerDnsOptions) {
    this.zone = bare(options.zone);
    this.owner = options.owner;
    const server = encodeURIComponent(options.serverId ?? 'localhost');
    this.zoneUrl = `${options.apiUrl.replace(/\/+$/, '')}/api/v1/servers/${server}/zones/${encodeURIComponent(absolute(this.zone))}`;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  /**
   * PowerDNS has no conditional write: the name is read, then the record and its mark are written in one
   * PATCH (one transaction on the server), so a foreign record made between the two is the only race.
   */
  async claim(record: DnsRecord, schoolId: string): Promise<DnsChange> {
    const name = bare(record.name);
    const foreign = foreignRecords(name, await this.recordsAt(name), this.owner, schoolId);
    if (foreign.length > 0) throw new DnsNameTakenError(name, foreign);
    await this.patch(this.replace(ownershipRecord({ ...record, name }, this.owner, schoolId)), this.replace(record));
    return { reference: await this.serial() };
  }

  async release(name: string, type: DnsRecordType, schoolId: string): Promise<DnsRelease> {
    const fqdn = bare(name);
    const here = await this.recordsAt(fqdn);
    const existed = here.some((r) => r.name === fqdn && r.type === type);
    if (!ownedBy(fqdn, here, this.owner, schoolId)) return { existed, owned: !existed, reference: await this.serial() };
    await this.patch(
      { name: absolute(fqdn), type, changetype: 'DELETE' },
      { name: absolute(ownershipName(fqdn)), type: 'TXT', changetype: 'DELETE' },
    );
    return { existed, owned: true, reference: await this.serial() };
  }

  async adopt(record: DnsRecord, schoolId: string): Promise<DnsChange> {
    await this.patch(this.replace(ownershipRecord({ ...record, name: bare(record.name) }, this.owner, schoolId)));
    return { reference: await this.serial() };
  }

  async recordsAt(name: string): Promise<DnsRecord[]> {
    return (await this.list()).filter((r) => isAtOrUnder(r.name, bare(name)));
  }

  private replace(record: DnsRecord): Record<string, unknown> {
    return {
      name: absolute(record.name),
      type: record.type,
      ttl: record.ttl,
      changetype: 'REPLACE',
      records: [{ content: content(record), disabled: false }],
    };
  }

  async upsert(record: DnsRecord): Promise<DnsChange> {
    await this.patch(this.replace(record));
    return { reference: await this.serial() };
  }

  async remove(name: string, type: DnsRecordType): Promise<DnsChange & { existed: boolean }> {
    const query = new URLSearchParams({ rrset_name: absolute(name), rrset_type: type });
    const zone = await this.request<Zone>('GET', `${this.zoneUrl}?${query}`);
    // Filtered again here: a server that ignores the filters returns every rrset.
    const existed = zone.rrsets.some((r) => r.name === absolute(name) && r.type === type && r.records.length > 0);
    await this.patch({ name: absolute(name), type, changetype: 'DELETE' });
    return { reference: await this.serial(), existed };
  }

  async list(): Promise<DnsRecord[]> {
    const zone = await this.request<Zone>('GET', this.zoneUrl);
    return zone.rrsets
      .filter((r): r is RRset & { type: DnsRecordType } => (TYPES as readonly string[]).includes(r.type))
      .flatMap((r) =>
        r.records
          .filter((record) => !record.disabled)
          .map((record) => ({
            name: bare(r.name),
            type: r.type,
            ttl: r.ttl,
            value:
              r.type === 'TXT'
                ? unquoteTxt(record.content)
                : r.type === 'CNAME'
                  ? bare(record.content)
                  : record.content,
          })),
      );
  }

  private async patch(...rrsets: Array<Record<string, unknown>>): Promise<void> {
    await this.request('PATCH', this.zoneUrl, { rrsets });
  }

  private async serial(): Promise<string> {
    return String((await this.request<Zone>('GET', `${this.zoneUrl}?rrsets=false`)).serial);
  }

  private async request<T>(method: string, url: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetch(url, {
        method,
        headers: {
          'X-API-Key': this.options.apiKey,
          Accept: 'application/json',
          ...(body ? { 'Content-Type': 'application/json' } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw StepError.transient(`PowerDNS at ${this.options.apiUrl} is unreachable: ${describe(error)}`, error);
    }
    const text = await response.text().catch(() => '');
    if (response.ok) return (text ? JSON.parse(text) : undefined) as T;
    throw this.classify(method, response.status, errorText(text));
  }

  private classify(method: string, status: number, detail: string): StepError {
    const what = `PowerDNS ${method} zone ${this.zone}: HTTP ${status}`;
    if (status === 404) {
      return StepError.permanent(
        `${what}: zone ${this.zone} does not exist on server ${this.options.serverId ?? 'localhost'} (${detail})`,
      );
    }
    if (status === 401 || status === 403) return StepError.permanent(`${what}: the API key was refused (${detail})`);
    if (status === 422 || status === 400) return StepError.permanent(`${what}: ${detail}`);
    if (status === 429 || status >= 500) return StepError.transient(`${what}: ${detail}`);
    return StepError.permanent(`${what}: ${detail}`);
  }
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { error?: string };
    if (parsed.error) return parsed.error;
  } catch {
    // not JSON: PowerDNS answers some errors (401) in plain text
  }
  return body.trim().slice(0, 300) || 'no details';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
