import type { Logger } from "pino";
import { type Browser, type BrowserContext, chromium, type Page, type Response } from "playwright-core";
import { ToolErrors } from "../errors.js";
import { checkRef, isRef, refsOf } from "./refs.js";

/** Limits of one agent's browser (docs/tools.md "Browser"). */
export const BROWSER_LIMITS = {
  /** The sidecar may be restarting Chromium (crash): keep trying to connect this long. */
  connectMs: 30_000,
  navigationMs: 30_000,
  actionMs: 10_000,
  /** browser_evaluate: a script still running after this is cut off (its tab closed). */
  evaluateMs: 10_000,
  /** Context (pages, renderers) closed and the connection dropped after this long without a call. */
  idleMs: 5 * 60_000,
  /** Refusals remembered per page, listed in the next result. */
  blockedKept: 20,
} as const;
export type BrowserLimits = { [K in keyof typeof BROWSER_LIMITS]: number };

export interface BrowserSessionOptions {
  /** ws://browser-<id>:9480/playwright */
  endpoint: string;
  /** The egress proxy's forward door and the agent's credentials (Basic: agent id, token). */
  proxy: { server: string; username: string; password: string };
  log: Logger;
  limits?: Partial<BrowserLimits>;
}

export interface Blocked {
  url: string;
  why: string;
}

interface PageState {
  navigation: number;
  snapshot?: { navigation: number; refs: ReadonlySet<string> };
  blocked: Blocked[];
}

/** The header the egress proxy puts on its own error replies (the code), unlike an origin's 403. */
const REFUSAL_HEADER = "x-openlegion-error";
const REFUSED = new Set([402, 403, 407]);

/**
 * The agent's one browser: a Playwright connection to its sidecar and one context whose every request
 * goes through the egress proxy as this agent. Opened on first use, closed after idle, opened again
 * after Chromium died (the sidecar relaunches it). Tracks per page the navigation count, so refs of an
 * older snapshot are refused, and the requests the proxy refused.
 */
export class BrowserSession {
  readonly #o: BrowserSessionOptions;
  readonly #limits: BrowserLimits;
  #browser: Browser | undefined;
  #context: BrowserContext | undefined;
  #opening: Promise<BrowserContext> | undefined;
  #current: Page | undefined;
  readonly #pages = new WeakMap<Page, PageState>();
  #idle: NodeJS.Timeout | undefined;
  #busy = 0;
  /** Launches seen (1 = first start); restarts = launches - 1. */
  launches = 0;

  constructor(o: BrowserSessionOptions) {
    this.#o = o;
    this.#limits = { ...BROWSER_LIMITS, ...o.limits };
  }

  /** Whether a browser is connected now (false before the first call and after idle). */
  get connected(): boolean {
    return this.#browser?.isConnected() ?? false;
  }

  get endpoint(): string {
    return this.#o.endpoint;
  }

  get limits(): BrowserLimits {
    return this.#limits;
  }

