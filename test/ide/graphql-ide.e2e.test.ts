import { existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { projectRoot } from "../../src/paths.js";
import { startTestServer, type TestServer } from "../support/server.js";

/** Debian's chromium package: `npx playwright install` cannot download a browser here (see STACK.md). */
const CHROMIUM = "/usr/bin/chromium";
/** The README's picture of the IDE: this test retakes it on the demo data a newcomer sees. */
const SCREENSHOT = join(projectRoot, "docs", "graphql-ide.png");

describe("the GraphQL IDE in headless Chromium", () => {
  let server: TestServer;
  let profile: string;
  let browser: BrowserContext;
  let page: Page;
  const requested: string[] = [];
  const browserErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`${CHROMIUM} is missing: run "apt-get install -y chromium" (.ci/run installs it)`);
    }
    // The demo data, as `npm start` loads it: the screenshot shows what the banner tells a newcomer to do.
    // Its key fixed, so that the screenshot, whose Headers editor shows it, is the same from run to run.
    server = await startTestServer({ demo: true, demoApiKey: "inv_demo-key-for-the-readme-screenshot" });
    profile = mkdtempSync(join(tmpdir(), "invitation-api-chromium-"));
    browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
      ],
      viewport: { width: 1600, height: 1000 },
    });
    // Every request of every page and worker, including any a blocked script might attempt.
    browser.on("request", (request) => requested.push(request.url()));
    page = browser.pages()[0] ?? (await browser.newPage());
    // CSP refusals are reported as console errors: they count as attempts to leave the server.
    page.on("console", (message) => {
      if (message.type() === "error") browserErrors.push(message.text());
    });
    page.on("pageerror", (error) => browserErrors.push(error.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  it("resends the banner's invitation with the pasted demo key, loading nothing from outside the server", async () => {
    const demo = server.server.demo!;
    const invitationId = String(demo.examples.ideInvitationId);
    const invitee = await inviteeEmail(server.url, demo.apiKey, invitationId);
    await page.goto(`${server.url}/graphql`);
    // GraphiQL names each preloaded tab after its operation.
    await page.getByText("ResendByInvitationId").first().waitFor();
    await page.getByText("ResendByUserId").first().waitFor();

    // What the banner prints for the IDE's Variables and Headers editors.
    await pasteInto(page, "Variables", JSON.stringify({ invitationId }));
    await pasteInto(page, "Headers", JSON.stringify({ Authorization: `Bearer ${demo.apiKey}` }));
    await page.locator(".graphiql-execute-button").click();

    const result = page.locator(".result-window");
    await result.getByText(invitee).first().waitFor();
    const shown = await result.innerText();
    expect(shown).toContain('"__typename": "ResendInvitationSuccess"');
    expect(shown).toContain(`"sentTo": "${invitee}"`);

    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await page.locator(".graphiql-doc-explorer").getByText("Mutation", { exact: true }).click();
    await page.locator(".graphiql-doc-explorer").getByText("resendInvitation").first().waitFor();

    // Written whole, then renamed: both test projects retake it, and a reader never sees half a file.
    const partial = `${SCREENSHOT}.${process.pid}.tmp`;
    writeFileSync(partial, await page.screenshot({ animations: "disabled", caret: "hide" }));
    renameSync(partial, SCREENSHOT);

    expect(requested.length).toBeGreaterThan(0);
    const outside = requested.filter((url) => new URL(url).origin !== server.url);
    expect(outside).toEqual([]);
    expect(browserErrors).toEqual([]);
  });
});

/** The invitee's address, read through the API rather than restated from the demo fixture. */
async function inviteeEmail(url: string, apiKey: string, invitationId: string): Promise<string> {
  const response = await fetch(`${url}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ query: `{ invitation(id: "${invitationId}") { email } }` }),
  });
  const { data } = (await response.json()) as { data: { invitation: { email: string } } };
  return data.invitation.email;
}

/** Opens an editor of the tools pane and replaces its text, as a paste does (no bracket auto-closing). */
async function pasteInto(page: Page, editor: "Headers" | "Variables", text: string): Promise<void> {
  await page.getByRole("button", { name: editor, exact: true }).click();
  const field = page.locator(`.graphiql-editor-tool .graphiql-editor:not(.hidden) .CodeMirror`);
  await field.click();
  await page.keyboard.press("ControlOrMeta+A");
  await page.keyboard.insertText(text);
  await field.getByText(text).waitFor();
}
