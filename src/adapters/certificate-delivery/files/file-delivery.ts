import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  SHARED_DELIVERY,
  type CertificateDelivery,
  type CertificateToDeliver,
  type Delivered,
  type DeliveredCertificate,
  type Withdrawn,
} from '../../../ports/certificate-delivery.port.js';
import type { CertificateProvider } from '../../../ports/certificates.port.js';
import { StepError } from '../../../ports/step-error.js';
import type { ReloadCommand } from './reload-command.js';

export interface FileDeliveryOptions {
  /** CERT_DELIVERY_DIR: one folder per school host name in it. */
  dir: string;
  /** SCS_OWNER_ID, written into each folder's mark. */
  owner: string;
  /** Where the PEM chain and key come from (the certificate provider; ACM cannot export keys). */
  certificates: Pick<CertificateProvider, 'pemOf'>;
  /** CERT_DELIVERY_OWNER: the files' (and folders') owner, for a terminator running as another user. */
  fileOwner?: { uid: number; gid: number };
  /** CERT_RELOAD_COMMAND, run once per batch of changes. */
  reload?: ReloadCommand;
  /**
   * CERT_WILDCARD: every school has the one `*.<zone>` certificate, delivered once to
   * `<dir>/_wildcard.<zone>/` (marked as shared) and renewed there in place, not per school.
   */
  wildcard?: boolean;
}

/** Beside the PEM files: which SCS instance wrote them, for which school (external-dns's TXT scheme as a file). */
const MARK_FILE = 'scs-owner';
const CHAIN = 'fullchain.pem';
const KEY = 'privkey.pem';
const HOSTNAME = /^(?=.{1,253}$)(?!-)[a-z0-9-]{1,63}(?<!-)(\.(?!-)[a-z0-9-]{1,63}(?<!-))+$/;
/** The shared certificate's folder: `_` never starts a host name, so no school's folder is named so. */
const WILDCARD_PREFIX = '_wildcard.';

interface Mark {
  owner: string;
  schoolId: string;
  serialNumber?: string;
}

function markText(mark: Mark): string {
  return `heritage=scs,scs/owner=${mark.owner},scs/school=${mark.schoolId},scs/serial=${mark.serialNumber ?? ''}\n`;
}

function parseMark(text: string): Mark | undefined {
  const fields = new Map(
    text
      .trim()
      .split(',')
      .map((part) => [part.slice(0, part.indexOf('=')), part.slice(part.indexOf('=') + 1)] as const),
  );
  const [owner, schoolId] = [fields.get('scs/owner'), fields.get('scs/school')];
  if (fields.get('heritage') !== 'scs' || !owner || !schoolId) return undefined;
  return { owner, schoolId, serialNumber: fields.get('scs/serial') || undefined };
}

