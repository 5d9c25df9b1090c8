import { defineConfig } from "drizzle-kit";

/**
 * PostgreSQL migrations: `npm run db:generate` (generates both dialects; keep the schemas in step).
 * `generate` needs no database. `drizzle/pg` also holds hand-written migrations (the NOTIFY triggers), made with
 * `npx drizzle-kit generate --custom --config drizzle.pg.config.ts --name NAME`.
 */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/postgres.ts",
  out: "./drizzle/pg",
});
