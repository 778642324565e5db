import { Command } from '@nestjs/cqrs';

export class RequestTeardownCommand extends Command<{ id: string; status: string }> {
  constructor(readonly schoolId: string, readonly actor: string, readonly correlationId: string) {
    super();
  }
}
