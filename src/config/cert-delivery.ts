import { isAbsolute, resolve } from 'node:path';

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

const MODES = ['none', 'files', 'alb'] as const;
const LISTENER_ARN =
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:listener\/app\/[^/]+\/[0-9a-f]+\/[0-9a-f]+$/;

/** Reads and checks CERT_DELIVERY_* against the certificate provider; problems are added to `problems`. */
export function parseCertDelivery(
  env: NodeJS.ProcessEnv,
  context: { dataDir: string; certProvider: string; problems: string[] },
): CertDeliveryConfig {
  const { problems, certProvider } = context;
  const raw = env.CERT_DELIVERY || 'none';
  const mode = (MODES as readonly string[]).includes(raw) ? (raw as CertDeliveryConfig['mode']) : 'none';
  if (mode !== raw) problems.push(`CERT_DELIVERY=${raw} must be one of: ${MODES.join(', ')}`);
  if (mode === 'files' && certProvider === 'acm')
    problems.push(
      'CERT_DELIVERY=files cannot deliver ACM certificates: ACM never exports their private keys (use CERT_DELIVERY=alb)',
    );
  if (mode === 'alb' && certProvider !== 'acm')
    problems.push(
      `CERT_DELIVERY=alb attaches ACM certificates to a load balancer: it needs CERT_PROVIDER=acm, not ${certProvider}`,
    );
  const dir = env.CERT_DELIVERY_DIR || resolve(context.dataDir, 'tls');
  if (env.CERT_DELIVERY_DIR && !isAbsolute(env.CERT_DELIVERY_DIR))
    problems.push(`CERT_DELIVERY_DIR=${env.CERT_DELIVERY_DIR} must be an absolute path (the terminator reads it too)`);
  let fileOwner: CertDeliveryConfig['fileOwner'];
  if (env.CERT_DELIVERY_OWNER) {
    const owner = /^(\d{1,10}):(\d{1,10})$/.exec(env.CERT_DELIVERY_OWNER);
    if (owner) fileOwner = { uid: Number(owner[1]), gid: Number(owner[2]) };
    else
      problems.push(
        `CERT_DELIVERY_OWNER=${env.CERT_DELIVERY_OWNER} must be uid:gid as numbers (e.g. $(id -u www-data):$(id -g www-data))`,
      );
  }
  const debounce = env.CERT_RELOAD_DEBOUNCE_MS ?? '';
  let reloadDebounceMs = 2000;
  if (debounce !== '') {
    reloadDebounceMs = Number(debounce);
    if (!Number.isInteger(reloadDebounceMs) || reloadDebounceMs < 0 || reloadDebounceMs > 600_000) {
      problems.push(`CERT_RELOAD_DEBOUNCE_MS=${debounce} must be a whole number from 0 to 600000`);
      reloadDebounceMs = 2000;
    }
  }
  const albListenerArn = env.CERT_ALB_LISTENER_ARN || undefined;
  if (mode === 'alb' && !albListenerArn)
    problems.push(
      'CERT_ALB_LISTENER_ARN is required with CERT_DELIVERY=alb (the HTTPS listener to add certificates to)',
    );
  else if (albListenerArn && !LISTENER_ARN.test(albListenerArn))
    problems.push(
      `CERT_ALB_LISTENER_ARN=${albListenerArn} must be an Application Load Balancer listener ARN ` +
        '(arn:aws:elasticloadbalancing:<region>:<account>:listener/app/<name>/<id>/<id>)',
    );
  const reloadCommand = env.CERT_RELOAD_COMMAND || undefined;
  if (reloadCommand && mode !== 'files') problems.push('CERT_RELOAD_COMMAND is run only with CERT_DELIVERY=files');
  return { mode, dir, fileOwner, reloadCommand, reloadDebounceMs, albListenerArn };
}
