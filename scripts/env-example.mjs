// Generates .env.example from the README's configuration table, the one place each variable, its
// default and its meaning are written. `--check` exits 1 (naming the difference) when .env.example is not
// what the table gives; `--list` prints the table's variables as JSON (for the tests).
//   node scripts/env-example.mjs [--check | --list] [--readme README.md] [--out .env.example]
import { readFileSync, writeFileSync } from 'node:fs';

const HEADER = `# SCS configuration: every variable, its default and its meaning.
# Generated from the configuration table in README.md by \`npm run env:example\`; edit the table, not this.
# Plain defaults are set (the same as leaving them out); the rest are commented out. Copy to .env and edit;
# use with \`node --env-file=.env dist/src/main.js\`.
`;

/** The rows of the table under "## Configuration": one entry per variable. */
export function variables(readme) {
  const section = readme.split(/^## /m).find((part) => part.startsWith('Configuration\n'));
  if (!section) throw new Error('README.md has no "## Configuration" section');
  const rows = section.split('\n').filter((line) => line.startsWith('| `'));
  return rows.flatMap((row) => {
    const [names, defaults, meaning] = row.slice(2, -2).split(' | ');
    const vars = [...names.matchAll(/`([A-Z0-9_]+)`/g)].map((m) => m[1]);
    // `A`, `B` | `1`, `2`: one default each; otherwise the cell is every variable's default.
    const split = defaults.split(', ');
    const each = vars.length > 1 && split.length === vars.length ? split : vars.map(() => defaults);
    return vars.map((name, i) => {
      const literal = /^`([^`<>\s]+)`$/.exec(each[i]);
      return { name, default: each[i], value: literal ? literal[1] : undefined, meaning };
    });
  });
}

export function envExample(readme) {
  const blocks = variables(readme).map((v) => {
    const plain = (text) => text.replaceAll('`', '');
    const line = v.value === undefined ? `# ${v.name}=` : `${v.name}=${v.value}`;
    return `# ${v.name}: ${plain(v.meaning)} (default: ${plain(v.default)})\n${line}\n`;
  });
  return `${HEADER}\n${blocks.join('\n')}`;
}

function option(name, fallback) {
  const at = process.argv.indexOf(name);
  return at > 0 ? process.argv[at + 1] : fallback;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const readme = readFileSync(option('--readme', 'README.md'), 'utf8');
  const out = option('--out', '.env.example');
  if (process.argv.includes('--list')) {
    process.stdout.write(`${JSON.stringify(variables(readme))}\n`);
  } else if (process.argv.includes('--check')) {
    const want = envExample(readme);
    let have = '';
    try {
      have = readFileSync(out, 'utf8');
    } catch {
      /* missing: differs */
    }
    if (have !== want) {
      const wantLines = want.split('\n');
      const first = have.split('\n').findIndex((line, i) => line !== wantLines[i]);
      process.stderr.write(
        `${out} differs from README.md's configuration table (line ${first + 1}: ` +
          `expected "${wantLines[first]}"); run \`npm run env:example\`\n`,
      );
      process.exit(1);
    }
  } else {
    writeFileSync(out, envExample(readme));
  }
}
