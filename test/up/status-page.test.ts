/**
 * The status page of a DNS node (GET / on the admin address) in a real headless Chromium (Debian's
 * `chromium`, driven by playwright-core): the health matrix, the verdicts, the answer shares and the
 * recent verdict changes as a gateway dies, and what it says when the node stops answering.
 * Screenshots go to test-reports/up/ (not committed).
 */
import * as fs from 'fs';
import * as path from 'path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { emdrBundle, REPO, removeTempDirs, tempDir } from './helpers';
import { LocalGateway, startGatewayPair } from '../../examples/emdr-self-hosted/gateways';
import { UpSession } from '../../lib/up/session';

const SCREENSHOTS = path.join(REPO, 'test-reports', 'up');
const CHROMIUM = '/usr/bin/chromium';

let gateways: [LocalGateway, LocalGateway];
let session: UpSession;
let browser: BrowserContext;
let page: Page;
const pageErrors: string[] = [];

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing; install Debian's chromium (apt-get install -y chromium, as .ci/run does)`);
  gateways = await startGatewayPair();
  session = await UpSession.start({ bundle: emdrBundle(...gateways), dns: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  browser = await chromium.launchPersistentContext(tempDir('chromium-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  page = browser.pages()[0] ?? await browser.newPage();
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(m.text());
  });
});

afterAll(async () => {
  await browser?.close();
  await session?.stop();
  await Promise.all((gateways ?? []).map((g) => g.stop()));
  removeTempDirs();
});

/** The text of every cell of a table, row by row. */
function table(id: string): Promise<string[][]> {
  // Runs in the page (DOM types are not part of this project's compilation).
  return page.$$eval(`#${id} tr`, (rows) => rows.map((r) => [...r.children].map((c) => (c as unknown as { innerText: string }).innerText.replace(/\s+/g, ' ').trim())));
}

test('shows the health matrix, the verdicts and the answer shares', async () => {
  await page.goto(`http://${session.adminAddress}/`);
  expect(await page.title()).toBe('dns-failover · DNS node status');
  await page.waitForSelector('body[data-loaded="true"]', { timeout: 10_000 });
  // Wait until every checker has reported on both checks.
  await page.waitForFunction(() => (globalThis as any).document.querySelectorAll('#matrix td.cell .badge.healthy').length === 6, undefined, { timeout: 10_000 });

  const matrix = await table('matrix');
  expect(matrix[0].slice(0, 2)).toEqual(['health check', 'verdict']);
  expect(matrix[0].slice(2).map((h) => h.split(' ')[0])).toEqual(['checker-home', 'checker-isp-a', 'checker-isp-b']);
  expect(matrix[0][2]).toMatch(/^checker-home home · [\d.]+ (ms|s) ago$/);
  expect(matrix.slice(1).map((r) => r[0].split(' Emdr/')[0])).toEqual(['emdr.example.com gw-isp-a', 'emdr.example.com gw-isp-b']);
  for (const row of matrix.slice(1)) {
    expect(row[1]).toMatch(/^healthy 3 of 3 fresh checker reports healthy/);
    for (const cell of row.slice(2)) expect(cell).toMatch(/^healthy [\d.]+ (ms|s) ago · \d+ ms · HTTP status 200/);
  }

  const answers = await table('answers');
  expect(answers.slice(1).map((r) => [r[2], r[3], r[4], r[5], r[6]])).toEqual([
    ['gw-isp-a', gateways[0].host, 'weight 50', 'healthy', '50 %'],
    ['gw-isp-b', gateways[1].host, 'weight 50', 'healthy', '50 %'],
  ]);
  expect(answers[1][0]).toBe('emdr.example.com A');
  expect((await table('changes'))[1]).toEqual(['no verdict has changed since the node started']);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-healthy.png'), fullPage: true });
});

test('follows a gateway that dies: every checker\'s view, the verdict, the shares and the change', async () => {
  await gateways[0].stop();
  await page.waitForFunction(() => (globalThis as any).document.querySelector('#matrix tr[data-check="Emdr/gw-isp-a/HealthCheck"] td.verdict .badge')?.textContent === 'unhealthy', undefined, { timeout: 10_000 });
  const row = (await table('matrix')).find((r) => r[0].startsWith('emdr.example.com gw-isp-a'))!;
  expect(row[1]).toMatch(/^unhealthy 0 of 3 fresh checker reports healthy/);
  for (const cell of row.slice(2)) expect(cell).toMatch(/^unhealthy .*connection refused/);
  await page.waitForFunction(() => (globalThis as any).document.querySelector('#answers tr[data-member="gw-isp-b"] .share-value')?.textContent === '100 %', undefined, { timeout: 5_000 });
  const answers = await table('answers');
  expect(answers.slice(1).map((r) => [r[2], r[5], r[6]])).toEqual([['gw-isp-a', 'unhealthy', '0 %'], ['gw-isp-b', 'healthy', '100 %']]);
  const changes = await table('changes');
  expect(changes[0]).toEqual(['time', 'health check', 'verdict', 'why']);
  expect(changes[1].slice(1, 3)).toEqual(['emdr.example.com gw-isp-a Emdr/gw-isp-a/HealthCheck', 'unhealthy']);
  expect(changes[1][0]).toMatch(/^\d\d:\d\d:\d\d\.\d{3}$/);
  await page.screenshot({ path: path.join(SCREENSHOTS, 'status-page-gateway-down.png'), fullPage: true });
});

test('says so when the node stops answering, keeping the last status', async () => {
  await session.stop();
  await page.waitForSelector('#banner', { state: 'visible', timeout: 5_000 });
  expect(await page.textContent('#banner')).toMatch(/^The node does not answer \(.+\); showing the last status received\.$/);
  expect((await table('answers')).length).toBe(3);
});

test('raised no script error', () => {
  // The fetches refused after the node stopped are reported by Chromium as console errors; nothing else may be.
  expect(pageErrors.filter((e) => !/Failed to load resource|ERR_CONNECTION_REFUSED|Failed to fetch/.test(e))).toEqual([]);
});
