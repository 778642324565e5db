import { listOf, type EnvReader } from './env-reader.js';

interface TenantServerConfig {
  name: string;
  /** A postgres:// URL of a login that may create databases and roles (its path is ignored). */
  url: string;
}

export interface TenantServerSettings {
  /**
   * SCS_TENANT_SERVERS=name=url,…: the PostgreSQL servers school databases are placed on, in order.
   * Absent: the central server alone, under the name `central`.
   */
  tenantServers?: TenantServerConfig[];
}

const SERVER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

/**
 * `SCS_TENANT_SERVERS=name=url,name=url`; messages name a server, never its URL (it may hold a password).
 * Read after every other setting: an empty list is reported only when nothing else is wrong.
 */
export function parseTenantServers(read: EnvReader): TenantServerSettings {
  const raw = read.env.SCS_TENANT_SERVERS;
  if (!raw) return {};
  const servers: TenantServerConfig[] = [];
  for (const entry of listOf(raw)) {
    const server = serverOf(entry, servers);
    if (typeof server === 'string') read.problem(server);
    else servers.push(server);
  }
  if (servers.length === 0 && read.problems.length === 0) read.problem('SCS_TENANT_SERVERS lists no server');
  return { tenantServers: servers };
}

/** One `name=url` entry, or what is wrong with it given the servers accepted before it. */
function serverOf(entry: string, servers: TenantServerConfig[]): TenantServerConfig | string {
  const at = entry.indexOf('=');
  const name = at > 0 ? entry.slice(0, at) : '';
  const url = entry.slice(at + 1);
  if (!SERVER_NAME.test(name))
    return 'SCS_TENANT_SERVERS entries must be name=postgres://…, the name of a-z, 0-9, - and _ (up to 32)';
  if (!['postgres:', 'postgresql:'].includes(protocolOf(url)))
    return `SCS_TENANT_SERVERS: server "${name}" needs a postgres:// URL`;
  if (servers.some((s) => s.name === name)) return `SCS_TENANT_SERVERS: server "${name}" appears twice`;
  return { name, url };
}

function protocolOf(url: string): string {
  try {
    return new URL(url).protocol;
  } catch {
    return '';
  }
}