async function readOrUndefined(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * `files`: `<dir>/<domain>/fullchain.pem` and `privkey.pem` (0600) for a terminator that reads PEM files
 * (nginx: `ssl_certificate <dir>/$ssl_server_name/fullchain.pem`). Each file is written whole under a
 * temporary name and renamed into place, so a reader sees the old file or the new one, never a part.
 * The mark file is written first and removed last, so every file SCS wrote has its owner beside it;
 * a folder with PEM files and no mark of this instance for the school is never written or removed.
 */
export class FileCertificateDelivery implements CertificateDelivery {
  readonly name = 'files';
  readonly owner: string;

  constructor(private readonly options: FileDeliveryOptions) {
    this.owner = options.owner;
  }

  private folder(domain: string): string {
    const name = domain.trim().toLowerCase().replace(/\.$/, '');
    const host = name.startsWith(WILDCARD_PREFIX) ? name.slice(WILDCARD_PREFIX.length) : name;
    if (!HOSTNAME.test(host)) throw StepError.permanent(`${JSON.stringify(domain)} is not a host name to deliver for`);
    return join(this.options.dir, name);
  }

  /** Where a school's certificate goes, and whose it is marked: the school's, or shared in wildcard mode. */
  private target(schoolId: string, domain: string): { folder: string; owner: string } {
    if (!this.options.wildcard) return { folder: this.folder(domain), owner: schoolId };
    const zone = domain.slice(domain.indexOf('.') + 1);
    return { folder: this.folder(`${WILDCARD_PREFIX}${zone}`), owner: SHARED_DELIVERY };
  }

  private async markOf(folder: string): Promise<Mark | undefined | null> {
    const text = await readOrUndefined(join(folder, MARK_FILE));
    if (text === undefined) return undefined;
    return parseMark(text) ?? null; // null: a mark file SCS cannot read is not ours
  }

  async deliver(certificate: CertificateToDeliver): Promise<Delivered> {
    const { schoolId, domain, serialNumber } = certificate;
    const { folder, owner } = this.target(schoolId, domain);
    const pem = await this.options.certificates.pemOf({ schoolId, domain });
    if (!pem) throw StepError.transient(`the certificate provider has no live certificate for ${domain}`);
    if (pem.serialNumber !== serialNumber)
      throw StepError.transient(
        `the provider's live certificate for ${domain} is ${pem.serialNumber}, not ${serialNumber}; its renewal is recorded next`,
      );
    const mark = await this.markOf(folder);
    const present = [await readOrUndefined(join(folder, CHAIN)), await readOrUndefined(join(folder, KEY))];
    const unmarked = mark === undefined && present.some((f) => f !== undefined);
    if (unmarked || mark === null || (mark && !this.ours(mark, owner)))
      throw StepError.permanent(`${folder} holds certificate files ${this.whose(mark)}: left alone`);
    const wanted: Mark = { owner: this.owner, schoolId: owner, serialNumber };
    const same = present[0] === pem.fullchainPem && present[1] === pem.privateKeyPem;
    if (mark && markText(mark) === markText(wanted) && same) return { location: folder, changed: false };

    await mkdir(this.options.dir, { recursive: true, mode: 0o755 });
    await mkdir(folder, { recursive: true, mode: 0o755 });
    if (this.options.fileOwner) {
      const { uid, gid } = this.options.fileOwner;
      const handle = await open(folder, 'r');
      await handle.chown(uid, gid).finally(() => handle.close());
    }
    await this.write(join(folder, MARK_FILE), markText(wanted), 0o644);
    await this.write(join(folder, KEY), pem.privateKeyPem, 0o600);
    await this.write(join(folder, CHAIN), pem.fullchainPem, 0o644);
    this.options.reload?.changed();
    return { location: folder, changed: true };
  }

  /**
   * Removes the school's own files. In wildcard mode the shared files stay (other schools are served by
   * them): reported as not this school's (`owned: false`). The reconciler removes shared files no school
   * uses any more by withdrawing them for SHARED_DELIVERY.
   */
  async withdraw(request: { schoolId: string; domain: string }): Promise<Withdrawn> {
    const own = await this.removeMarked(this.folder(request.domain), request.schoolId);
    if (!this.options.wildcard || own.existed || request.schoolId === SHARED_DELIVERY) return own;
    const shared = this.target(request.schoolId, request.domain).folder;
    const files = await readdir(shared).catch(() => []);
    return { location: shared, existed: files.length > 0, owned: false };
  }

  private async removeMarked(folder: string, owner: string): Promise<Withdrawn> {
    const mark = await this.markOf(folder);
    const files = await readdir(folder).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    if (files.length === 0) return { location: folder, existed: false, owned: true };
    if (!mark || !this.ours(mark, owner)) return { location: folder, existed: true, owned: false };
    for (const file of [CHAIN, KEY, MARK_FILE]) await rm(join(folder, file), { force: true });
    await rmdir(folder).catch(() => undefined); // something else of the operator's left in it stays
    this.options.reload?.changed();
    return { location: folder, existed: true, owned: true };
  }

  async listDelivered(): Promise<DeliveredCertificate[]> {
    const entries = await readdir(this.options.dir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const found: DeliveredCertificate[] = [];
    for (const entry of entries) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const folder = join(this.options.dir, entry.name);
      const mark = await this.markOf(folder);
      found.push({ name: folder, domain: entry.name, schoolId: mark?.schoolId, owner: mark?.owner ?? '' });
    }
    return found;
  }

  async close(): Promise<void> {
    await this.options.reload?.close();
  }

  /** `owner`: the school (or SHARED_DELIVERY) the folder must be marked for. */
  private ours(mark: Mark, owner: string): boolean {
    return mark.owner === this.owner && mark.schoolId === owner;
  }

  private whose(mark: Mark | undefined | null): string {
    if (!mark) return 'without an SCS mark (not written by SCS)';
    if (mark.owner !== this.owner) return `of the SCS instance "${mark.owner}", not this one ("${this.owner}")`;
    return mark.schoolId === SHARED_DELIVERY
      ? 'shared by every school (CERT_WILDCARD)'
      : `of another school (${mark.schoolId})`;
  }

  /** Whole, under a temporary name in the same folder, then renamed over the old one (atomic on one filesystem). */
  private async write(file: string, content: string, mode: number): Promise<void> {
    const temp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content);
      await handle.chmod(mode); // the umask may have narrowed it
      if (this.options.fileOwner) await handle.chown(this.options.fileOwner.uid, this.options.fileOwner.gid);
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temp, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temp, file).catch(async (error: unknown) => {
      await rm(temp, { force: true });
      throw error;
    });
  }
}
