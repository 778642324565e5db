import { Option, type Command } from 'commander';
import { SCHOOL_STATUSES } from '../../domain/school/state.js';
import { SchoolQueries } from './school-queries.js';
import { action, group, intArg, print, withContext } from '../../cli/cli.js';

interface ListOptions {
  status?: string;
  district?: string;
  board?: string;
  slug?: string;
  q?: string;
  limit: number;
  offset: number;
  json?: boolean;
}

/** `scs schools list`: the read model's list, with the API's filters and paging. */
export function registerSchoolsList(program: Command): void {
  group(program, 'schools', 'all schools')
    .command('list')
    .description('list schools, oldest first (the read model, as GET /schools)')
    .addOption(new Option('--status <status>', 'only schools in this status').choices(SCHOOL_STATUSES))
    .option('--district <district>', 'only schools in this district')
    .option('--board <board>', 'only schools of this board')
    .option('--slug <slug>', 'only schools with exactly this slug')
    .option('--q <text>', 'only schools whose name (in any case) or slug begins with this')
    .option('--limit <n>', 'at most this many (1-500)', intArg(1, 500), 50)
    .option('--offset <n>', 'skip this many', intArg(0, 10_000_000), 0)
    .option('--json', 'print {items, total, limit, offset} as GET /schools answers it')
    .action(
      action(async (options: ListOptions) =>
        withContext(async ({ app }) => {
          const { status, district, board, limit, offset } = options;
          const slug = options.slug?.toLowerCase();
          const page = await app
            .get(SchoolQueries)
            .list({ status, district, board, slug, q: options.q, limit, offset });
          print(options.json, page, () => [
            ...page.items.map((s) =>
              [
                s.id,
                s.status.padEnd(14),
                s.slug.padEnd(24),
                s.district.padEnd(16),
                s.board.padEnd(10),
                s.createdAt,
              ].join('  '),
            ),
            `${page.items.length} of ${page.total} schools (offset ${page.offset})`,
          ]);
          return 0;
        }),
      ),
    );
}
