import { isAbsolute, resolve } from 'node:path';
import type { EnvReader } from './env-reader.js';

/** CERT_DELIVERY and its settings: where certificates go for TLS (see the README's "Certificates for TLS"). */
export interface CertDeliveryConfig {
  mode: 'none' | 'files' | 'alb';
  /** `files`: CERT_DELIVERY_DIR (default `<SCS_DATA_DIR>/tls`). */
  dir: string;
  /** `files`: CERT_DELIVERY_OWNER=uid:gid, the owner of the folders and files written. */
  fileOwner?: { uid: number; gid: number };
  /** `files`: CERT_RELOAD_COMMAND, run once per batch of changes (CERT_RELOAD_DEBOUNCE_MS). */
  reloadCommand?: string;
  reloadDebounceMs: number;
  /** `alb`: CERT_ALB_LISTENER_ARN. */
  albListenerArn?: string;
}

type Mode = CertDeliveryConfig['mode'];

const MODES = ['none', 'files', 'alb'] as const;
const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[^/]+\/[0-9a-f]+\/[0-9a-f]+$/;

/** Reads and checks CERT_DELIVERY_* against the certificate provider. */
export function parseCertDelivery(
  read: EnvReader,
  context: { dataDir: string; certProvider: string },
): CertDeliveryConfig {
  const mode = modeOf(read, context.certProvider);
  const dir = dirOf(read, context.dataDir);
  const fileOwner = fileOwnerOf(read);
  const reloadDebounceMs = read.int('CERT_RELOAD_DEBOUNCE_MS', 2000, 0, 600_000);
  const albListenerArn = albListenerArnOf(read, mode);
  const reloadCommand = read.optional('CERT_RELOAD_COMMAND');
  if (reloadCommand && mode !== 'files') read.problem('CERT_RELOAD_COMMAND is run only with CERT_DELIVERY=files');
  return { mode, dir, fileOwner, reloadCommand, reloadDebounceMs, albListenerArn };
}

/** CERT_DELIVERY, if the certificate provider can feed it: ACM keeps its keys, and only ACM feeds a load balancer. */
function modeOf(read: EnvReader, certProvider: string): Mode {
  const raw = read.env.CERT_DELIVERY || 'none';
  const mode = MODES.find((m) => m === raw) ?? 'none';
  if (mode !== raw) read.problem(`CERT_DELIVERY=${raw} must be one of: ${MODES.join(', ')}`);
  if (mode === 'files' && certProvider === 'acm')
    read.problem(
      'CERT_DELIVERY=files cannot deliver ACM certificates: ACM never exports their private keys (use CERT_DELIVERY=alb)',
    );
  if (mode === 'alb' && certProvider !== 'acm')
    read.problem(
      `CERT_DELIVERY=alb attaches ACM certificates to a load balancer: it needs CERT_PROVIDER=acm, not ${certProvider}`,
    );
  return mode;
}

function dirOf(read: EnvReader, dataDir: string): string {
  const dir = read.env.CERT_DELIVERY_DIR;
  if (dir && !isAbsolute(dir))
    read.problem(`CERT_DELIVERY_DIR=${dir} must be an absolute path (the terminator reads it too)`);
  return dir || resolve(dataDir, 'tls');
}

function fileOwnerOf(read: EnvReader): CertDeliveryConfig['fileOwner'] {
  const raw = read.env.CERT_DELIVERY_OWNER;
  if (!raw) return undefined;
  const owner = /^(\d{1,10}):(\d{1,10})$/.exec(raw);
  if (owner) return { uid: Number(owner[1]), gid: Number(owner[2]) };
  read.problem(`CERT_DELIVERY_OWNER=${raw} must be uid:gid as numbers (e.g. $(id -u www-data):$(id -g www-data))`);
  return undefined;
}

function albListenerArnOf(read: EnvReader, mode: Mode): string | undefined {
  const arn = read.optional('CERT_ALB_LISTENER_ARN');
  if (mode === 'alb' && !arn)
    read.problem(
      'CERT_ALB_LISTENER_ARN is required with CERT_DELIVERY=alb (the HTTPS listener to add certificates to)',
    );
  else if (arn && !LISTENER_ARN.test(arn))
    read.problem(
      `CERT_ALB_LISTENER_ARN=${arn} must be an Application Load Balancer listener ARN ` +
        '(arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
    );
  return arn;
}
