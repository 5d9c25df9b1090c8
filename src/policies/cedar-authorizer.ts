import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import {
  OPERATIONS,
  type AuthorizationResource,
  type Authorizer,
  type Decision,
  type EarlyDecision,
  type Operation,
  type Principal,
} from "../invitations/authorization.js";
import { analyseAction, type ActionReads } from "./analysis.js";
import { decisionKey } from "./decision-key.js";
import { decisionEntities, principalEntities, resourceUid, userUid } from "./entities.js";
import type { PolicySet } from "./policy-set.js";

/** Told to the caller when no policy permits the operation (a default deny: no forbid decided it). */
export const defaultDenyNotice = (operation: Operation) =>
  `No policy permits ${operation} for you here; ask an administrator if you need it.`;
/** Told when forbid policies without a `@notice` decided the denial. */
export const unexplainedForbidNotice = (operation: Operation) => `A policy forbids ${operation} here.`;

/** Early decisions remembered per (operation, what the policies can see of the principal). */
const EARLY_CACHE_CAPACITY = 10_000;
/** Final decisions remembered per decisionKey (what the policies can see of the whole request). */
const DECISION_CACHE_CAPACITY = 10_000;

interface ActionPlan {
  readonly reads: ActionReads;
  /** The applicable policies by id, as Cedar takes them. */
  readonly byId: Readonly<Record<string, string>>;
  /** The id under which Cedar keeps them preparsed (one copy per policy text and action, per process). */
  readonly preparsedId: string;
}

/** Counters for tests and measurements: how often Cedar itself was called. */
export interface AuthorizerStats {
  earlyEvaluations: number;
  evaluations: number;
}

/**
 * The Authorizer over Cedar (`@cedar-policy/cedar-wasm`). The policy set is parsed once, at construction,
 * per action: each action keeps only the policies that can apply to it, preparsed in Cedar's memory.
 *
 * - `beforeTarget` asks Cedar's partial evaluation with the resource unknown: a deny (or allow) that holds
 *   for every resource is final; otherwise the answer waits for the target. Partial evaluation parses the
 *   policies on each call (milliseconds), so its answer is cached by what the policies can see of the
 *   principal: its attributes the policies read, and its own or its tenant's id only where a policy names a
 *   user or tenant literally.
 * - `decide` reuses a final early answer, else evaluates the preparsed policies with only the entities and
 *   attributes they read. Cedar is a pure function of what it is handed, so that answer is cached too, by
 *   decisionKey: a Cedar call costs ~150 µs, a resend's whole database work ~300 µs.
 *
 * A policy that fails to evaluate (an overflow, say) fails the request instead of being skipped, so a forbid
 * that errors never turns into an allow.
 */
export class CedarAuthorizer implements Authorizer {
  readonly stats: AuthorizerStats = { earlyEvaluations: 0, evaluations: 0 };
  private readonly plans = new Map<Operation, ActionPlan>();
  private readonly positions = new Map<string, number>();
  private readonly early = new Map<string, EarlyDecision>();
  private readonly decisions = new Map<string, Decision>();

  constructor(readonly policySet: PolicySet) {
    policySet.policies.forEach((policy, index) => this.positions.set(policy.id, index));
    for (const operation of OPERATIONS) {
      const reads = analyseAction(policySet.policies, operation);
      const byId = Object.fromEntries(reads.policies.map((policy) => [policy.id, policy.text]));
      const preparsedId = `${policySet.fingerprint}:${operation}`;
      const parsed = cedar.preparsePolicySet(preparsedId, { staticPolicies: byId });
      if (parsed.type !== "success") {
        throw new Error(`${policySet.origin}: ${parsed.errors.map((e) => e.message).join("; ")}`);
      }
      this.plans.set(operation, { reads, byId, preparsedId });
    }
  }

