import type { Repositories } from "../db/store.js";
import type { InvitationServiceDeps } from "./deps.js";

/** An operation's writes, and the audit record of its outcome. */
export interface Operation<R> {
  readonly run: (tx: Repositories) => Promise<R>;
  readonly isSuccess: (result: R) => boolean;
  /** Called within the transaction that commits the change, or, for a refusal, in one of its own. */
  readonly audit: (tx: Repositories, result: R) => Promise<void>;
}

/** Carries a refusal out of a transaction, rolling back whatever the operation had written before it. */
class Refused<R> extends Error {
  constructor(readonly result: R) {
    super("refused");
  }
}

/**
 * Runs an operation in one transaction, with its audit record. A refusal writes nothing but its audit
 * record: what the operation wrote before refusing (a user row, a claim) is rolled back.
 */
export async function changeOrRefuse<R>(deps: InvitationServiceDeps, operation: Operation<R>): Promise<R> {
  try {
    return await deps.store.transaction(async (tx) => {
      const result = await operation.run(tx);
      if (!operation.isSuccess(result)) throw new Refused(result);
      await operation.audit(tx, result);
      return result;
    });
  } catch (error) {
    if (!(error instanceof Refused)) throw error;
    const refusal = (error as Refused<R>).result;
    await deps.store.transaction((tx) => operation.audit(tx, refusal));
    return refusal;
  }
}
