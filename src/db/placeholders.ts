import { sql, type SQL } from "drizzle-orm";

/** A named parameter usable anywhere drizzle takes SQL (e.g. `update().set()`), for statements prepared once. */
export function param(name: string): SQL {
  return sql`${sql.placeholder(name)}`;
}
