/*
 * The property types the answers' schemas share. The schemas (the *-schema(s).ts files beside this one) are
 * classes @nestjs/swagger can see. Each `implements` the type the code returns, so the compiler refuses a
 * class that lacks one of its fields; the document closes every object (openapi.ts), so the e2e suites'
 * validation refuses a field that is answered but not described in them.
 */

/** A time as the answers write it (ISO 8601). */
export const TIME = { type: String, format: 'date-time' } as const;
export const UUID = { type: String, format: 'uuid' } as const;
