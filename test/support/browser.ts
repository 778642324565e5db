import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = process.env.SCS_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, launched once per test file (playwright-core downloads no browser). When it cannot
 * be launched the suite is skipped with the reason printed, except under CI=true, where that is an error:
 * CI installs Chromium (.ci/run), so a browser test that did not run there is a failure, not a pass.
 */
export async function launchChromium(): Promise<{ browser?: Browser; describe: jest.Describe }> {
  try {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is not installed (apt-get install -y chromium)`);
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--disable-gpu'] });
    return { browser, describe };
  } catch (error) {
    const reason = `Chromium cannot be launched: ${(error as Error).message.split('\n')[0]}`;
    if (process.env.CI === 'true')
      throw new Error(`CI=true and the browser tests cannot run: ${reason}`, { cause: error });
    console.warn(`Skipping the browser tests: ${reason}`);
    return { describe: describe.skip };
  }
}
