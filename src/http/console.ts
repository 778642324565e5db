import { readFileSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import { projectRoot } from '../shared/project-root.js';

/**
 * The operator console's headers: scripts and styles only from this origin (no inline script, no eval),
 * API calls only to this origin, never framed, no referrer sent with the page's address.
 */
const CONSOLE_HEADERS: Record<string, string> = {
  'Content-Security-Policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; " +
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cache-Control': 'no-cache',
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
};

/**
 * GET /console and its assets (`public/console/`, read once at start-up), without the API key: the page
 * asks for one and calls the API with it. Anything else under /console is a 404 problem from Nest.
 */
export function consoleAssets(folder = join(projectRoot(), 'public/console')) {
  const files = new Map<string, { type: string; body: Buffer }>();
  for (const name of readdirSync(folder)) {
    const type = TYPES[extname(name)];
    if (type) files.set(`/console/${name}`, { type, body: readFileSync(join(folder, name)) });
  }
  files.set('/console', files.get('/console/index.html')!);
  return (req: Request, res: Response, next: NextFunction): void => {
    const file = (req.method === 'GET' || req.method === 'HEAD') && files.get(req.path.replace(/\/$/, ''));
    if (!file) return next();
    res.set(CONSOLE_HEADERS).type(file.type).send(file.body);
  };
}
