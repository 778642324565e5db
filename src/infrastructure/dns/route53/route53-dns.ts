import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
import type { DnsChange, DnsProvider, DnsRecord, DnsRecordType } from '../../../application/ports/dns.port.js';
import { StepError } from '../../../application/process-manager/step-error.js';
import { realSleep, withAwsRetry } from '../../aws/aws-errors.js';

export interface Route53Options {
  client: Route53Client;
  hostedZoneId: string;
  zone: string;
  waitForSync?: { timeoutMs: number; pollMs: number };
  retry?: { attempts: number; baseDelayMs: number };
  sleep?: (ms: number) => Promise<void>;
}

const fqdn = (name: string) => `${name.toLowerCase().replace(/\.$/, '')}.`;
// Route53 answers with octal escapes for some characters (`*` as \052).
const unescape = (name: string) =>
  name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8))).replace(/\.$/, '');
const quoteTxt = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** `route53`: the school's record in ROUTE53_HOSTED_ZONE_ID, waiting until the change is INSYNC. */
export class Route53DnsProvider implements DnsProvider {
  readonly name = 'route53';
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: Route53Options) {
    this.sleep = options.sleep ?? realSleep;
  }

  private call<T>(what: string, fn: () => Promise<T>): Promise<T> {
    return withAwsRetry(`Route53 ${what} (zone ${this.options.hostedZoneId})`, fn, {
      attempts: this.options.retry?.attempts ?? 6,
      baseDelayMs: this.options.retry?.baseDelayMs ?? 200,
      sleep: this.sleep,
    });
  }

  private recordSet(record: { name: string; type: DnsRecordType; value: string; ttl: number }): ResourceRecordSet {
    const value =
      record.type === 'TXT' ? quoteTxt(record.value) : record.type === 'CNAME' ? fqdn(record.value) : record.value;
    return { Name: fqdn(record.name), Type: record.type, TTL: record.ttl, ResourceRecords: [{ Value: value }] };
  }

  private async change(action: 'UPSERT' | 'DELETE', set: ResourceRecordSet): Promise<string> {
    const changed = await this.call(`${action} ${set.Name} ${set.Type}`, () =>
      this.options.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.options.hostedZoneId,
          ChangeBatch: { Comment: 'SCS', Changes: [{ Action: action, ResourceRecordSet: set }] },
        }),
      ),
    );
    const id = changed.ChangeInfo?.Id ?? '';
    const { timeoutMs, pollMs } = this.options.waitForSync ?? { timeoutMs: 120_000, pollMs: 2000 };
    const deadline = Date.now() + timeoutMs;
    let status = changed.ChangeInfo?.Status;
    while (status !== 'INSYNC') {
      if (Date.now() > deadline)
        throw StepError.transient(
          `Route53 change ${id} for ${set.Name} is still ${status} after ${Math.round(timeoutMs / 1000)} s`,
        );
      await this.sleep(pollMs);
      status = (await this.call(`GetChange ${id}`, () => this.options.client.send(new GetChangeCommand({ Id: id }))))
        .ChangeInfo?.Status;
    }
    return id;
  }

  async upsert(record: DnsRecord): Promise<DnsChange> {
    return { reference: await this.change('UPSERT', this.recordSet(record)) };
  }

  async remove(name: string, type: DnsRecordType): Promise<DnsChange & { existed: boolean }> {
    // DELETE needs the record exactly as it is, so it is read first.
    const found = await this.call(`ListResourceRecordSets ${name}`, () =>
      this.options.client.send(
        new ListResourceRecordSetsCommand({
          HostedZoneId: this.options.hostedZoneId,
          StartRecordName: fqdn(name),
          StartRecordType: type,
          MaxItems: 1,
        }),
      ),
    );
    const current = found.ResourceRecordSets?.find(
      (set) => unescape(set.Name ?? '').toLowerCase() === fqdn(name).replace(/\.$/, '') && set.Type === type,
    );
    if (!current) return { existed: false, reference: 'route53:absent' };
    try {
      return { existed: true, reference: await this.change('DELETE', current) };
    } catch (error) {
      // Deleted by someone else between the read and the change: gone is what we wanted.
      if (error instanceof StepError && /InvalidChangeBatch/.test(error.message) && /not found/i.test(error.message))
        return { existed: false, reference: 'route53:absent' };
      throw error;
    }
  }

  async list(): Promise<DnsRecord[]> {
    const records: DnsRecord[] = [];
    let start: { name?: string; type?: string } = {};
    const zone = this.options.zone.toLowerCase().replace(/\.$/, '');
    for (;;) {
      const page = await this.call('ListResourceRecordSets', () =>
        this.options.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: this.options.hostedZoneId,
            StartRecordName: start.name,
            StartRecordType: start.type as never,
          }),
        ),
      );
      for (const set of page.ResourceRecordSets ?? []) {
        const name = unescape(set.Name ?? '').toLowerCase();
        if (!['A', 'CNAME', 'TXT'].includes(set.Type ?? '') || !(name === zone || name.endsWith(`.${zone}`))) continue;
        for (const r of set.ResourceRecords ?? []) {
          const value = set.Type === 'TXT' ? (r.Value ?? '').replace(/^"|"$/g, '') : (r.Value ?? '').replace(/\.$/, '');
          records.push({ name, type: set.Type as DnsRecordType, value, ttl: set.TTL ?? 0 });
        }
      }
      if (!page.IsTruncated) return records;
      start = { name: page.NextRecordName, type: page.NextRecordType };
    }
  }
}
