import { ApiProperty } from '@nestjs/swagger';
import { INTEGRATION_EVENT_TYPES, TEST_EVENT_TYPE } from '../../integration-events/integration-events.js';
import type { DeliveryAttempt, DeliveryOutcome, WebhookEndpoint } from '../../ports/webhooks.port.js';

// The classes the OpenAPI generator sees for the webhook routes; each implements the type the code returns.

const TIME = { type: 'string', format: 'date-time' } as const;
const NULLABLE_TIME = { ...TIME, nullable: true } as const;
const TYPES = { isArray: true, enum: [...INTEGRATION_EVENT_TYPES] as string[], minItems: 1 };

export class AddWebhookDto {
  @ApiProperty({ example: 'https://billing.example/scs-events', description: 'https (http outside production)' })
  url!: string;
  @ApiProperty({ ...TYPES, description: 'the integration event types it wants (see `webhooks`)' })
  eventTypes!: string[];
}

export class WebhookEndpointDto implements WebhookEndpoint {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() url!: string;
  @ApiProperty(TYPES) eventTypes!: string[];
  @ApiProperty(TIME) createdAt!: string;
  @ApiProperty({ ...NULLABLE_TIME, description: 'when SCS stopped delivering to it' }) disabledAt!: string | null;
  @ApiProperty({ type: 'string', nullable: true, description: '410 Gone, or the retry window ran out' })
  disabledReason!: string | null;
  @ApiProperty({ ...NULLABLE_TIME, description: 'the previous secret signs deliveries too until then' })
  previousSecretUntil!: string | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'grows with each replay' }) generation!: number;
}

export class RedeliverDto {
  @ApiProperty({ description: "an event id from the endpoint's delivery log (the webhook-id it was sent with)" })
  eventId!: string;
}

export class ReplayDto {
  @ApiProperty({
    example: '2026-12-01T00:00:00Z',
    description:
      'an ISO time (the events recorded from then on are delivered again), or an event stream id (a cursor from ' +
      'GET /events/stream or /audit/events: the events after it)',
  })
  from!: string;
}

export class ReplayedDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({
    type: 'string',
    nullable: true,
    description: 'the cursor deliveries start after (null: the first event)',
  })
  after!: string | null;
  @ApiProperty({ type: 'integer' }) generation!: number;
}

export class AddedWebhookDto extends WebhookEndpointDto {
  @ApiProperty({ example: 'whsec_…', description: 'shown this once: SCS keeps it sealed and never shows it again' })
  secret!: string;
}

export class WebhookListDto {
  @ApiProperty({ type: [WebhookEndpointDto] }) items!: WebhookEndpointDto[];
}

export class RotateSecretDto {
  @ApiProperty({ required: false, type: 'integer', minimum: 0, maximum: 604800, default: 86400 })
  overlapSeconds?: number;
}

export class RotatedSecretDto {
  @ApiProperty({ description: 'the new secret, shown this once' }) secret!: string;
  @ApiProperty(TIME) previousSecretUntil!: string;
}

export class DeliveryAttemptDto implements DeliveryAttempt {
  @ApiProperty({ format: 'uuid' }) endpointId!: string;
  @ApiProperty({ description: 'the event id (webhook-id)' }) eventId!: string;
  @ApiProperty({ enum: [...INTEGRATION_EVENT_TYPES, TEST_EVENT_TYPE] }) eventType!: string;
  @ApiProperty({ description: 'the school id (the endpoint id for a test)' }) subject!: string;
  @ApiProperty({ type: 'integer', minimum: 1 }) attempt!: number;
  @ApiProperty({ enum: ['delivered', 'failed', 'gone'] }) outcome!: DeliveryOutcome;
  @ApiProperty({ type: 'integer', nullable: true, description: 'null: no answer' }) httpStatus!: number | null;
  @ApiProperty({ type: 'integer', minimum: 0 }) latencyMs!: number;
  @ApiProperty({ type: 'string', nullable: true }) error!: string | null;
  @ApiProperty(TIME) attemptedAt!: string;
}

export class DeliveryListDto {
  @ApiProperty({ type: [DeliveryAttemptDto], description: 'the newest first' }) items!: DeliveryAttemptDto[];
}
