import { createHash } from 'node:crypto';
import { presentSchool, type SchoolView } from './school-view.js';

/** An answer as JSON text and a digest of that text (made once for a kept answer). */
export interface SchoolAnswer {
  json: string;
  /** base64url SHA-1 of `json`: an HTTP route's ETag. */
  digest: string;
}

/** A read model row's key: its school, the stream revision and the document version it was built to. */
export interface RowKey {
  id: string;
  revision: number;
  version: string;
}

interface KeptAnswer extends SchoolAnswer {
  revision: number;
  version: string;
}

/** Answers kept (about 1 KB each); past that the oldest are forgotten. */
const ANSWERS_KEPT = 10_000;

/** A view's answer: `presentSchool` serialised, and its digest. */
export function answerOf(view: SchoolView): SchoolAnswer {
  const json = JSON.stringify(presentSchool(view));
  return { json, digest: digestOf(json) };
}

const digestOf = (json: string): string => createHash('sha1').update(json).digest('base64url');

/**
 * Per school, the answer for its row at one revision and document version: a row's answer is a pure
 * function of the row, so a row already answered is not parsed, reordered and serialised again.
 */
export class KeptAnswers {
  private readonly answers = new Map<string, KeptAnswer>();

  /** The answer kept for the row's school, if it is for the row's revision and document version. */
  get(row: RowKey): KeptAnswer | undefined {
    const kept = this.answers.get(row.id);
    return kept && kept.revision === row.revision && kept.version === row.version ? kept : undefined;
  }

  /** The revision and version the school's kept answer is for (whatever the row's). */
  keyOf(id: string): { revision: number; version: string } | undefined {
    return this.answers.get(id);
  }

  /** The answer of the row's document, kept from now on. */
  keep(row: RowKey, document: SchoolView): SchoolAnswer {
    const answer = { revision: row.revision, version: row.version, ...answerOf(document) };
    this.answers.delete(row.id); // re-inserted last: the oldest entries are forgotten first
    if (this.answers.size >= ANSWERS_KEPT) this.answers.delete(this.answers.keys().next().value!);
    this.answers.set(row.id, answer);
    return answer;
  }
}
