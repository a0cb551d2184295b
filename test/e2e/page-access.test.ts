/**
 * Issue 9, the page: a pasted token is kept in sessionStorage only, sent as Authorization: Bearer
 * with each search, and the level the server answered at is shown; a refused token says so;
 * Forget returns to anonymous. Headless Chromium against a real node with an access section.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { ingestVcf } from '../../src/ingest';
import { loadAccessConfig } from '../../src/config/access-config';
import { sha256 } from '../../src/access';
import { realFile, tempDir } from '../helpers/fixtures';
import { startNode, type TestNode } from '../helpers/node-server';

declare const sessionStorage: { getItem(k: string): string | null };
declare const localStorage: { length: number };

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = join(__dirname, '..', '..', 'test-output', 'e2e');
const TOKEN = 'page-token-3e8d1c';
const tmp = tempDir();
const suite = existsSync(CHROMIUM) ? describe : describe.skip;

suite('the page with access control', () => {
  let server: TestNode;
  let browser: Browser;
  let page: Page;
  const sent: (string | undefined)[] = [];
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const db = join(tmp.dir, 'node.db');
    await ingestVcf({ db, dataset: 'kg', assembly: 'GRCh37', name: '1000 Genomes 2010', panel: realFile('pyvcf-1kg/1kg.panel.txt'), inputs: [realFile('pyvcf-1kg/1kg.vcf.gz')] });
    const access = loadAccessConfig({ access: { tokens: [{ id: 'page', sha256: sha256(TOKEN), level: 'registered' }] } }, 'test.json');
    server = await startNode(db, {}, { access });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('request', (r) => {
      if (r.url().includes('/api/g_variants')) sent.push(r.headers().authorization);
    });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().includes('401')) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
    await page.goto(server.url + '/');
    await page.waitForSelector('#beacon:has-text("dataset")');
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    tmp.cleanup();
  });

  async function searchFor(text: string): Promise<void> {
    await page.fill('#q', text);
    await page.press('#q', 'Enter');
    await page.waitForSelector('#result > *:not(p.meta)');
  }

  test('anonymous until a token is pasted; then the token is sent and its level shown', async () => {
    await searchFor('2-10297-G-T');
    expect(await page.textContent('#level')).toBe('anonymous');
    expect(sent.pop()).toBeUndefined();
    await page.fill('#token', TOKEN);
    await page.press('#token', 'Enter');
    await page.waitForSelector('#level:has-text("registered")');
    expect(sent.pop()).toBe(`Bearer ${TOKEN}`);
    expect(await page.inputValue('#token')).toBe('');
    expect(await page.evaluate(() => sessionStorage.getItem('afb-token'))).toBe(TOKEN);
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await page.screenshot({ path: join(OUT, 'access-registered.png'), fullPage: true });
  });

  test('a refused token says so, with the reason; Forget returns to anonymous', async () => {
    await page.fill('#token', 'not-a-valid-token');
    await page.click('#token-form button[type=submit]');
    await page.waitForSelector('#level:has-text("token refused")');
    expect(await page.textContent('#result')).toMatch(/not an API token this beacon knows/);
    await page.click('#token-clear');
    expect(await page.textContent('#level')).toBe('anonymous');
    await searchFor('2-10297-G-T');
    expect(sent.pop()).toBeUndefined();
    expect(await page.textContent('#level')).toBe('anonymous');
  });

  test('no console errors besides the refused token', () => {
    expect(consoleErrors).toEqual([]);
  });
});
