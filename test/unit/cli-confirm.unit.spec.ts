import { PassThrough } from 'node:stream';
import { progressBar } from '../../src/cli/progress.js';
import { CliFailure, EXIT } from '../../src/cli/cli.js';
import { confirm, type Terminal } from '../../src/cli/confirm.js';

/** A terminal whose keyboard is the test: `input.isTTY` as a real one says, the prompt kept as text. */
function fakeTerminal(
  isTTY: boolean,
): Terminal & { typed: (text: string) => void; ended: () => void; shown: () => string } {
  const input = Object.assign(new PassThrough(), { isTTY });
  const output = new PassThrough();
  let shown = '';
  output.on('data', (chunk: Buffer) => (shown += chunk.toString()));
  return { input, output, typed: (text) => input.write(text), ended: () => input.end(), shown: () => shown };
}

const question = { what: 'tear down green-valley', answer: 'green-valley', plan: ['would undo: drop_database'] };

describe('confirm: what a destructive CLI command asks before it acts', () => {
  it('goes ahead on a terminal once the operator types the answer, after showing the plan', async () => {
    const terminal = fakeTerminal(true);
    const asked = confirm({}, question, terminal);
    terminal.typed('green-valley\n');
    await expect(asked).resolves.toBeUndefined();
    expect(terminal.shown()).toContain('would undo: drop_database\nType green-valley to tear down green-valley: ');
  });

  it.each([['yes\n'], ['green\n'], ['\n']])('stops with exit 1 when the operator types %j', async (answer) => {
    const terminal = fakeTerminal(true);
    const asked = confirm({}, question, terminal);
    terminal.typed(answer);
    await expect(asked).rejects.toEqual(new CliFailure('not confirmed: nothing was done', EXIT.failed));
  });

  it('stops with exit 1 at the end of the input (^D) without an answer', async () => {
    const terminal = fakeTerminal(true);
    const asked = confirm({}, question, terminal);
    terminal.ended();
    await expect(asked).rejects.toMatchObject({ code: EXIT.failed });
  });

  it('refuses with exit 2 without a terminal, reading nothing, unless --yes', async () => {
    const terminal = fakeTerminal(false);
    await expect(confirm({}, question, terminal)).rejects.toMatchObject({
      code: EXIT.usage,
      message: expect.stringMatching(/^refusing to tear down green-valley without --yes: stdin is not a terminal/),
    });
    await expect(confirm({ yes: true }, question, terminal)).resolves.toBeUndefined();
    expect(terminal.shown()).toBe('');
  });
});

describe('progressBar: a bar on a terminal, plain lines elsewhere', () => {
  const stream = (isTTY: boolean) => {
    const out = Object.assign(new PassThrough(), { isTTY });
    let text = '';
    out.on('data', (chunk: Buffer) => (text += chunk.toString()));
    return { out, text: () => text };
  };

  it('writes lines without the bar, cursor moves or carriage returns when the stream is not a terminal', () => {
    const { out, text } = stream(false);
    const bar = progressBar('copying [{bar}] {value}/{total} | failed {failed} | {eta_formatted} left', out, 0);
    bar.start(4, 0, { failed: 0 });
    bar.update(2, { failed: 1 });
    bar.update(4);
    bar.stop();
    expect(text()).toMatch(/^copying 2\/4 \| failed 1 \| \d+s left\ncopying 4\/4 \| failed 1 \| 0s left\n/);
    expect(text()).not.toMatch(/[\u2588\u2591\r]/);
    expect(text()).not.toContain('\u001b[');
  });

  it('prints only at the end when it was quick, and nothing when it never started', () => {
    const { out, text } = stream(false);
    const bar = progressBar('rebuilding [{bar}] {percentage}%', out);
    bar.start(10, 0);
    bar.update(5);
    bar.update(10);
    bar.stop();
    progressBar('unused [{bar}]', out).stop();
    expect(text()).toBe('rebuilding 100%\n');
  });
});
