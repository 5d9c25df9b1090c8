import { DateTimeISO } from "./date-time.scalar.js";
import { Field, ID, Int, ObjectType } from "type-graphql";
import type { AuditEvent as AuditEventRecord } from "../../invitations/invitation-queries.js";
import type { InvitationDetails } from "../../invitations/model.js";
import type { Page } from "../../invitations/pagination.js";
import { Invitation } from "./invitation.type.js";
import { User } from "./user.type.js";

@ObjectType({ description: "Where a page sits in its list (Relay's PageInfo)." })
export class PageInfo {
  @Field(() => Boolean, { description: "Whether another page follows: ask for it with `after: endCursor`." })
  hasNextPage!: boolean;

  @Field(() => Boolean, {
    description:
      "Whether items come before this page: true when it was asked for with `after`. Pagination runs " +
      "forward only, as Relay allows.",
  })
  hasPreviousPage!: boolean;

  @Field(() => String, { nullable: true, description: "The first edge's cursor; null on an empty page." })
  startCursor!: string | null;

  @Field(() => String, {
    nullable: true,
    description: "The last edge's cursor; null on an empty page. Pass as `after` to get the next page.",
  })
  endCursor!: string | null;
}

@ObjectType({ description: "One invitation of a page, with its place in the list." })
export class InvitationEdge {
  @Field(() => String, { description: "Opaque: pass as `after` to continue after this invitation." })
  cursor!: string;

  @Field(() => Invitation, { description: "The invitation." })
  node!: Invitation;
}

@ObjectType({ description: "Invitations, newest first." })
export class InvitationConnection {
  @Field(() => [InvitationEdge], { description: "This page's invitations, newest first." })
  edges!: InvitationEdge[];

  @Field(() => PageInfo, { description: "Whether pages come before or after this one, and its cursors." })
  pageInfo!: PageInfo;

  /** Counted only when a client asks for it: counting walks every matching row. */
  @Field(() => Int, { description: "Matching invitations across all pages." })
  get totalCount(): Promise<number> {
    return this.countAll();
  }

  countAll!: () => Promise<number>;

  static from(page: Page<InvitationDetails>, now: number): InvitationConnection {
    return Object.assign(new InvitationConnection(), {
      edges: page.items.map((details, i) =>
        Object.assign(new InvitationEdge(), { cursor: page.cursors[i], node: Invitation.from(details, now) }),
      ),
      pageInfo: pageInfoOf(page),
      countAll: page.totalCount,
    });
  }
}

@ObjectType({ description: "Who did what to which target, when, and how it ended. Carries no secrets." })
export class AuditEvent {
  @Field(() => ID, { description: "The event's id; events are numbered in the order they were written." })
  id!: string;

  @Field(() => String, { description: "e.g. invitation.resend, invitation.create, invitation.revoke." })
  action!: string;

  @Field(() => String, { description: "SUCCESS or the error code that answered." })
  outcome!: string;

  @Field(() => String, {
    nullable: true,
    description: "What kind of thing the action aimed at: invitation or user; null when refused before one.",
  })
  targetType!: string | null;

  @Field(() => String, { nullable: true, description: "The target's id as the caller gave it." })
  targetId!: string | null;

  @Field(() => User, {
    nullable: true,
    description: "Who acted; null without a valid key, or when the user has since been deleted.",
  })
  actor!: User | null;

  @Field(() => String, {
    nullable: true,
    description: "The request's id (its X-Request-Id header), to find it in the logs.",
  })
  requestId!: string | null;

  @Field(() => DateTimeISO, { description: "When it happened." })
  createdAt!: Date;
}

@ObjectType({ description: "One audit event of a page, with its place in the list." })
export class AuditEventEdge {
  @Field(() => String, { description: "Opaque: pass as `after` to continue after this event." })
  cursor!: string;

  @Field(() => AuditEvent, { description: "The event." })
  node!: AuditEvent;
}

@ObjectType({ description: "Audit events, newest first." })
export class AuditEventConnection {
  @Field(() => [AuditEventEdge], { description: "This page's events, newest first." })
  edges!: AuditEventEdge[];

  @Field(() => PageInfo, { description: "Whether pages come before or after this one, and its cursors." })
  pageInfo!: PageInfo;

  /** Counted only when a client asks for it: counting walks every matching row. */
  @Field(() => Int, { description: "Matching events across all pages." })
  get totalCount(): Promise<number> {
    return this.countAll();
  }

  countAll!: () => Promise<number>;

  static from(page: Page<AuditEventRecord>): AuditEventConnection {
    return Object.assign(new AuditEventConnection(), {
      edges: page.items.map((event, i) =>
        Object.assign(new AuditEventEdge(), {
          cursor: page.cursors[i],
          node: Object.assign(new AuditEvent(), {
            id: String(event.id),
            action: event.action,
            outcome: event.outcome,
            targetType: event.targetType,
            targetId: event.targetId,
            actor: event.actor === null ? null : User.from(event.actor),
            requestId: event.requestId,
            createdAt: new Date(event.createdAt),
          }),
        }),
      ),
      pageInfo: pageInfoOf(page),
      countAll: page.totalCount,
    });
  }
}

export function pageInfoOf(page: Page<unknown>): PageInfo {
  return Object.assign(new PageInfo(), {
    hasNextPage: page.hasNextPage,
    hasPreviousPage: page.hasPreviousPage,
    startCursor: page.cursors[0] ?? null,
    endCursor: page.cursors.at(-1) ?? null,
  });
}
