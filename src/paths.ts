import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The project root (the folder holding package.json), found by walking up from this file, so the same
 * code finds `drizzle/`, `templates/` and `fixtures/` whether it runs from `src/` (tests) or `dist/src/`.
 */
export const projectRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, "package.json"))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error("package.json not found above " + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
})();

export const migrationsFolder = join(projectRoot, "drizzle", "sqlite");
export const templatesFolder = join(projectRoot, "templates");
export const demoFixturePath = join(projectRoot, "fixtures", "demo.json");
