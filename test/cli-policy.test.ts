import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../src/paths.js";
import { KEYS, loadTestFixture, rows } from "./support/harness.js";
import { defaultWith, readmeExample, writePolicyFile } from "./support/policies.js";
import { createTempDatabase, type TempDatabase } from "./support/temp-db.js";

const CLI = join(projectRoot, "src", "cli", "main.ts");
const TYPO_FILE = join(projectRoot, "test", "fixtures", "policies", "typo.cedar");
const ONLY_ADMINS =
  "Only admins may manage or list invitations and read the audit trail; your role is not admin.";

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** The real command line in a child process, as an operator runs it. */
function cli(env: Record<string, string | undefined>, ...args: string[]): Run {
  const childEnv = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete childEnv[name];
  const { status, stdout, stderr } = spawnSync(process.execPath, ["--import", "tsx", CLI, ...args], {
    cwd: projectRoot,
    env: childEnv,
    encoding: "utf8",
  });
  return { status, stdout, stderr };
}

function json<T = Record<string, unknown>>(run: Run): T {
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return JSON.parse(run.stdout) as T;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "invitation-api-cli-policy-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("cli policy check", () => {
  const check = (...args: string[]) => cli({ POLICY_FILE: undefined }, "policy", "check", ...args);

  it("lists the policies of a valid file", () => {
    const file = writePolicyFile(dir, "three.cedar", defaultWith(readmeExample("at-most-three-sends")));
    const result = json<{ ok: boolean; policies: { id: string; effect: string; notice?: string }[] }>(
      check("--file", file),
    );
    expect(result.ok).toBe(true);
    expect(result.policies.map((p) => p.id)).toContain("at-most-three-sends");
    expect(result.policies.find((p) => p.id === "at-most-three-sends")).toMatchObject({
      effect: "forbid",
      notice: expect.stringContaining("three times"),
    });
  });

  it("prints each problem of a schema typo with its line, and fails", () => {
    const run = check("--file", TYPO_FILE);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(
      `${TYPO_FILE}:4:8: policy "admins": attribute \`rol\` on entity type \`User\` not found (did you mean \`role\`?)\n` +
        `error: ${TYPO_FILE} is not a usable policy set (1 problem(s))\n`,
    );
  });

  it("prints every problem of a file on its own line", () => {
    const file = writePolicyFile(
      dir,
      "two-problems.cedar",
      `@id("a")\npermit (principal, action, resource) when { principal.rol == "x" };\n\n` +
        `@id("a")\nforbid (principal, action == Action::"viewer", resource) when { principal.kind == 1 };\n`,
    );
    const lines = check("--file", file).stderr.trimEnd().split("\n");
    expect(lines.slice(0, -1).map((line) => line.split(": ")[0])).toEqual([
      `${file}:2:45`,
      `${file}:4:1`,
      `${file}:5:65`,
    ]);
    expect(lines.at(-1)).toBe(`error: ${file} is not a usable policy set (3 problem(s))`);
  });

  it.each([
    [
      ["--file", "/nonexistent/ops.cedar"],
      1,
      "error: /nonexistent/ops.cedar: cannot read the file: no such file\n",
    ],
    [[], 2, "error: policy check: --file is required\nRun with --help for usage.\n"],
    [["--fiel", "x"], 2, "error: policy check: Unknown option '--fiel'"],
  ])("refuses %j in one clear line", (args, status, stderr) => {
    const run = check(...args);
    expect(run.status).toBe(status);
    expect(run.stderr.startsWith(stderr)).toBe(true);
  });

  it("refuses an unknown subcommand", () => {
    const run = cli({}, "policy", "evaluate");
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^error: policy: unknown subcommand "evaluate" \(check or explain\)\n/);
  });
});

