import { defineConfig } from "drizzle-kit";

/** SQLite migrations: `npm run db:generate` (generates both dialects; keep the schemas in step). */
export default defineConfig({
  dialect: "sqlite",
  schema: "./src/db/schema/sqlite.ts",
  out: "./drizzle/sqlite",
});
