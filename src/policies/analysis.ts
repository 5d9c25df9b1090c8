import type * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type { Operation } from "../invitations/authorization.js";
import type { PolicyInfo } from "./policy-set.js";

/**
 * What the policies that can apply to one action read, so that a decision passes only those entities and
 * attributes (each entity costs tens of microseconds to hand to Cedar).
 */
export interface ActionReads {
  /** The policies whose action scope includes the action, in file order. */
  readonly policies: readonly PolicyInfo[];
  /** Attributes read as `principal.X`. */
  readonly principal: ReadonlySet<string>;
  /** Attributes read as `resource.X`. */
  readonly resource: ReadonlySet<string>;
  /** Attributes read as `resource.invitee.X`: the invitee's entity is passed only when this is not empty. */
  readonly invitee: ReadonlySet<string>;
  /** An attribute is read from an entity the analysis cannot name: pass every attribute of every entity. */
  readonly everything: boolean;
  /** Entity literals of these types appear (e.g. `principal.tenant == Tenant::"…"`): their ids matter. */
  readonly literalTypes: ReadonlySet<string>;
}

export function analyseAction(policies: readonly PolicyInfo[], operation: Operation): ActionReads {
  const applicable = policies.filter((policy) => appliesTo(policy.json.action, operation));
  const reads = {
    principal: new Set<string>(),
    resource: new Set<string>(),
    invitee: new Set<string>(),
    everything: false,
    literalTypes: new Set<string>(),
  };
  for (const policy of applicable) {
    for (const scope of [policy.json.principal, policy.json.resource])
      collectLiterals(scope, reads.literalTypes);
    for (const clause of policy.json.conditions) walk(clause.body, reads);
  }
  return { policies: applicable, ...reads };
}

/** Whether an action scope (`action`, `action == …`, `action in […]`) includes the operation. */
function appliesTo(scope: cedar.ActionConstraint, operation: Operation): boolean {
  switch (scope.op) {
    case "All":
      return true;
    case "==":
      return "entity" in scope && isAction(scope.entity, operation);
    case "in":
      return "entity" in scope
        ? isAction(scope.entity, operation)
        : scope.entities.some((entity) => isAction(entity, operation));
    default: {
      const _exhaustive: never = scope;
      throw new Error(`unknown action scope ${JSON.stringify(_exhaustive)}`);
    }
  }
}

function isAction(uid: cedar.EntityUidJson, operation: Operation): boolean {
  const { type, id } = "__entity" in uid ? uid.__entity : uid;
  return type === "Action" && id === operation;
}

type Reads = {
  principal: Set<string>;
  resource: Set<string>;
  invitee: Set<string>;
  everything: boolean;
  literalTypes: Set<string>;
};

/**
 * Records every attribute path an expression reads, rooted at `principal` or `resource`. Returns the path the
 * expression itself denotes when it is one (`resource.invitee` → ["resource", "invitee"]), else null.
 */
function walk(expr: unknown, reads: Reads): string[] | null {
  if (expr === null || typeof expr !== "object") return null;
  if (Array.isArray(expr)) {
    for (const item of expr) walk(item, reads);
    return null;
  }
  const node = expr as Record<string, unknown>;
  if ("Var" in node) return node.Var === "principal" || node.Var === "resource" ? [node.Var] : null;
  if ("Value" in node) {
    collectLiterals(node.Value, reads.literalTypes);
    return null;
  }
  if ("." in node) {
    const { left, attr } = node["."] as { left: unknown; attr: string };
    const path = read(left, [attr], reads);
    return path;
  }
  if ("has" in node) {
    const { left, attr } = node.has as { left: unknown; attr: string | string[] };
    read(left, Array.isArray(attr) ? attr : [attr], reads);
    return null;
  }
  for (const value of Object.values(node)) walk(value, reads);
  return null;
}

/** `left.a.b…`: records each step; an attribute of something that is not a known path reads everything. */
function read(left: unknown, attrs: readonly string[], reads: Reads): string[] | null {
  const base = walk(left, reads);
  if (base === null) {
    reads.everything = true;
    return null;
  }
  let path = base;
  for (const attr of attrs) {
    path = [...path, attr];
    record(path, reads);
  }
  return path;
}

function record(path: readonly string[], reads: Reads): void {
  const [root, first, second] = path;
  if (path.length === 2 && root === "principal") reads.principal.add(first!);
  else if (path.length === 2 && root === "resource") reads.resource.add(first!);
  else if (path.length === 3 && root === "resource" && first === "invitee") reads.invitee.add(second!);
  // Anything deeper reads a Tenant's attributes (it has none: strict validation refuses it) or a user's
  // tenant's; nothing to pass for either.
  else if (path.length > 2 && !(path.length === 3 && first === "tenant")) reads.everything = true;
}

/** Entity types named by literals (`User::"…"`) anywhere in a value or scope. */
function collectLiterals(value: unknown, into: Set<string>): void {
  if (value === null || typeof value !== "object") return;
  if (Array.isArray(value)) {
    for (const item of value) collectLiterals(item, into);
    return;
  }
  const node = value as Record<string, unknown>;
  if (typeof node.type === "string" && typeof node.id === "string") into.add(node.type);
  for (const child of Object.values(node)) collectLiterals(child, into);
}
