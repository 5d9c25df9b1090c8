import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { OPERATIONS } from "../../src/invitations/authorization.js";
import {
  compilePolicySet,
  defaultPolicySet,
  loadPolicyFile,
  PolicySetError,
  policySchemaText,
  type PolicyProblem,
} from "../../src/policies/policy-set.js";
import { DEFAULT_POLICIES, readmeCedarBlocks } from "../support/policies.js";

function problemsOf(text: string): PolicyProblem[] {
  try {
    compilePolicySet(text, "ops.cedar");
  } catch (error) {
    if (error instanceof PolicySetError) return [...error.problems];
    throw error;
  }
  throw new Error("the policy set was accepted");
}

const TYPO = `@id("admins")
permit (principal, action == Action::"resendInvitation", resource)
when { principal.role == "admin" };

@id("typo")
permit (principal, action == Action::"resendInvitation", resource)
  when { principal.rol == "member" };
`;

describe("the shipped policies", () => {
  it("validate strictly against the schema, whose actions are exactly the operations", () => {
    const set = defaultPolicySet();
    expect(set.policies.map((p) => p.id)).toEqual([
      "admins-manage-their-tenants-invitations",
      "admins-read-their-tenant",
      "only-admins-manage-invitations",
      "everyone-may-see-themselves",
      "invitees-accept-their-own-invitation",
      "admins-manage-their-tenants-webhooks",
      "only-admins-manage-webhooks",
    ]);
    expect(policySchemaText()).toContain("action resendInvitation");
    for (const operation of OPERATIONS) expect(policySchemaText()).toMatch(new RegExp(`\\b${operation}\\b`));
  });

  it("are shown in the README as they are", () => {
    expect(readmeCedarBlocks()[0]).toBe(DEFAULT_POLICIES);
  });
});

describe("compilePolicySet", () => {
  it("refuses a schema typo (principal.rol) with its line, column, policy and the schema's suggestion", () => {
    expect(problemsOf(TYPO)).toEqual([
      {
        line: 7,
        column: 10,
        policyId: "typo",
        message: "attribute `rol` on entity type `User` not found (did you mean `role`?)",
      },
    ]);
    expect(() => compilePolicySet(TYPO, "ops.cedar")).toThrow(
      /^ops\.cedar:7:10: policy "typo": attribute `rol` on entity type `User` not found/,
    );
  });

  it("reports every problem, each with its own line, in file order", () => {
    const text = `@id("a")
permit (principal, action, resource) when { resource.sendCount > 1 };
@id("a")
forbid (principal, action == Action::"viewer", resource) when { principal.kind == 3 };
permit (principal, action, resource) when { principal.role == };
`;
    const problems = problemsOf(text);
    expect(problems.map((p) => p.line)).toEqual([5]);
    expect(problems[0]!.message).toMatch(/unexpected token `}`/);

    const typed = problemsOf(text.split("\n").slice(0, 4).join("\n"));
    expect(typed.map((p) => [p.line, p.policyId])).toEqual(
      expect.arrayContaining([
        [2, "a"],
        [3, "a"],
        [4, "a"],
      ]),
    );
    expect(typed.find((p) => p.line === 3)!.message).toBe("another policy already has this @id");
    expect(typed.map((p) => p.line)).toEqual([2, 2, 3, 4]);
  });

  it("refuses templates, which the service has no way to link", () => {
    expect(problemsOf(`permit (principal == ?principal, action, resource);`)[0]!.message).toMatch(
      /templates .* are not supported/,
    );
  });

  it("keeps @ids, notices and lines in file order past ten policies (Cedar sorts its automatic ids as text)", () => {
    const text = Array.from(
      { length: 12 },
      (_, i) =>
        `@id("p${String.fromCharCode(108 - i)}")\n@notice("notice ${i}")\nforbid (principal, action, resource) when { false };\n`,
    ).join("\n");
    const set = compilePolicySet(text, "ops.cedar");
    expect(set.policies.map((p) => p.id)).toEqual(
      Array.from({ length: 12 }, (_, i) => `p${String.fromCharCode(108 - i)}`),
    );
    expect(set.policies.map((p) => p.notice)).toEqual(Array.from({ length: 12 }, (_, i) => `notice ${i}`));
    expect(set.policies.map((p) => p.line)).toEqual(Array.from({ length: 12 }, (_, i) => 1 + 4 * i));
  });

  it("names a policy without @id by its position, and counts columns in characters, not bytes", () => {
    const text = `@notice("Ça ne passe pas — désolé")\nforbid (principal, action, resource) when { principal.rol == "é" };`;
    expect(problemsOf(text)).toEqual([expect.objectContaining({ line: 2, column: 45, policyId: "policy0" })]);
    expect(compilePolicySet(`\uFEFFpermit (principal, action, resource);`, "x").policies[0]!.id).toBe(
      "policy0",
    );
  });

  it("accepts an empty policy set (it denies everything)", () => {
    expect(compilePolicySet("// nothing is allowed\n", "empty.cedar").policies).toEqual([]);
  });
});

describe("loadPolicyFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "invitation-api-policies-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    ["a missing file", join(dir, "missing.cedar"), /: cannot read the file: no such file$/],
    ["a directory", dir, /: cannot read the file: is a directory, not a policy file$/],
  ])("refuses %s in one line naming it", (_name, path, reason) => {
    expect(() => loadPolicyFile(path)).toThrow(PolicySetError);
    expect(() => loadPolicyFile(path)).toThrow(reason);
    try {
      loadPolicyFile(path);
    } catch (error) {
      expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
      expect((error as Error).message).not.toContain("\n");
    }
  });

  it("names the file, the line and the problem of an invalid one, in one line", () => {
    const path = join(dir, "typo.cedar");
    writeFileSync(path, TYPO);
    expect(() => loadPolicyFile(path)).toThrow(
      `${path}:7:10: policy "typo": attribute \`rol\` on entity type \`User\` not found (did you mean \`role\`?)`,
    );
  });
});
