import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  ListResourceRecordSetsCommand,
  type ResourceRecordSet,
  type Route53Client,
} from '@aws-sdk/client-route-53';
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
import { realSleep, withAwsRetry } from '../../aws/aws-errors.js';

export interface Route53Options {
  client: Route53Client;
  hostedZoneId: string;
  zone: string;
  /** The SCS instance whose records these are (`SCS_OWNER_ID`). */
  owner: string;
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
  readonly owner: string;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: Route53Options) {
    this.sleep = options.sleep ?? realSleep;
    this.owner = options.owner;
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

  /** One change batch (Route53 applies it whole or not at all), waited for until INSYNC. */
  private async change(action: 'CREATE' | 'UPSERT' | 'DELETE', ...sets: ResourceRecordSet[]): Promise<string> {
    const set = sets[sets.length - 1];
    const changed = await this.call(`${action} ${set.Name} ${set.Type}`, () =>
      this.options.client.send(
        new ChangeResourceRecordSetsCommand({
          HostedZoneId: this.options.hostedZoneId,
          ChangeBatch: { Comment: 'SCS', Changes: sets.map((s) => ({ Action: action, ResourceRecordSet: s })) },
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

  /**
   * A name no mark of ours is on is written with CREATE, which Route53 refuses when either record exists,
   * so a foreign record made after the read is never replaced; our own name is updated with UPSERT.
   */
  async claim(record: DnsRecord, schoolId: string): Promise<DnsChange> {
    const name = record.name.toLowerCase().replace(/\.$/, '');
    const here = await this.recordsAt(name);
    const foreign = foreignRecords(name, here, this.owner, schoolId);
    if (foreign.length > 0) throw new DnsNameTakenError(name, foreign);
    const action = ownedBy(name, here, this.owner, schoolId) ? 'UPSERT' : 'CREATE';
    const sets = [this.recordSet(ownershipRecord({ ...record, name }, this.owner, schoolId)), this.recordSet(record)];
    try {
      return { reference: await this.change(action, ...sets) };
    } catch (error) {
      if (action === 'CREATE' && error instanceof StepError && /already exists/i.test(error.message))
        throw StepError.transient(
          `${name} was written by someone else while SCS was creating it; checked again`,
          error,
        );
      throw error;
    }
  }

  async release(name: string, type: DnsRecordType, schoolId: string): Promise<DnsRelease> {
    const bareName = name.toLowerCase().replace(/\.$/, '');
    const sets = await this.setsAt(bareName);
    const here = sets.flatMap((set) => this.records(set));
    const current = sets.find((set) => unescape(set.Name ?? '').toLowerCase() === bareName && set.Type === type);
    if (!ownedBy(bareName, here, this.owner, schoolId))
      return { existed: !!current, owned: !current, reference: 'route53:not-owned' };
    const mark = sets.find(
      (set) => unescape(set.Name ?? '').toLowerCase() === ownershipName(bareName) && set.Type === 'TXT',
    );
    const doomed = [mark, current].filter((set): set is ResourceRecordSet => !!set);
    try {
      return { existed: !!current, owned: true, reference: await this.change('DELETE', ...doomed) };
    } catch (error) {
      // Deleted by someone else between the read and the change: the next attempt reads again.
      if (error instanceof StepError && /not found/i.test(error.message))
        throw StepError.transient(`${bareName} changed while SCS was deleting it; checked again`, error);
      throw error;
    }
  }

  async adopt(record: DnsRecord, schoolId: string): Promise<DnsChange> {
    const name = record.name.toLowerCase().replace(/\.$/, '');
    return {
      reference: await this.change(
        'UPSERT',
        this.recordSet(ownershipRecord({ ...record, name }, this.owner, schoolId)),
      ),
    };
  }

  async recordsAt(name: string): Promise<DnsRecord[]> {
    return (await this.setsAt(name)).flatMap((set) => this.records(set));
  }

  /**
   * The record sets at `name` and under it: Route53 lists names sorted with their labels reversed
   * (`in.syncad.shop`), so those under a name follow it; the listing stops at the first that is not.
   */
  private async setsAt(name: string): Promise<ResourceRecordSet[]> {
    const bareName = name.toLowerCase().replace(/\.$/, '');
    const sets: ResourceRecordSet[] = [];
    for await (const set of this.sets(fqdn(bareName))) {
      if (!isAtOrUnder(unescape(set.Name ?? '').toLowerCase(), bareName)) break;
      sets.push(set);
    }
    return sets;
  }

  /** The zone's record sets in Route53's order from `startName` (from the first when absent), page by page. */
  private async *sets(startName?: string): AsyncGenerator<ResourceRecordSet> {
    let start: { name?: string; type?: string } = { name: startName };
    for (;;) {
      const page = await this.call(`ListResourceRecordSets${startName ? ` ${startName}` : ''}`, () =>
        this.options.client.send(
          new ListResourceRecordSetsCommand({
            HostedZoneId: this.options.hostedZoneId,
            StartRecordName: start.name,
            StartRecordType: start.type as never,
          }),
        ),
      );
      yield* page.ResourceRecordSets ?? [];
      if (!page.IsTruncated) return;
      start = { name: page.NextRecordName, type: page.NextRecordType };
    }
  }

  private records(set: ResourceRecordSet): DnsRecord[] {
    const name = unescape(set.Name ?? '').toLowerCase();
    if (!['A', 'CNAME', 'TXT'].includes(set.Type ?? '')) return [];
    return (set.ResourceRecords ?? []).map((r) => ({
      name,
      type: set.Type as DnsRecordType,
      value: set.Type === 'TXT' ? (r.Value ?? '').replace(/^"|"$/g, '') : (r.Value ?? '').replace(/\.$/, ''),
      ttl: set.TTL ?? 0,
    }));
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
    const zone = this.options.zone.toLowerCase().replace(/\.$/, '');
    for await (const set of this.sets()) {
      const name = unescape(set.Name ?? '').toLowerCase();
      if (name === zone || name.endsWith(`.${zone}`)) records.push(...this.records(set));
    }
    return records;
  }
}
