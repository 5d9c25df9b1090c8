import { describe, expect, it } from "vitest";
import type { AuthorizationResource, Principal, UserFacts } from "../../src/invitations/authorization.js";
import { analyseAction } from "../../src/policies/analysis.js";
import {
  CedarAuthorizer,
  defaultDenyNotice,
  unexplainedForbidNotice,
} from "../../src/policies/cedar-authorizer.js";
import { decisionEntities } from "../../src/policies/entities.js";
import { compilePolicySet, defaultPolicySet } from "../../src/policies/policy-set.js";
import { defaultWith } from "../support/policies.js";

const acme = { uuid: "2489e9ad-2ee2-8e00-8ec9-32d5f69181c0" };
const globex = { uuid: "7c1d2a4e-1111-4a2b-8c3d-000000002048" };
const admin: Principal = { uuid: "u-admin", role: "admin", kind: "human", tenant: acme };
const member: Principal = { uuid: "u-member", role: "member", kind: "human", tenant: acme };
const bob: UserFacts = { uuid: "u-bob", role: "member", kind: "human", tenant: acme };
const invitation = (sendCount: number, tenant = acme, invitee = bob): AuthorizationResource => ({
  type: "Invitation",
  invitation: { uuid: "i-9001", sendCount },
  tenant,
  status: "PENDING",
  invitee,
});
const engine = (text: string) => new CedarAuthorizer(compilePolicySet(text, "test.cedar"));

describe("decisions of the default policies", () => {
  const authorizer = new CedarAuthorizer(defaultPolicySet());

  it("lets an admin act on their tenant's invitation, and not on another tenant's", () => {
    expect(authorizer.decide(admin, "resendInvitation", invitation(1))).toEqual({
      decision: "allow",
      policyIds: ["admins-manage-their-tenants-invitations"],
    });
    // The second line of defence: a row of another tenant that a query let through is still refused.
    expect(authorizer.decide(admin, "resendInvitation", invitation(1, globex))).toMatchObject({
      decision: "deny",
      policyIds: [],
      notices: [defaultDenyNotice("resendInvitation")],
    });
  });

  it("refuses a member before any target is known, with the forbid's notice", () => {
    expect(authorizer.beforeTarget(member, "resendInvitation")).toEqual({
      decision: "deny",
      policyIds: ["only-admins-manage-invitations"],
      notices: [
        "Only admins may manage or list invitations and read the audit trail; your role is not admin.",
      ],
    });
    expect(authorizer.beforeTarget(admin, "resendInvitation")).toEqual({ decision: "undecided" });
  });

  it("lets anyone see themselves and nobody else", () => {
    expect(authorizer.decide(member, "viewer", { type: "User", user: member }).decision).toBe("allow");
    expect(authorizer.decide(member, "viewer", { type: "User", user: bob }).decision).toBe("deny");
  });

  it("lets an invitee accept their own invitation only", () => {
    expect(authorizer.decide(bob, "acceptInvitation", invitation(1)).decision).toBe("allow");
    expect(authorizer.decide(member, "acceptInvitation", invitation(1)).decision).toBe("deny");
  });
});

describe("notices", () => {
  const text = defaultWith(`@id("first")
@notice("Sent too often.")
forbid (principal, action == Action::"resendInvitation", resource is Invitation) when { resource.sendCount >= 2 };

@id("silent")
forbid (principal, action == Action::"resendInvitation", resource is Invitation) when { resource.sendCount >= 4 };

@id("second")
@notice("Bob is on holiday.")
forbid (principal, action == Action::"resendInvitation", resource is Invitation) when { resource.invitee == User::"u-bob" };

@id("again")
@notice("Sent too often.")
forbid (principal, action == Action::"resendInvitation", resource is Invitation) when { resource.sendCount >= 3 };`);
  const authorizer = engine(text);

  it("are the deciding forbids' @notice texts, in file order, without repeats; the audit gets every id", () => {
    expect(authorizer.decide(admin, "resendInvitation", invitation(5))).toEqual({
      decision: "deny",
      policyIds: ["first", "silent", "second", "again"],
      notices: ["Sent too often.", "Bob is on holiday."],
    });
  });

  it("are one generic sentence when the deciding forbids have no @notice", () => {
    const carol = { ...bob, uuid: "u-carol" };
    const onlySilent = engine(
      defaultWith(`@id("silent") forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.sendCount >= 4 };`),
    );
    expect(onlySilent.decide(admin, "resendInvitation", invitation(4, acme, carol))).toEqual({
      decision: "deny",
      policyIds: ["silent"],
      notices: [unexplainedForbidNotice("resendInvitation")],
    });
  });

  it("are one generic sentence for a default deny, with no policy id", () => {
    expect(engine("").decide(admin, "invitations", { type: "Tenant", tenant: acme })).toEqual({
      decision: "deny",
      policyIds: [],
      notices: [defaultDenyNotice("invitations")],
    });
  });
});

