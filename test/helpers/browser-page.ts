import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (playwright-core never downloads a browser); CHROMIUM_PATH overrides it. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * A headless Chromium and one page, every console error and uncaught page error pushed to
 * `errors` (the page tests end by expecting none).
 */
export async function openPage(errors: string[], options: { acceptDownloads?: boolean } = {}): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  const page = await browser.newPage({ viewport: { width: 1440, height: 1000 }, ...options });
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(String(e)));
  return { browser, page };
}
