import pg from 'pg';
import { EntitySchema, type DataSource } from 'typeorm';
import type { RegistryEntry, SchoolRegistry } from '../../../ports/school-registry.port.js';
import type { RegistryDetails } from '../../../domain/school/details.js';
import { StepError } from '../../../ports/step-error.js';

interface RegistryRow extends RegistryEntry {
  registeredAt: Date;
}

export const SchoolRegistryEntity = new EntitySchema<RegistryRow>({
  name: 'SchoolRegistryEntry',
  tableName: 'school_registry',
  columns: {
    schoolId: { name: 'school_id', type: 'uuid', primary: true },
    slug: { type: 'text', unique: true },
    name: { type: 'text' },
    databaseName: { name: 'database_name', type: 'text' },
    server: { type: 'text', nullable: true },
    subdomain: { type: 'text' },
    district: { type: 'text' },
    board: { type: 'text' },
    adminEmail: { name: 'admin_email', type: 'text' },
    databaseRole: { name: 'database_role', type: 'text', nullable: true },
    databasePasswordEncrypted: { name: 'database_password_encrypted', type: 'text', nullable: true },
    registeredAt: { name: 'registered_at', type: 'timestamptz', createDate: true },
  },
});

const OWNER_ROLE = /^school_[0-9a-f]{32}_owner$/;

/** The central registry row, through TypeORM on the central database. */
export class TypeOrmSchoolRegistry implements SchoolRegistry {
  constructor(private readonly dataSource: DataSource) {}

  async register(entry: RegistryEntry): Promise<{ alreadyRegistered: boolean }> {
    const repository = this.dataSource.getRepository(SchoolRegistryEntity);
    const result = await repository
      .createQueryBuilder()
      .insert()
      .values({ ...entry })
      .orIgnore()
      .returning(['schoolId'])
      .execute();
    if (result.identifiers.length > 0 && result.raw.length > 0) return { alreadyRegistered: false };
    const existing = await repository.findOneBy({ schoolId: entry.schoolId });
    if (!existing)
      throw StepError.permanent(
        `registry: slug "${entry.slug}" or database ${entry.databaseName} is registered to another school`,
      );
    return { alreadyRegistered: true };
  }

  async unregister(schoolId: string): Promise<{ existed: boolean }> {
    const result = await this.dataSource.getRepository(SchoolRegistryEntity).delete({ schoolId });
    return { existed: (result.affected ?? 0) > 0 };
  }

  async find(schoolId: string): Promise<RegistryEntry | undefined> {
    const row = await this.dataSource.getRepository(SchoolRegistryEntity).findOneBy({ schoolId });
    if (!row) return undefined;
    const { registeredAt: _registeredAt, ...entry } = row;
    return entry;
  }

  async list(): Promise<RegistryEntry[]> {
    return this.dataSource.getRepository(SchoolRegistryEntity).find({ order: { registeredAt: 'ASC' } });
  }

  async updateDetails(schoolId: string, details: RegistryDetails): Promise<{ updated: boolean }> {
    const { name, district, board, adminEmail } = details;
    const result = await this.dataSource
      .getRepository(SchoolRegistryEntity)
      .update({ schoolId }, { name, district, board, adminEmail });
    return { updated: (result.affected ?? 0) > 0 };
  }

  async setServer(schoolId: string, server: string): Promise<{ updated: boolean }> {
    const result = await this.dataSource.getRepository(SchoolRegistryEntity).update({ schoolId }, { server });
    return { updated: (result.affected ?? 0) > 0 };
  }

  async replaceCredentials(
    schoolId: string,
    credentials: { role: string; password: string; sealed: string },
  ): Promise<{ replaced: boolean }> {
    // Names are generated from school ids; this guard keeps anything else out of DDL.
    const { role, password, sealed } = credentials;
    if (!OWNER_ROLE.test(role)) throw new Error(`not a school owner role: ${JSON.stringify(role).slice(0, 80)}`);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.startTransaction();
      // The row first: its lock makes a concurrent unregister wait, or this find nothing.
      const rows: unknown[] = await runner.query(
        `UPDATE school_registry SET database_password_encrypted = $2
           WHERE school_id = $1 AND database_role = $3 RETURNING 1`,
        [schoolId, sealed, role],
      );
      const roleExists = (await runner.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).length === 1;
      if (rows.length === 0 || !roleExists) {
        await runner.rollbackTransaction();
        return { replaced: false };
      }
      // Password literals cannot be bound as parameters in DDL; escapeLiteral quotes them safely.
      await runner.query(`ALTER ROLE ${pg.escapeIdentifier(role)} PASSWORD ${pg.escapeLiteral(password)}`);
      await runner.commitTransaction();
      return { replaced: true };
    } catch (error) {
      if (runner.isTransactionActive) await runner.rollbackTransaction().catch(() => undefined);
      // 42704: the role was dropped between the check and the ALTER (a teardown finishing).
      if ((error as { code?: string }).code === '42704') return { replaced: false };
      throw error;
    } finally {
      await runner.release();
    }
  }

  async replaceSealedPassword(
    schoolId: string,
    credentials: { role: string; sealed: string },
  ): Promise<{ replaced: boolean }> {
    const { role, sealed } = credentials;
    if (!OWNER_ROLE.test(role)) throw new Error(`not a school owner role: ${JSON.stringify(role).slice(0, 80)}`);
    const rows: unknown[] = await this.dataSource.query(
      `UPDATE school_registry SET database_password_encrypted = $2
         WHERE school_id = $1 AND database_role = $3 RETURNING 1`,
      [schoolId, sealed, role],
    );
    return { replaced: rows.length > 0 };
  }
}
