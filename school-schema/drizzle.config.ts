// The school database's schema as the school apps keep it (./schema: a folder of modules, one per area; drizzle-kit
// reads every file in it). From the repository root:
// `npm run school-schema:generate -- --name <what_changed>` writes the next migration into ./migrations.
import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './school-schema/schema',
  out: './school-schema/migrations',
});