describe("cost", () => {
  it("parses nothing per decision: one partial evaluation per kind of principal, then cached", () => {
    const authorizer = new CedarAuthorizer(defaultPolicySet());
    for (let i = 0; i < 50; i++) {
      // Different users of one role: the policies name no user, so the early answer is shared.
      authorizer.decide({ ...admin, uuid: `admin-${i}` }, "resendInvitation", invitation(1));
      authorizer.decide({ ...member, uuid: `member-${i}` }, "resendInvitation", invitation(1));
    }
    // …and so is the final one: the default policies see only roles and how the tenants relate.
    expect(authorizer.stats).toEqual({ earlyEvaluations: 2, evaluations: 1 });
  });

  it("asks Cedar again whenever what the policies see differs, and never reuses an answer across tenants", () => {
    const authorizer = new CedarAuthorizer(defaultPolicySet());
    expect(authorizer.decide(admin, "resendInvitation", invitation(1)).decision).toBe("allow");
    // Same shape of request, but the invitation's tenant is not the admin's: a new key, a new answer.
    expect(authorizer.decide(admin, "resendInvitation", invitation(1, globex)).decision).toBe("deny");
    expect(
      authorizer.decide({ ...admin, tenant: globex }, "resendInvitation", invitation(1, globex)).decision,
    ).toBe("allow");
    expect(authorizer.stats.evaluations).toBe(2);
  });

  it("keys by the attribute values the policies read, and by the real ids of types they name", () => {
    const authorizer = engine(
      defaultWith(`@id("twice") forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.sendCount >= 2 };
@id("not-bob") forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.invitee == User::"u-bob" };`),
    );
    const carol = { ...bob, uuid: "u-carol" };
    expect(authorizer.decide(admin, "resendInvitation", invitation(1, acme, carol)).decision).toBe("allow");
    expect(authorizer.decide(admin, "resendInvitation", invitation(2, acme, carol)).policyIds).toEqual([
      "twice",
    ]);
    expect(authorizer.decide(admin, "resendInvitation", invitation(1, acme, bob)).policyIds).toEqual([
      "not-bob",
    ]);
    expect(
      authorizer.decide(admin, "resendInvitation", invitation(1, acme, { ...carol, uuid: "u-dan" })).decision,
    ).toBe("allow");
    expect(authorizer.stats.evaluations).toBe(4);
  });

  it("keys the early answer by a user's id only when a policy names a user", () => {
    const authorizer = engine(
      defaultWith(`@id("not-eve") forbid (principal == User::"u-eve", action, resource);`),
    );
    authorizer.beforeTarget(admin, "resendInvitation");
    authorizer.beforeTarget({ ...admin, uuid: "u-other" }, "resendInvitation");
    expect(authorizer.stats.earlyEvaluations).toBe(2);
    expect(authorizer.beforeTarget({ ...admin, uuid: "u-eve" }, "resendInvitation")).toMatchObject({
      decision: "deny",
      policyIds: ["not-eve"],
    });
  });

  it("passes only the entities and attributes the policies read", () => {
    const reads = analyseAction(defaultPolicySet().policies, "resendInvitation");
    expect(decisionEntities(admin, invitation(2), reads)).toEqual([
      {
        uid: { type: "User", id: "u-admin" },
        attrs: { role: "admin", tenant: { __entity: { type: "Tenant", id: acme.uuid } } },
        parents: [],
      },
      {
        uid: { type: "Invitation", id: "i-9001" },
        attrs: { tenant: { __entity: { type: "Tenant", id: acme.uuid } } },
        parents: [],
      },
    ]);

    const inviteeKind = compilePolicySet(
      defaultWith(`@id("no-bots") forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.invitee.kind == "service_account" && resource.sendCount > 0 };`),
      "test.cedar",
    );
    const withInvitee = analyseAction(inviteeKind.policies, "resendInvitation");
    expect(decisionEntities(admin, invitation(2), withInvitee)).toEqual([
      expect.objectContaining({ uid: { type: "User", id: "u-admin" } }),
      {
        uid: { type: "Invitation", id: "i-9001" },
        attrs: {
          tenant: { __entity: { type: "Tenant", id: acme.uuid } },
          sendCount: 2,
          invitee: { __entity: { type: "User", id: "u-bob" } },
        },
        parents: [],
      },
      { uid: { type: "User", id: "u-bob" }, attrs: { kind: "human" }, parents: [] },
    ]);
    expect(
      engine(inviteeKind.policies.map((p) => p.text).join("\n")).decide(
        admin,
        "resendInvitation",
        invitation(2, acme, { ...bob, kind: "service_account" }),
      ),
    ).toMatchObject({ decision: "deny", policyIds: ["no-bots"] });
  });

  it("passes an entity in two roles once (the viewer is its own resource)", () => {
    const reads = analyseAction(
      compilePolicySet(
        `permit (principal, action == Action::"viewer", resource is User) when { resource.kind == "human" && principal.role == "admin" };`,
        "t",
      ).policies,
      "viewer",
    );
    expect(decisionEntities(admin, { type: "User", user: admin }, reads)).toEqual([
      { uid: { type: "User", id: "u-admin" }, attrs: { role: "admin", kind: "human" }, parents: [] },
    ]);
  });

  it("fails a decision whose policy errors instead of skipping the policy (a forbid that errors never allows)", () => {
    const overflow = engine(
      defaultWith(`@id("overflows") forbid (principal, action == Action::"resendInvitation", resource is Invitation)
when { resource.sendCount * 9223372036854775807 > 0 };`),
    );
    expect(() => overflow.decide(admin, "resendInvitation", invitation(2))).toThrow(/overflows/);
  });
});
