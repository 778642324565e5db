import { SchoolRequestCommand } from '../request-metadata.js';

/** Tears a school down (or rolls back one still provisioning); the trace context is kept in the events' metadata. */
export class RequestTeardownCommand extends SchoolRequestCommand<{ id: string; status: string }> {}