describe("cli policy explain", () => {
  let db: TempDatabase;
  const explain = (env: Record<string, string | undefined>, ...args: string[]) =>
    cli({ DATABASE_URL: db.url, POLICY_FILE: undefined, ...env }, "policy", "explain", ...args);

  beforeAll(async () => {
    db = await createTempDatabase();
    await loadTestFixture(db.database);
  });
  afterAll(() => db.dispose());

  it("explains a member's refusal: decided before the target, by which policy, with its notice", () => {
    const result = json(
      explain({}, "--key", KEYS.acmeMember, "--operation", "resendInvitation", "--invitation", "9001"),
    );
    expect(result).toMatchObject({
      operation: "resendInvitation",
      principal: { id: 6, role: "member", kind: "human" },
      resource: { entity: expect.stringMatching(/^Invitation::"/), status: "PENDING", sendCount: 1 },
      decision: "deny",
      decidedBeforeTarget: true,
      determiningPolicies: ["only-admins-manage-invitations"],
      notices: [ONLY_ADMINS],
    });
  });

  it("explains an admin's resend by user id as a decision on the user's pending invitation", () => {
    const result = json(
      explain({}, "--key", KEYS.acmeAdmin, "--operation", "resendInvitation", "--user", "2"),
    );
    expect(result).toMatchObject({
      resource: {
        entity: expect.stringMatching(/^Invitation::"/),
        invitee: { entity: expect.stringContaining("0002") },
      },
      decision: "allow",
      decidedBeforeTarget: false,
      determiningPolicies: ["admins-manage-their-tenants-invitations"],
      notices: [],
    });
  });

  it("uses POLICY_FILE, or --file, and decides on the target's attributes", async () => {
    await rows(db.database, "UPDATE invitations SET send_count = 3 WHERE id = 9001");
    const file = writePolicyFile(
      dir,
      "explain-three.cedar",
      defaultWith(readmeExample("at-most-three-sends")),
    );
    const args = ["--key", KEYS.acmeAdmin, "--operation", "resendInvitation", "--invitation", "9001"];
    const expected = {
      policyFile: file,
      decision: "deny",
      decidedBeforeTarget: false,
      determiningPolicies: ["at-most-three-sends"],
      notices: [expect.stringContaining("sent three times")],
    };
    expect(json(explain({ POLICY_FILE: file }, ...args))).toMatchObject(expected);
    expect(json(explain({}, ...args, "--file", file))).toMatchObject(expected);
    expect(json(explain({}, ...args))).toMatchObject({ decision: "allow" });
    await rows(db.database, "UPDATE invitations SET send_count = 1 WHERE id = 9001");
  });

  it("answers what holds for every target when none is named", () => {
    expect(json(explain({}, "--key", KEYS.acmeAdmin, "--operation", "resendInvitation"))).toMatchObject({
      resource: null,
      decision: "depends on the target",
    });
    expect(json(explain({}, "--key", KEYS.acmeMember, "--operation", "invitations"))).toMatchObject({
      resource: { entity: expect.stringMatching(/^Tenant::"/) },
      decision: "deny",
      notices: [ONLY_ADMINS],
    });
  });

  it("changes nothing: no audit record, no key-use stamp, no send", async () => {
    const state = () =>
      rows(
        db.database,
        `SELECT (SELECT count(*) FROM audit_events) AS audits, (SELECT count(*) FROM email_outbox) AS emails,
          (SELECT count(*) FROM api_keys WHERE last_used_at IS NOT NULL) AS used,
          (SELECT send_count FROM invitations WHERE id = 9001) AS sends`,
      );
    const before = await state();
    json(explain({}, "--key", KEYS.acmeAdmin, "--operation", "resendInvitation", "--invitation", "9001"));
    json(explain({}, "--key", KEYS.acmeMember, "--operation", "revokeInvitation", "--invitation", "9001"));
    expect(await state()).toEqual(before);
  });

  it.each([
    [
      ["--key", KEYS.acmeAdmin, "--operation", "resendInvitation", "--invitation", "9100"],
      1,
      /^error: --invitation: no such invitation in the key's tenant/,
    ],
    [["--key", "not-a-key", "--operation", "viewer"], 1, /^error: --key: no active API key/],
    [
      ["--key", KEYS.acmeAdmin, "--operation", "deleteEverything"],
      2,
      /^error: policy explain: --operation must be one of resendInvitation, /,
    ],
    [
      ["--key", KEYS.acmeAdmin, "--operation", "revokeInvitation", "--user", "2"],
      2,
      /^error: policy explain: revokeInvitation does not take --user/,
    ],
    [
      ["--key", KEYS.acmeAdmin, "--operation", "resendInvitation", "--invitation", "abc"],
      2,
      /^error: policy explain: --invitation must be a positive integer id or a UUID/,
    ],
    [
      ["--key", KEYS.acmeAdmin, "--operation", "resendInvitation", "--invitation", "1", "--user", "2"],
      2,
      /^error: policy explain: give --invitation or --user, not both/,
    ],
    [["--operation", "viewer"], 2, /^error: policy explain: --key is required/],
    [
      ["--key", KEYS.acmeAdmin, "--operation", "viewer", "--file", TYPO_FILE],
      1,
      /^.*typo\.cedar:4:8: policy "admins": attribute `rol`/,
    ],
  ])("refuses %j with one clear line", (args, status, stderr) => {
    const run = explain({}, ...args);
    expect(run.status).toBe(status);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(stderr);
  });
});