  beforeTarget(principal: Principal, operation: Operation): EarlyDecision {
    const plan = this.plan(operation);
    if (plan.reads.policies.length === 0) return this.denial(operation, []);
    const key = this.earlyKey(principal, operation, plan.reads);
    const known = this.early.get(key);
    if (known) return known;

    this.stats.earlyEvaluations += 1;
    const answer = cedar.isAuthorizedPartial({
      principal: userUid(principal),
      action: { type: "Action", id: operation },
      resource: null,
      context: {},
      policies: { staticPolicies: plan.byId },
      entities: principalEntities(principal, plan.reads),
    });
    if (answer.type !== "residuals") throw evaluationFailure(operation, answer.errors);
    const { response } = answer;
    if (response.errored.length > 0) throw evaluationFailure(operation, [], response.errored);
    const decision: EarlyDecision =
      response.decision === null
        ? { decision: "undecided" }
        : this.decisionOf(operation, response.decision, response.mustBeDetermining);

    if (this.early.size >= EARLY_CACHE_CAPACITY) this.early.clear();
    this.early.set(key, decision);
    return decision;
  }

  decide(principal: Principal, operation: Operation, resource: AuthorizationResource): Decision {
    const early = this.beforeTarget(principal, operation);
    if (early.decision !== "undecided") return early;
    const plan = this.plan(operation);
    const principalUid = userUid(principal);
    const resourceId = resourceUid(resource);
    const entities = decisionEntities(principal, resource, plan.reads);
    const key = decisionKey(operation, principalUid, resourceId, entities, plan.reads.literalTypes);
    const known = this.decisions.get(key);
    if (known) return known;

    this.stats.evaluations += 1;
    const answer = cedar.statefulIsAuthorized({
      principal: principalUid,
      action: { type: "Action", id: operation },
      resource: resourceId,
      context: {},
      preparsedPolicySetId: plan.preparsedId,
      entities,
    });
    if (answer.type !== "success") throw evaluationFailure(operation, answer.errors);
    const { decision, diagnostics } = answer.response;
    if (diagnostics.errors.length > 0) {
      throw evaluationFailure(
        operation,
        diagnostics.errors.map((e) => e.error),
        diagnostics.errors.map((e) => e.policyId),
      );
    }
    const final = this.decisionOf(operation, decision, diagnostics.reason);
    if (this.decisions.size >= DECISION_CACHE_CAPACITY) this.decisions.clear();
    this.decisions.set(key, final);
    return final;
  }

  private plan(operation: Operation): ActionPlan {
    const plan = this.plans.get(operation);
    if (!plan) throw new Error(`no policy plan for ${operation}`);
    return plan;
  }

  /**
   * Everything a partial evaluation with an unknown resource can depend on. Ids count only where a policy
   * has a literal of their type: otherwise a user or tenant id can only be compared with the unknown resource.
   */
  private earlyKey(principal: Principal, operation: Operation, reads: ActionReads): string {
    const parts: string[] = [operation, reads.literalTypes.has("User") ? principal.uuid : "*"];
    const seen = (name: string) => reads.everything || reads.principal.has(name);
    if (seen("role")) parts.push(`role=${principal.role}`);
    if (seen("kind")) parts.push(`kind=${principal.kind}`);
    if (seen("tenant"))
      parts.push(`tenant=${reads.literalTypes.has("Tenant") ? principal.tenant.uuid : "*"}`);
    return parts.join("\u0000");
  }

  private decisionOf(operation: Operation, decision: cedar.Decision, policyIds: readonly string[]): Decision {
    const ordered = [...new Set(policyIds)].sort((a, b) => this.position(a) - this.position(b));
    return decision === "allow" ? { decision: "allow", policyIds: ordered } : this.denial(operation, ordered);
  }

  private denial(operation: Operation, forbidIds: readonly string[]): Decision {
    if (forbidIds.length === 0) {
      return { decision: "deny", policyIds: [], notices: [defaultDenyNotice(operation)] };
    }
    const notices = [
      ...new Set(
        forbidIds
          .map((id) => this.policySet.policies[this.position(id)]?.notice)
          .filter((n): n is string => !!n),
      ),
    ];
    return {
      decision: "deny",
      policyIds: forbidIds,
      notices: notices.length > 0 ? notices : [unexplainedForbidNotice(operation)],
    };
  }

  private position(id: string): number {
    return this.positions.get(id) ?? Number.MAX_SAFE_INTEGER;
  }
}

function evaluationFailure(
  operation: Operation,
  errors: readonly cedar.DetailedError[],
  policyIds: readonly string[] = [],
): Error {
  const policies = policyIds.length > 0 ? ` (policies ${policyIds.join(", ")})` : "";
  const reasons = errors.map((e) => e.message).join("; ");
  return new Error(`policy evaluation of ${operation} failed${policies}${reasons ? `: ${reasons}` : ""}`);
}
