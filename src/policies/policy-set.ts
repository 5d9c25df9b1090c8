import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { OPERATIONS } from "../invitations/authorization.js";
import { projectRoot } from "../paths.js";

export const POLICY_SCHEMA_PATH = join(projectRoot, "policies", "schema.cedarschema");
export const DEFAULT_POLICIES_PATH = join(projectRoot, "policies", "default.cedar");

/** One problem of a policy file, where it is (1-based line and column; null for the file as a whole). */
export interface PolicyProblem {
  readonly line: number | null;
  readonly column: number | null;
  /** The policy it is about, when known. */
  readonly policyId: string | null;
  readonly message: string;
}

/** `file:line:column: policy "id": problem`, the form editors and `cli policy check` use. */
export function formatProblem(origin: string, problem: PolicyProblem): string {
  const policy = problem.policyId === null ? "" : `policy "${problem.policyId}": `;
  const where = problem.line === null ? "" : `:${problem.line}:${problem.column ?? 1}`;
  return `${origin}${where}: ${policy}${problem.message}`;
}

/** A policy file that cannot be used. The message is one line: the first problem, and how many more. */
export class PolicySetError extends Error {
  override name = "PolicySetError";

  constructor(
    readonly origin: string,
    readonly problems: readonly PolicyProblem[],
  ) {
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more problem(s))` : "";
    super(
      `${formatProblem(origin, problems[0] ?? { line: 1, column: 1, policyId: null, message: "unusable" })}${more}`,
    );
  }
}

export interface PolicyInfo {
  /** Its `@id("…")`, else `policyN` (N: its position in the file, from 0). */
  readonly id: string;
  readonly effect: "permit" | "forbid";
  /** The policy's own text, annotations included. */
  readonly text: string;
  readonly json: cedar.PolicyJson;
  /** Its `@notice("…")`: told to the caller when this forbid decides a denial. */
  readonly notice: string | null;
  /** Where it starts in the file. */
  readonly line: number;
}

/** A parsed policy set that passed strict validation against the schema. */
export interface PolicySet {
  /** The file it came from, as given (for messages). */
  readonly origin: string;
  /** In file order. */
  readonly policies: readonly PolicyInfo[];
  /** Identifies the text: engines preparse one copy per fingerprint. */
  readonly fingerprint: string;
}

/** Reads the schema once per process and checks that its actions are exactly the service's operations. */
let schemaText: string | undefined;
export function policySchemaText(): string {
  if (schemaText !== undefined) return schemaText;
  const text = readFileSync(POLICY_SCHEMA_PATH, "utf8");
  const parsed = cedar.schemaToJson(text);
  if (parsed.type !== "success") {
    throw new Error(`${POLICY_SCHEMA_PATH}: ${parsed.errors.map((e) => e.message).join("; ")}`);
  }
  const actions = Object.keys(parsed.json[""]?.actions ?? {}).sort();
  const operations = [...OPERATIONS].sort();
  if (actions.join() !== operations.join()) {
    throw new Error(
      `${POLICY_SCHEMA_PATH}: its actions (${actions.join(", ")}) must be the operations (${operations.join(", ")})`,
    );
  }
  schemaText = text;
  return text;
}

/** Reads a policy file; an unreadable one is a PolicySetError naming it. */
export function readPolicyFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason =
      code === "ENOENT"
        ? "no such file"
        : code === "EISDIR"
          ? "is a directory, not a policy file"
          : code === "EACCES"
            ? "permission denied"
            : error instanceof Error
              ? error.message
              : String(error);
    throw new PolicySetError(path, [
      { line: null, column: null, policyId: null, message: `cannot read the file: ${reason}` },
    ]);
  }
}

/** Reads and compiles a policy file. */
export function loadPolicyFile(path: string): PolicySet {
  return compilePolicySet(readPolicyFile(path), path);
}

let defaultSet: PolicySet | undefined;
/** The shipped default policies, compiled once per process. */
export function defaultPolicySet(): PolicySet {
  defaultSet ??= compilePolicySet(
    readFileSync(DEFAULT_POLICIES_PATH, "utf8"),
    relative(process.cwd(), DEFAULT_POLICIES_PATH) || DEFAULT_POLICIES_PATH,
  );
  return defaultSet;
}

/**
 * Parses a policy set and validates it strictly against the schema. Every problem found is reported with its
 * line: syntax errors, templates (not supported), duplicate ids, and type errors such as an attribute the
 * schema does not have (`principal.rol`).
 */
export function compilePolicySet(source: string, origin: string): PolicySet {
  // Editors may start UTF-8 files with a byte-order mark; Cedar would read it as a stray character.
  const text = source.replace(/^\uFEFF/, "");
  const at = lineLocator(text);

  const parts = cedar.policySetTextToParts(text);
  if (parts.type !== "success") throw new PolicySetError(origin, parts.errors.flatMap(problemsOf(at, null)));
  if (parts.policy_templates.length > 0) {
    const offset = Buffer.from(text).indexOf(parts.policy_templates[0]!);
    throw new PolicySetError(origin, [
      {
        ...at(Math.max(0, offset)),
        policyId: null,
        message: "templates (policies with ?principal or ?resource slots) are not supported",
      },
    ]);
  }

  const policies = inFileOrder(parts.policies).map((policyText, index, all) => {
    const json = cedar.policyToJson(policyText);
    if (json.type !== "success") {
      throw new PolicySetError(origin, json.errors.flatMap(problemsOf(at, null)));
    }
    const annotations = json.json.annotations ?? {};
    const start = offsetOf(text, policyText, all.slice(0, index));
    return {
      id: annotations.id ?? `policy${index}`,
      effect: json.json.effect,
      text: policyText,
      json: json.json,
      notice: annotations.notice ?? null,
      line: at(start).line,
    } satisfies PolicyInfo;
  });

  const problems: PolicyProblem[] = [];
  const seen = new Set<string>();
  for (const policy of policies) {
    if (policy.id.trim() === "") {
      problems.push({ line: policy.line, column: 1, policyId: null, message: "@id must not be empty" });
    } else if (seen.has(policy.id)) {
      problems.push({
        line: policy.line,
        column: 1,
        policyId: policy.id,
        message: "another policy already has this @id",
      });
    }
    seen.add(policy.id);
    if (policy.notice !== null && policy.notice.trim() === "") {
      problems.push({
        line: policy.line,
        column: 1,
        policyId: policy.id,
        message: "@notice must not be empty",
      });
    }
  }

  // Validated as one text, so that locations are offsets into the file; Cedar then names the policies
  // policy0, policy1… in file order.
  const validation = cedar.validate({
    schema: policySchemaText(),
    policies: { staticPolicies: text },
    validationSettings: { mode: "strict" },
  });
  if (validation.type !== "success") {
    problems.push(...validation.errors.flatMap(problemsOf(at, null)));
  } else {
    for (const { policyId, error } of validation.validationErrors) {
      const index = /^policy(\d+)$/.exec(policyId)?.[1];
      const id = index === undefined ? policyId : (policies[Number(index)]?.id ?? policyId);
      problems.push(...problemsOf(at, id)(error));
    }
  }
  if (problems.length > 0) {
    problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
    throw new PolicySetError(origin, problems);
  }
  return {
    origin,
    policies,
    fingerprint: createHash("sha256").update(text).digest("hex").slice(0, 32),
  };
}

/**
 * policySetTextToParts returns the policies sorted by their automatic ids as strings (policy0, policy1,
 * policy10, policy11, policy2…); this puts them back in file order.
 */
function inFileOrder(sortedByAutomaticId: readonly string[]): string[] {
  const automaticIds = sortedByAutomaticId.map((_, i) => `policy${i}`).sort();
  const ordered: string[] = [];
  automaticIds.forEach((id, i) => {
    ordered[Number(id.slice("policy".length))] = sortedByAutomaticId[i]!;
  });
  return ordered;
}

/** Byte offset of a policy's text, searching after the policies before it (identical texts stay apart). */
function offsetOf(text: string, policyText: string, before: readonly string[]): number {
  const bytes = Buffer.from(text);
  let from = 0;
  for (const earlier of before) {
    const found = bytes.indexOf(earlier, from);
    if (found >= 0) from = found + Buffer.byteLength(earlier);
  }
  return Math.max(0, bytes.indexOf(policyText, from));
}

type Locator = (byteOffset: number) => { line: number; column: number };

/** Cedar reports byte offsets into the UTF-8 text; people read lines and columns (in characters). */
function lineLocator(text: string): Locator {
  const bytes = Buffer.from(text);
  return (byteOffset) => {
    const before = bytes.subarray(0, Math.min(byteOffset, bytes.length)).toString("utf8");
    const lastBreak = before.lastIndexOf("\n");
    return { line: before.split("\n").length, column: before.length - lastBreak };
  };
}

function problemsOf(at: Locator, policyId: string | null) {
  return (error: cedar.DetailedError): PolicyProblem[] => {
    // Cedar's validation messages start with its automatic id ("for policy `policy2`, …"): the id is shown apart.
    let message = error.message.replace(/^for policy `[^`]*`, /, "");
    const labels = (error.sourceLocations ?? []).map((l) => l.label).filter((l): l is string => !!l);
    if (labels.length > 0) message += ` (${labels.join("; ")})`;
    if (error.help) message += ` (${error.help})`;
    message = message.replace(/\s*\n\s*/g, " ");
    const offset = error.sourceLocations?.[0]?.start ?? 0;
    return [{ ...at(offset), policyId, message }];
  };
}
