import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/*
 * The API's contract, checked on every answer the e2e suites receive (ScsProcess.request does it): an
 * answer with a status, content type or body that the service's own /openapi.json does not describe
 * fails the test that received it. Objects in the document are closed (no field it does not name).
 */

type Json = Record<string, any>;

export interface Answer {
  method: string;
  url: string;
  status: number;
  contentType: string | null;
  body: unknown;
}

export class ContractViolation extends Error {}

const mediaType = (contentType: string | null) => (contentType ?? '').split(';')[0].trim().toLowerCase();
const pointer = (...parts: string[]) =>
  parts.map((p) => encodeURIComponent(p.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/');

export class ApiContract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly routes: Array<{ template: string; pattern: RegExp }>;

  constructor(readonly document: Json) {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    this.ajv.addSchema(document, 'scs');
    this.routes = Object.keys(document.paths).map((template) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+')}$`),
    }));
  }

  static async load(baseUrl: string): Promise<ApiContract> {
    const res = await fetch(`${baseUrl}/openapi.json`);
    if (res.status !== 200) throw new Error(`GET /openapi.json answered ${res.status}`);
    return new ApiContract((await res.json()) as Json);
  }

  /** The schema at a JSON pointer of the document, compiled once. */
  private validator(ref: string): ValidateFunction {
    let validate = this.compiled.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: `scs#/${ref}` });
      this.compiled.set(ref, validate);
    }
    return validate;
  }

  private validate(ref: string, body: unknown, what: string): void {
    const validate = this.validator(ref);
    if (!validate(body)) {
      const errors = this.ajv.errorsText(validate.errors, { separator: '; ' });
      throw new ContractViolation(`${what}: the body does not match the document: ${errors}\n${JSON.stringify(body)}`);
    }
  }

  /** Throws a ContractViolation when the answer is not one the document describes. */
  check(answer: Answer): void {
    const path = new URL(answer.url, 'http://scs').pathname;
    const what = `${answer.method} ${path} → ${answer.status}`;
    const route = this.routes.find((r) => r.pattern.test(path));
    const operation = route && this.document.paths[route.template][answer.method.toLowerCase()];
    if (!route || !operation) {
      // Outside the API (an unknown path or method): only a client error, as a problem, is acceptable.
      if (answer.status < 400 || answer.status > 499) throw new ContractViolation(`${what}: no such operation`);
      this.validate(pointer('components', 'schemas', 'ProblemDto'), answer.body, what);
      return;
    }
    const status = String(answer.status);
    const response = operation.responses[status] ?? operation.responses.default;
    if (!response) throw new ContractViolation(`${what}: status not documented (${Object.keys(operation.responses)})`);
    if (answer.body === undefined && !response.content) return;
    const type = mediaType(answer.contentType);
    if (!response.content?.[type]) {
      throw new ContractViolation(
        `${what}: content type ${type} not documented (${Object.keys(response.content ?? {})})`,
      );
    }
    const key = operation.responses[status] ? status : 'default';
    this.validate(
      pointer('paths', route.template, answer.method.toLowerCase(), 'responses', key, 'content', type, 'schema'),
      answer.body,
      what,
    );
  }
}
