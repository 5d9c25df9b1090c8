import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { hashSecret } from "../../src/auth/secrets.js";
import type { Database } from "../../src/db/database.js";
import { projectRoot } from "../../src/paths.js";
import { compilePolicySet, DEFAULT_POLICIES_PATH } from "../../src/policies/policy-set.js";
import { ACME, T0, rows } from "./harness.js";

export const DEFAULT_POLICIES = readFileSync(DEFAULT_POLICIES_PATH, "utf8");

/** Every ```cedar block of the README, in order. */
export function readmeCedarBlocks(): string[] {
  const readme = readFileSync(join(projectRoot, "README.md"), "utf8");
  return [...readme.matchAll(/^```cedar\n([\s\S]*?)^```$/gm)].map((match) => match[1]!);
}

/** The README's example block that defines the policy with this @id: the text tests run is the one shown. */
export function readmeExample(id: string): string {
  const block = readmeCedarBlocks().find((text) => text.includes(`@id("${id}")`));
  if (block === undefined) throw new Error(`README has no cedar block with @id("${id}")`);
  return block;
}

/**
 * The default policies changed as the README's examples say: a policy with the @id of a default one
 * replaces it, the others are added.
 */
export function defaultWith(...changes: string[]): string {
  const replaced = new Set(
    changes.flatMap((text) => [...text.matchAll(/@id\("([^"]+)"\)/g)].map((m) => m[1]!)),
  );
  const kept = compilePolicySet(DEFAULT_POLICIES, "default")
    .policies.filter((policy) => !replaced.has(policy.id))
    .map((policy) => policy.text);
  return [...kept, ...changes].join("\n\n");
}

export function writePolicyFile(dir: string, name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** An admin service account of Acme (the fixture's MCP Bot, user 4, made an admin) with an API key. */
export const SERVICE_ACCOUNT_KEY = "acme-service-account-key-00000004";

export async function addServiceAccountAdmin(database: Database): Promise<void> {
  await rows(database, "UPDATE users SET role = 'admin' WHERE id = 4");
  await rows(
    database,
    "INSERT INTO api_keys (tenant_id, user_id, key_hash, prefix, name, created_at) VALUES (?, 4, ?, 'acme-ser', 'mcp', ?)",
    ACME.id,
    hashSecret(SERVICE_ACCOUNT_KEY),
    T0,
  );
}

/** Audit `details` as stored: JSON text on SQLite, already parsed on PostgreSQL. */
export async function latestAuditDetails(database: Database): Promise<{ outcome: string; details: unknown }> {
  const [row] = await rows<{ outcome: string; details: unknown }>(
    database,
    "SELECT outcome, details FROM audit_events ORDER BY id DESC LIMIT 1",
  );
  if (!row) throw new Error("no audit record");
  return {
    outcome: row.outcome,
    details: typeof row.details === "string" ? JSON.parse(row.details) : row.details,
  };
}
