import { writeFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import openapiTS, { astToString, COMMENT_HEADER, type OpenAPI3 } from 'openapi-typescript';

/** `test/support/scs-api.d.ts`: the client types openapi-typescript generates from the service's document. */
export const CLIENT_TYPES = fileURLToPath(new URL('../../../test/support/scs-api.d.ts', import.meta.url));

export async function generateClientTypes(document: Record<string, unknown>): Promise<string> {
  return `${COMMENT_HEADER}${astToString(await openapiTS(document as unknown as OpenAPI3))}`;
}

// `npm run openapi:client [-- <url of /openapi.json>]` regenerates the file from a running service.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const url = process.argv[2] ?? 'http://localhost:8080/openapi.json';
  const document = (await (await fetch(url)).json()) as Record<string, unknown>;
  writeFileSync(CLIENT_TYPES, await generateClientTypes(document));
  process.stdout.write(`wrote ${CLIENT_TYPES} from ${url}\n`);
}
