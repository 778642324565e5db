import { ApiProperty } from '@nestjs/swagger';
import type { SchoolConnection } from '../../school/read-credentials/read-credentials.js';
import { SCOPES } from '../../config/scopes.js';
import { UUID } from './property-types.js';

/** GET /me: the key that asked, and what it may do. */
export class MeDto {
  @ApiProperty({ description: "the key's id (the actor its requests are recorded with); never its secret" })
  id!: string;
  @ApiProperty({ enum: SCOPES, isArray: true, description: 'every scope the key has, in the order SCS lists them' })
  scopes!: string[];
}

/** GET /school/:id/credentials: what a school app needs to connect to its database. */
export class SchoolConnectionDto implements SchoolConnection {
  @ApiProperty(UUID) schoolId!: string;
  @ApiProperty({ description: 'the tenant server (SCS_TENANT_SERVERS name) the database is on' }) server!: string;
  @ApiProperty({ description: 'its host as SCS reaches it' }) host!: string;
  @ApiProperty({ type: 'integer' }) port!: number;
  @ApiProperty() database!: string;
  @ApiProperty({ description: "the school database's owner role" }) role!: string;
  @ApiProperty({ description: "the role's current password; each read is recorded (SchoolCredentialsRead)" })
  password!: string;
}
