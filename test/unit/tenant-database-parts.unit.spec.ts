import { StepError } from '../../src/ports/step-error.js';
import {
  listDrizzleMigrations,
  schoolSchemaDir,
  type DrizzleMigration,
} from '../../src/adapters/postgres/drizzle-migrations.js';
import {
  checkOwner,
  ownerRoleOf,
  quoteSchoolDatabase,
} from '../../src/adapters/tenant-databases/postgres/school-database-name.js';
import { checkTargetVersion, schemaStatusOf } from '../../src/adapters/tenant-databases/postgres/school-migrations.js';
import { makingDatabasePrefix, spareDatabasePrefix } from '../../src/adapters/tenant-databases/postgres/spare-pool.js';

const school = `school_${'ab'.repeat(16)}`;

describe('school database names', () => {
  it('quotes a school_<32 hex> name and refuses anything else, permanently', () => {
    expect(quoteSchoolDatabase(school)).toBe(`"${school}"`);
    for (const bad of ['school_x', `${school}"; DROP`, 'postgres', `SCHOOL_${'ab'.repeat(16)}`]) {
      expect(() => quoteSchoolDatabase(bad)).toThrow(StepError);
      expect(() => quoteSchoolDatabase(bad)).toThrow(/not a school database name/);
    }
  });

  it("names the owner role after the database and refuses another database's role", () => {
    expect(ownerRoleOf(school)).toBe(`${school}_owner`);
    expect(() => checkOwner(school, { role: `${school}_owner`, password: 'p' })).not.toThrow();
    expect(() => checkOwner(school, { role: 'postgres', password: 'p' })).toThrow(/unexpected owner role postgres/);
  });

  it("names a template's spares and the spares being made with the same 12 hex digits", () => {
    const spare = spareDatabasePrefix('scs_school_drizzle_template');
    expect(spare).toMatch(/^scs_spare_[0-9a-f]{12}_$/);
    expect(makingDatabasePrefix('scs_school_drizzle_template')).toBe(spare.replace('scs_spare_', 'scs_making_'));
    expect(spareDatabasePrefix('another_template')).not.toBe(spare);
  });
});

describe('school migrations', () => {
  const shipped = listDrizzleMigrations(schoolSchemaDir()).length;

  it('accepts a target version among the shipped migrations (or none) and refuses others permanently', () => {
    expect(() => checkTargetVersion(schoolSchemaDir(), undefined)).not.toThrow();
    expect(() => checkTargetVersion(schoolSchemaDir(), '0001')).not.toThrow();
    expect(() => checkTargetVersion(schoolSchemaDir(), String(shipped).padStart(4, '0'))).not.toThrow();
    for (const bad of ['0000', String(shipped + 1).padStart(4, '0'), '1', 'abcd']) {
      expect(() => checkTargetVersion(schoolSchemaDir(), bad)).toThrow(/is not among this version's migrations/);
    }
  });

  it("reports a database's schema by journal tags, counting migrations applied from another folder", () => {
    const migration = (tag: string) => ({ tag }) as DrizzleMigration;
    const status = schemaStatusOf(school, {
      format: 'drizzle',
      applied: [migration('0000_a'), migration('0001_b')],
      pending: [migration('0002_c')],
      mismatched: [migration('0001_b')],
      ahead: 1,
    });
    expect(status).toEqual({
      databaseName: school,
      version: '0003',
      pending: ['0002_c'],
      mismatched: ['0001_b'],
      format: 'drizzle',
    });
  });
});
