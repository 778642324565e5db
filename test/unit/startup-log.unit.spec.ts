import { StartupLog } from '../support/startup-log.js';

describe('StartupLog (the e2e and bench harness reading SCS output)', () => {
  const listening = /listening on (http:\/\/localhost:\d+)/;

  it('finds the line when it arrives split over chunks, and keeps every chunk', () => {
    const log = new StartupLog(listening);
    expect(log.push('{"msg":"starting"}\n{"msg":"listen')).toBeUndefined();
    const match = log.push('ing on http://localhost:40123"}\n');
    expect(match?.[1]).toBe('http://localhost:40123');
    expect(log.push('listening on http://localhost:1\n')).toBeUndefined(); // found once
    expect(log.chunks.join('')).toContain('localhost:1\n');
    expect(log.chunks).toHaveLength(3);
  });

  it('searches each character once before the line, and none after it, however long the child logs', () => {
    const log = new StartupLog(listening);
    const line = `${'{"level":30,"msg":"GET /school/1 200"}'.padEnd(1023, ' ')}\n`; // 1 KB a chunk
    for (let i = 0; i < 100; i++) log.push(line);
    log.push('listening on http://localhost:8080\n');
    const atStart = log.searched;
    // Before: about 100 chunks × 1 KB once each, not 100 × 100 KB (the whole output again per chunk).
    expect(atStart).toBeLessThan(110 * 1024);
    for (let i = 0; i < 10_000; i++) log.push(line);
    expect(log.searched).toBe(atStart);
    expect(log.chunks).toHaveLength(10_101);
  });
});