  /** Runs one tool call; the idle timer starts when the last call in flight ends. */
  async use<T>(fn: () => Promise<T>): Promise<T> {
    this.#busy++;
    clearTimeout(this.#idle);
    try {
      return await fn();
    } finally {
      if (--this.#busy === 0) this.#touch();
    }
  }

  /** The current tab (a new one when none is open). */
  async page(): Promise<Page> {
    const context = await this.#contextOrOpen();
    if (this.#current && !this.#current.isClosed()) return this.#current;
    const open = context.pages().filter((p) => !p.isClosed());
    this.#current = open[open.length - 1] ?? (await context.newPage());
    return this.#current;
  }

  async tabs(): Promise<Page[]> {
    const context = await this.#contextOrOpen();
    return context.pages().filter((p) => !p.isClosed());
  }

  select(page: Page): void {
    this.#current = page;
  }

  state(page: Page): PageState {
    let s = this.#pages.get(page);
    if (!s) {
      s = { navigation: 0, blocked: [] };
      this.#pages.set(page, s);
    }
    return s;
  }

  /** Records the refs of a snapshot just taken of `page`. */
  remember(page: Page, snapshot: string): void {
    const s = this.state(page);
    s.snapshot = { navigation: s.navigation, refs: refsOf(snapshot) };
  }

  /** A locator for a ref of the current snapshot (stale ones refused) or for a selector. */
  target(page: Page, target: string) {
    if (!isRef(target)) return page.locator(target);
    const s = this.state(page);
    const check = checkRef(target, s.snapshot, s.navigation);
    if (!check.ok) throw ToolErrors.browserStaleRef(check.why);
    return page.locator(`aria-ref=${target}`);
  }

  /** The refusals recorded on `page` since the last call, oldest first (and forgets them). */
  takeBlocked(page: Page): Blocked[] {
    const s = this.state(page);
    const out = s.blocked;
    s.blocked = [];
    return out;
  }

  /** A proxy refusal as a response (plain http through the forward door), or undefined. */
  async refusal(response: Response | null): Promise<string | undefined> {
    if (!response || response.status() < 400) return undefined;
    const headers = await response.allHeaders().catch(() => ({}) as Record<string, string>);
    const code = headers[REFUSAL_HEADER];
    if (code) {
      const text = await response.text().catch(() => "");
      const message = /"message"\s*:\s*"([^"]{0,400})/.exec(text)?.[1] ?? "";
      return `${code} ${message}`.trim();
    }
    // A script's cross-origin fetch gets an opaque answer: Chromium shows its status, not its headers.
    if (Object.keys(headers).length === 0 && REFUSED.has(response.status()))
      return `HTTP ${response.status()} (headers hidden from the page; the egress proxy answers so for a host outside allowed_hosts)`;
    return undefined;
  }

  async close(): Promise<void> {
    clearTimeout(this.#idle);
    this.#idle = undefined;
    const browser = this.#browser;
    this.#browser = undefined;
    this.#context = undefined;
    this.#current = undefined;
    this.#opening = undefined;
    await browser?.close().catch(() => {});
  }

  #touch(): void {
    clearTimeout(this.#idle);
    this.#idle = setTimeout(() => {
      this.#o.log.info("browser idle: closing it");
      void this.close();
    }, this.#limits.idleMs);
    this.#idle.unref();
  }

  async #contextOrOpen(): Promise<BrowserContext> {
    if (this.#context && this.#browser?.isConnected()) return this.#context;
    this.#opening ??= this.#open().finally(() => {
      this.#opening = undefined;
    });
    return this.#opening;
  }

  /** Connects and opens the context, retrying while the sidecar relaunches Chromium (≤ connectMs). */
  async #open(): Promise<BrowserContext> {
    const deadline = Date.now() + this.#limits.connectMs;
    let last = "";
    for (;;) {
      let browser: Browser | undefined;
      try {
        browser = await chromium.connect(this.#o.endpoint, { timeout: this.#limits.connectMs });
        const context = await browser.newContext({
          proxy: this.#o.proxy,
          serviceWorkers: "block",
          acceptDownloads: false,
          viewport: { width: 1280, height: 800 },
        });
        this.#adopt(browser, context);
        return context;
      } catch (error) {
        await browser?.close().catch(() => {});
        last = error instanceof Error ? (error.message.split("\n")[0] ?? "") : String(error);
      }
      if (Date.now() >= deadline) throw ToolErrors.browserUnavailable(last);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  #adopt(browser: Browser, context: BrowserContext): void {
    browser.once("disconnected", () => {
      if (this.#browser !== browser) return;
      this.#o.log.warn("browser connection lost (Chromium exited?); the next call reconnects");
      this.#browser = undefined;
      this.#context = undefined;
      this.#current = undefined;
    });
    context.setDefaultNavigationTimeout(this.#limits.navigationMs);
    context.setDefaultTimeout(this.#limits.actionMs);
    context.on("page", (page) => this.#watch(page));
    this.#browser = browser;
    this.#context = context;
    this.launches++;
  }

  #watch(page: Page): void {
    const s = this.state(page);
    page.on("framenavigated", (frame) => {
      if (frame === page.mainFrame()) s.navigation++;
    });
    const block = (b: Blocked) => {
      if (s.blocked.length < this.#limits.blockedKept) s.blocked.push(b);
    };
    page.on("requestfailed", (request) => {
      const why = request.failure()?.errorText ?? "failed";
      // CONNECT refused by the proxy (https): Chromium only sees the tunnel fail.
      if (/TUNNEL_CONNECTION_FAILED|PROXY/.test(why))
        block({ url: request.url(), why: `${why} (the egress proxy refused the connection)` });
    });
    page.on("response", (response) => {
      void this.refusal(response).then((why) => {
        if (why) block({ url: response.url(), why });
      });
    });
  }
}
