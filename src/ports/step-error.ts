/**
 * A step's failure, classified once where it is raised: permanent failures roll back at once,
 * transient ones are retried with backoff. Errors that are not StepErrors count as transient.
 */
export class StepError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StepError';
  }

  static permanent(message: string, cause?: unknown): StepError {
    return new StepError(message, true, { cause });
  }

  static transient(message: string, cause?: unknown): StepError {
    return new StepError(message, false, { cause });
  }
}

export function isPermanent(error: unknown): boolean {
  return error instanceof StepError && error.permanent;
}
