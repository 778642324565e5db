import type { Command } from 'commander';
import { RestoreSchoolCommand } from './restore-school.command.js';
import { RestoreSchoolHandler } from './restore-school.handler.js';
import { SlugTakenError } from '../request-school/slug-claims.js';
import { DomainError } from '../../domain/school/errors.js';
import { SchoolQueries } from '../view/school-queries.js';
import { action, CliFailure, group, print, withContext, type CliRun, type JsonOption } from '../../cli/cli.js';
import { resolveSchool, schoolRefArg } from '../../cli/school-ref.js';

type Options = JsonOption & { notify?: boolean };

async function restore(ref: string, options: Options, run: CliRun): Promise<number> {
  const { app, actor, correlationId } = run;
  const id = await resolveSchool(app.get(SchoolQueries), ref, { deleted: true });
  const command = new RestoreSchoolCommand(id, options.notify ?? false, actor, correlationId);
  const accepted = await app
    .get(RestoreSchoolHandler)
    .execute(command)
    .catch((error: unknown) => {
      const refused = error instanceof DomainError || error instanceof SlugTakenError;
      throw refused ? new CliFailure(`school ${id}: ${error.message}`) : error;
    });
  print(options.json, accepted, () => [
    `school ${id} (${accepted.slug}): ${accepted.status} from ${accepted.archive.location} (correlation id ${correlationId})`,
  ]);
  return 0;
}

/**
 * `scs school restore <id|slug>`: the use case of POST /school/:id/restore (actor "cli"); the running service's
 * process manager does the steps. It makes, never removes, so it asks nothing first.
 */
export function registerSchoolRestore(program: Command): void {
  const school = group(program, 'school', 'one school, by id or slug');
  school
    .command('restore')
    .argument('<school>', 'its id or slug (a slug names the deleted school that had it)', schoolRefArg)
    .description(
      'restore a deleted school from its archive (within SCS_ARCHIVE_RETENTION_DAYS), as POST /school/:id/restore: ' +
        'the same id and slug, a new database loaded from the archive, DNS, a certificate, the registry row',
    )
    .option('--notify', "send the school's admin a welcome-back email")
    .option('--json', 'print {id, slug, status, archive} as JSON')
    .action(action(async (ref: string, options: Options) => withContext((run) => restore(ref, options, run))));
}
