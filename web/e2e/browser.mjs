// Debian's Chromium driven by playwright-core (no browser download), with the flags this machine
// needs (headless, no sandbox as root, no background networking: the network is closed), a fresh
// profile, and axe-core for accessibility checks.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);

export const CHROMIUM = process.env.SCARSCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** @returns {Promise<{ browser: import('playwright-core').Browser, close: () => Promise<void> }>} */
export async function launchBrowser() {
  const profile = mkdtempSync(path.join(tmpdir(), 'scarscope-chromium-'));
  // playwright-core starts Chromium headless with a fresh --user-data-dir of its own (a new
  // temporary profile each launch); HOME points at another empty folder for what Chromium keeps there.
  const args = [
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-dev-shm-usage',
    // WebGL for the 3D view from the software rasteriser (there is no GPU here).
    '--use-angle=swiftshader',
    '--enable-unsafe-swiftshader',
  ];
  if (typeof process.getuid === 'function' && process.getuid() === 0) args.push('--no-sandbox');
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args,
    env: { ...process.env, HOME: profile, XDG_CONFIG_HOME: profile, XDG_CACHE_HOME: profile },
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

/**
 * Runs axe-core on the page (WCAG 2.1 A/AA rules) and returns the serious and critical violations.
 * axe is evaluated through the DevTools protocol, not injected as a <script>, so the page's
 * Content-Security-Policy stays in force.
 * @param {import('playwright-core').Page} page
 */
export async function seriousViolations(page) {
  const loaded = await page.evaluate('typeof window.axe');
  if (loaded !== 'object') await page.evaluate(axeSource + '\n;undefined');
  /** @type {{ id: string, impact: string, help: string, nodes: { target: string[], failureSummary: string }[] }[]} */
  const violations = await page.evaluate(async () => {
    // @ts-ignore axe is a global put there by the source evaluated above
    const result = await window.axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
      resultTypes: ['violations'],
    });
    return result.violations.map((/** @type {any} */ v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 5).map((/** @type {any} */ n) => ({ target: n.target, failureSummary: n.failureSummary })),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}
