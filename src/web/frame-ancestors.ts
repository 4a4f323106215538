import type { Response } from 'express';
import type { Platform } from '../platforms/platform.js';

/** Canvas cloud frames tools from each institution's own *.instructure.com domain, not from its issuer. */
const CANVAS_CLOUD_FRAMES = 'https://*.instructure.com';

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/**
 * The origins allowed to frame examgate: each approved platform's own. A platform waiting for
 * approval (registered dynamically) is left out, so it cannot frame staff or admin pages.
 */
export function platformOrigins(platforms: Platform[]): string[] {
  const origins = new Set<string>();
  for (const platform of platforms.filter((p) => p.status === 'active')) {
    for (const url of [platform.issuer, platform.authUrl]) {
      const origin = originOf(url);
      if (origin) {
        origins.add(origin);
      }
    }
    if (platform.preset === 'canvas' && /\.instructure\.com$/.test(new URL(platform.issuer).host)) {
      origins.add(CANVAS_CLOUD_FRAMES);
    }
  }
  return [...origins].sort();
}

/**
 * Lets a platform that waits for approval frame this one response: the held page, which shows a
 * message and offers nothing to click, so it can be read inside the LMS but nothing else can.
 */
export function allowFramingOfHeldPage(res: Response, platform: Platform): void {
  const csp = res.getHeader('Content-Security-Policy');
  const origins = platformOrigins([{ ...platform, status: 'active' }]);
  if (typeof csp === 'string' && origins.length > 0) {
    res.setHeader(
      'Content-Security-Policy',
      csp.replace(/frame-ancestors([^;]*)/, (_directive, list: string) => `frame-ancestors${list} ${origins.join(' ')}`),
    );
  }
}

/**
 * Platform origins change rarely and are read on every response, so they are cached and
 * refreshed in the background; several processes converge within `ttlMs`.
 */
export class FrameAncestors {
  private origins: string[] = [];
  private loadedAt = 0;
  private loading: Promise<void> | null = null;

  constructor(
    private readonly load: () => Promise<Platform[]>,
    private readonly ttlMs = 30_000,
  ) {}

  /**
   * The origins without waiting, or null before they were ever loaded (then `current`). Once
   * they are older than `ttlMs`, this starts a reload and answers with them meanwhile: no
   * response waits for the reload, and the list is never older than one reload's time more.
   */
  fresh(): string[] | null {
    if (this.loadedAt === 0) {
      return null;
    }
    if (Date.now() - this.loadedAt > this.ttlMs) {
      this.loading ??= this.reload()
        .catch(() => undefined)
        .finally(() => {
          this.loading = null;
        });
    }
    return this.origins;
  }

  async current(): Promise<string[]> {
    if (Date.now() - this.loadedAt > this.ttlMs) {
      // Concurrent requests share one load instead of each querying the database.
      this.loading ??= this.reload().finally(() => {
        this.loading = null;
      });
      await this.loading;
    }
    return this.origins;
  }

  /** After a change: always loads afresh, so the change just made is included. */
  async refresh(): Promise<void> {
    await this.reload();
  }

  private async reload(): Promise<void> {
    const platforms = await this.load();
    this.origins = platformOrigins(platforms);
    this.loadedAt = Date.now();
  }
}
