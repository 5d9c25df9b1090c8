import { describe, expect, it } from "vitest";
import { classifyDeliveryError } from "../../src/mail/smtp-errors.js";

const nodemailerError = (message: string, fields: { code?: string; responseCode?: number }) =>
  Object.assign(new Error(message), fields);

describe("classifyDeliveryError", () => {
  it.each([
    ["550 recipient rejected", { code: "EENVELOPE", responseCode: 550 }, "permanent"],
    ["554 message refused", { code: "EMESSAGE", responseCode: 554 }, "permanent"],
    ["No recipients defined", { code: "EENVELOPE" }, "permanent"],
    ["421 try again later", { code: "EPROTOCOL", responseCode: 421 }, "temporary"],
    ["450 mailbox busy", { code: "EENVELOPE", responseCode: 450 }, "temporary"],
    ["535 authentication failed", { code: "EAUTH", responseCode: 535 }, "temporary"],
    ["connect ECONNREFUSED 127.0.0.1:2525", { code: "ESOCKET" }, "temporary"],
    ["Connection timeout", { code: "ETIMEDOUT" }, "temporary"],
    ["Greeting never received", { code: "ETIMEDOUT" }, "temporary"],
    ["ENOSPC: no space left on device", { code: "ENOSPC" }, "temporary"],
  ])("%s (%o) is %s", (message, fields, kind) => {
    expect(classifyDeliveryError(nodemailerError(message, fields)).kind).toBe(kind);
  });

  it("treats anything unrecognised as temporary", () => {
    expect(classifyDeliveryError("boom")).toEqual({ kind: "temporary", reason: "boom" });
  });

  it("keeps a one-line reason with the error code, and never an accept token", () => {
    const error = nodemailerError(
      "Message refused:\n  spam link https://x.test/invitations/accept?token=abc-123_X",
      {
        code: "EMESSAGE",
        responseCode: 554,
      },
    );
    expect(classifyDeliveryError(error).reason).toBe(
      "EMESSAGE: Message refused: spam link https://x.test/invitations/accept?token=[redacted]",
    );
  });

  it("bounds the reason's length", () => {
    expect(classifyDeliveryError(new Error("x".repeat(5_000))).reason).toHaveLength(500);
  });
});
