/**
 * What one authorization decision costs, in microseconds: `node --import tsx bench/policy-decisions.ts`.
 * Runs the CedarAuthorizer as the service does (policies parsed once, early answers and final decisions
 * cached, only the entities and attributes the policies read), and, for comparison, the same decision with
 * every entity and attribute. Rows "each call new" vary `resource.sendCount`, which the policy reads, so
 * every call misses the decision cache and Cedar evaluates.
 */
import * as cedar from "@cedar-policy/cedar-wasm/nodejs";
import type {
  AuthorizationResource,
  Operation,
  Principal,
  UserFacts,
} from "../src/invitations/authorization.js";
import { CedarAuthorizer } from "../src/policies/cedar-authorizer.js";
import { resourceUid, userUid } from "../src/policies/entities.js";
import { compilePolicySet, defaultPolicySet, type PolicySet } from "../src/policies/policy-set.js";

const ROUNDS = Number(process.env.ROUNDS ?? 20_000);
const tenant = { uuid: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0" };
const admin: Principal = {
  uuid: "0b6f1c2e-0000-4000-8000-000000000001",
  role: "admin",
  kind: "human",
  tenant,
};
const invitee: UserFacts = {
  uuid: "0b6f1c2e-0000-4000-8000-000000000002",
  role: "member",
  kind: "human",
  tenant,
};
const invitation: AuthorizationResource = {
  type: "Invitation",
  invitation: { uuid: "6fe44d7c-0000-4000-8000-000000009001", sendCount: 2 },
  tenant,
  status: "PENDING",
  invitee,
};

const withPolicy = (extra: string): PolicySet =>
  compilePolicySet(
    `${defaultPolicySet()
      .policies.map((p) => p.text)
      .join("\n\n")}\n\n${extra}`,
    "bench",
  );
const sendCountRule = withPolicy(`@id("at-most-three-sends") @notice("n")
forbid (principal, action == Action::"resendInvitation", resource is Invitation) when { resource.sendCount >= 3 };`);
const inviteeRule = withPolicy(`@id("no-resends-to-service-accounts") @notice("n")
forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.invitee.kind == "service_account" };
@id("at-most-a-billion-sends")
forbid (principal, action == Action::"resendInvitation", resource is Invitation) when { resource.sendCount >= 1000000000 };`);

/** Median of five batches, in µs per call. */
function measure(run: () => unknown, rounds = ROUNDS): number {
  for (let i = 0; i < rounds / 10; i++) run();
  const batches: number[] = [];
  for (let b = 0; b < 5; b++) {
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds / 5; i++) run();
    batches.push(Number(process.hrtime.bigint() - start) / 1000 / (rounds / 5));
  }
  return batches.sort((a, b) => a - b)[2]!;
}

function row(name: string, us: number, note = ""): void {
  console.log(`${name.padEnd(64)} ${us.toFixed(1).padStart(8)} µs  ${note}`);
}

function decide(set: PolicySet, operation: Operation, resource: AuthorizationResource) {
  const authorizer = new CedarAuthorizer(set);
  return () => authorizer.decide(admin, operation, resource);
}

console.log(`cedar ${cedar.getCedarVersion()}, ${ROUNDS} decisions per row, median of 5 batches\n`);

const authorizer = new CedarAuthorizer(defaultPolicySet());
row(
  "before the target (cached partial evaluation)",
  measure(() => authorizer.beforeTarget(admin, "resendInvitation")),
);
// A policy naming a user makes the principal's id part of the cache key: each call is a first time.
const namesAUser = new CedarAuthorizer(
  withPolicy(`@id("one-user") forbid (principal == User::"nobody", action, resource);`),
);
let n = 0;
const fresh = () => namesAUser.beforeTarget({ ...admin, uuid: `u${n++}` }, "resendInvitation");
row("before the target, first time for its key (partial evaluation)", measure(fresh, 250), "(then cached)");
row(
  "members: denied before the target (cached)",
  measure(() => authorizer.decide({ ...admin, role: "member" }, "resendInvitation", invitation)),
);
row(
  "invitations list (resource: the tenant)",
  measure(decide(defaultPolicySet(), "invitations", { type: "Tenant", tenant })),
);
row(
  "resendInvitation, default policies (from the decision cache)",
  measure(decide(defaultPolicySet(), "resendInvitation", invitation)),
);
/** Each call a new sendCount (negative: below every limit, so allowed): a new key, so Cedar evaluates. */
function eachCallNew(set: PolicySet) {
  const authorizer = new CedarAuthorizer(set);
  let count = 0;
  return () => {
    const resource = {
      ...invitation,
      invitation: { uuid: "6fe44d7c-0000-4000-8000-000000009001", sendCount: -count++ },
    };
    if (authorizer.decide(admin, "resendInvitation", resource).decision !== "allow")
      throw new Error("denied");
  };
}
row("resendInvitation + resource.sendCount rule, each call new (Cedar)", measure(eachCallNew(sendCountRule)));
row(
  "resendInvitation + sendCount and invitee.kind rules, each call new (3 entities)",
  measure(eachCallNew(inviteeRule)),
);

// The same decision as the default row, handing Cedar every entity with every attribute.
const policies = Object.fromEntries(defaultPolicySet().policies.map((p) => [p.id, p.text]));
cedar.preparsePolicySet("bench-everything", { staticPolicies: policies });
const everyEntity: cedar.EntityJson[] = [
  {
    uid: userUid(admin),
    attrs: { role: "admin", kind: "human", tenant: { __entity: { type: "Tenant", id: tenant.uuid } } },
    parents: [],
  },
  {
    uid: resourceUid(invitation),
    attrs: {
      tenant: { __entity: { type: "Tenant", id: tenant.uuid } },
      status: "PENDING",
      sendCount: 2,
      invitee: { __entity: userUid(invitee) },
    },
    parents: [],
  },
  {
    uid: userUid(invitee),
    attrs: { role: "member", kind: "human", tenant: { __entity: { type: "Tenant", id: tenant.uuid } } },
    parents: [],
  },
  { uid: { type: "Tenant", id: tenant.uuid }, attrs: {}, parents: [] },
];
row(
  "for comparison: default policies, every entity and attribute",
  measure(() =>
    cedar.statefulIsAuthorized({
      principal: userUid(admin),
      action: { type: "Action", id: "resendInvitation" },
      resource: resourceUid(invitation),
      context: {},
      preparsedPolicySetId: "bench-everything",
      entities: everyEntity,
    }),
  ),
);
row(
  "for comparison: parsing policies and schema on every call",
  measure(
    () =>
      cedar.isAuthorized({
        principal: userUid(admin),
        action: { type: "Action", id: "resendInvitation" },
        resource: resourceUid(invitation),
        context: {},
        policies: { staticPolicies: policies },
        entities: everyEntity,
      }),
    1000,
  ),
);
