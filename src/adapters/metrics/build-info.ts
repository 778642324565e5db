import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Gauge, type Registry } from 'prom-client';
import { projectRoot } from '../../shared/project-root.js';

/** SCS's version (package.json) and the Node it runs on: what `scs_build_info` reports. */
function buildInfo(): { version: string; node_version: string } {
  const { version } = JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string };
  return { version, node_version: process.versions.node };
}

/** Constant 1; its labels say what runs (join on them: `* on(instance) group_left(version) scs_build_info`). */
export function registerBuildInfo(registers: Registry[]): void {
  new Gauge({
    name: 'scs_build_info',
    help: 'The SCS version and Node.js version of this process (always 1)',
    labelNames: ['version', 'node_version'],
    registers,
  }).set(buildInfo(), 1);
}
