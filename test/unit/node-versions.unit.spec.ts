import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import semver from 'semver';
import { projectRoot } from '../../src/shared/project-root.js';

/**
 * Which Nodes SCS runs on is said in four places: `engines`, the README's quick start, the image and the
 * Node `.ci/run` fetches for its second run. They must agree with each other and with what every
 * installed package declares, so that `npm install` on a Node `engines` admits warns about nothing.
 */
const root = projectRoot();
const text = (file: string) => readFileSync(join(root, file), 'utf8');
const engines: string = JSON.parse(text('package.json')).engines.node;

interface LockedPackage {
  engines?: { node?: string } | string[];
  optional?: boolean;
  os?: string[];
  cpu?: string[];
}

/** Packages of the lock that npm installs on this platform, with the Node range each one declares. */
function declaredRanges(): Array<[string, string]> {
  const packages: Record<string, LockedPackage> = JSON.parse(text('package-lock.json')).packages;
  const here = (list: string[] | undefined, value: string) =>
    !list || list.includes(value) || (list.every((v) => v.startsWith('!')) && !list.includes(`!${value}`));
  return Object.entries(packages)
    .filter(([path, p]) => path !== '' && here(p.os, process.platform) && here(p.cpu, process.arch))
    .flatMap(([path, p]) => {
      const node = Array.isArray(p.engines) ? undefined : p.engines?.node;
      return node ? [[path.replace(/^.*node_modules\//, ''), node] as [string, string]] : [];
    });
}

/** The major of the `FROM node:<major>-…` lines, one per stage. */
function imageMajors(): number[] {
  return [...text('Dockerfile').matchAll(/^FROM node:(\d+)-bookworm-slim\b/gm)].map((m) => Number(m[1]));
}

describe('supported Node versions', () => {
  it('admits no Node that an installed package refuses', () => {
    const refusing = declaredRanges().filter(([, range]) => !semver.subset(engines, range));
    expect(refusing).toEqual([]);
  });

  it("admits this run's Node (CI runs the suites on the machine's Node and on production's major)", () => {
    expect(semver.satisfies(process.versions.node, engines)).toBe(true);
  });

  it('admits the Node the README promises and the major the image and CI run', () => {
    const quickStart = /^## Quick start \(Node (\d+\.\d+)\+/m.exec(text('README.md'));
    expect(quickStart).not.toBeNull();
    expect(semver.satisfies(`${quickStart![1]}.0`, engines)).toBe(true);

    const majors = imageMajors();
    expect(majors.length).toBe(text('Dockerfile').match(/^FROM /gm)!.length);
    const ciMajor = Number(/^PRODUCTION_NODE_MAJOR=(\d+)$/m.exec(text('.ci/run'))![1]);
    expect(new Set(majors)).toEqual(new Set([ciMajor]));
    expect(semver.intersects(engines, `^${ciMajor}`)).toBe(true);
  });
});
