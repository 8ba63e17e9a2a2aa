// bench/web: the web UI's three budgets (issue 18), each with its peer measured in the same run.
//   1. JavaScript for the first page, gzip: the entry chunk and what it imports statically
//      (budget 100 KB), against all the JavaScript of the build (what one bundle would weigh).
//   2. The patient page interactive after navigation, with 200 patients x 20 visits in the record
//      (budget 300 ms): from the click on the patient's row to the page's last awaited call drawn
//      and its buttons enabled, against the same seven API calls made by fetch from the page.
//   3. The scan view of a 2000 x 2000 scan shows its overlay within 1 s: from navigation to the
//      relief decoded and every outline drawn, against fetching relief.png alone.
// Real server (scarscope serve over a fresh SQLite record), Debian's Chromium, median of N runs.
//
//   node bench/web/run.mjs --scarscope build/bin/scarscope [--web web/dist] [--runs 7]
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gzipSync } from 'node:zlib';
import { tmpdir, cpus } from 'node:os';

const here = path.dirname(fileURLToPath(import.meta.url));
const web = path.resolve(here, '..', '..', 'web');
const { launchBrowser } = await import(path.join(web, 'e2e', 'browser.mjs'));
const { cli, startServer } = await import(path.join(web, 'e2e', 'server.mjs'));

const { values } = parseArgs({
  options: {
    scarscope: { type: 'string' },
    web: { type: 'string', default: path.join(web, 'dist') },
    runs: { type: 'string', default: '7' },
    patients: { type: 'string', default: '200' },
    visits: { type: 'string', default: '20' },
  },
});
if (!values.scarscope) {
  console.error('usage: node bench/web/run.mjs --scarscope PATH [--web DIST] [--runs N]');
  process.exit(2);
}
const scarscope = path.resolve(values.scarscope);
const dist = path.resolve(values.web ?? '');
const runs = Number(values.runs);
const patientCount = Number(values.patients);
const visitCount = Number(values.visits);

/** @param {number[]} list */
const median = (list) => {
  const sorted = [...list].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};
/** @param {number} bytes */
const kb = (bytes) => (bytes / 1024).toFixed(1);

// ---- 1. First-page JavaScript ---------------------------------------------------------------
const html = readFileSync(path.join(dist, 'index.html'), 'utf8');
const firstPage = [...html.matchAll(/(?:src|href)="\.?\/?(assets\/[^"]+\.js)"/g)].map((m) => m[1] ?? '');
/** @param {string} file */
const gz = (file) => gzipSync(readFileSync(path.join(dist, file)), { level: 9 }).length;
const firstPageGzip = firstPage.reduce((sum, file) => sum + gz(file), 0);
const allJs = readdirSync(path.join(dist, 'assets')).filter((file) => file.endsWith('.js'));
const allGzip = allJs.reduce((sum, file) => sum + gz(path.join('assets', file)), 0);
const threeChunk = allJs.filter((file) => /three|surface3d/i.test(file));
console.log('## First page JavaScript (gzip -9)\n');
console.log(`| what | files | gzip KB |\n|---|---|---|`);
console.log(`| first page (entry + static imports) | ${firstPage.length} | ${kb(firstPageGzip)} |`);
console.log(`| peer: every chunk of the build (one bundle) | ${allJs.length} | ${kb(allGzip)} |`);
console.log(`| of which the 3D view's chunk(s) | ${threeChunk.length} | ${kb(threeChunk.reduce((s, f) => s + gz(path.join('assets', f)), 0))} |`);
console.log(`\nfirst page / whole build: ${(firstPageGzip / allGzip).toFixed(3)}; budget 100 KB: ${firstPageGzip <= 100 * 1024 ? 'met' : 'NOT met'}\n`);

// ---- the record -----------------------------------------------------------------------------
const PASSWORD = 'bench-clinician-password-1';
const EMAIL = 'bench@bench.test';
const server = await startServer({ scarscope, web: dist, users: [{ email: EMAIL, password: PASSWORD, role: 'clinician' }] });
const work = mkdtempSync(path.join(tmpdir(), 'scarscope-bench-web-'));
const { browser, close } = await launchBrowser();
try {
  const origin = server.origin;
  // The API by token for filling the record.
  const login = await (await fetch(`${origin}/api/v1/login`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  })).json();
  const auth = { Authorization: `Bearer ${login.token}`, 'Content-Type': 'application/json' };
  /** @param {string} url @param {unknown} body */
  const post = async (url, body) => {
    const response = await fetch(origin + '/api/v1' + url, { method: 'POST', headers: auth, body: JSON.stringify(body) });
    if (!response.ok) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
    return response.json();
  };
  const started = Date.now();
  /**
   * Runs the tasks, `width` at a time (a clinic's front desk, not a load test).
   * @template T @param {(() => Promise<T>)[]} tasks @param {number} width @returns {Promise<T[]>}
   */
  const pool = async (tasks, width) => {
    /** @type {T[]} */
    const results = new Array(tasks.length);
    let next = 0;
    await Promise.all(
      Array.from({ length: width }, async () => {
        while (next < tasks.length) {
          const index = next++;
          results[index] = await /** @type {() => Promise<T>} */ (tasks[index])();
        }
      }),
    );
    return results;
  };
  const made = await pool(
    Array.from({ length: patientCount }, (_, p) => () =>
      post('/patients', { name: `Bench Patient ${String(p).padStart(3, '0')}`, identifier: `B${p}` }),
    ),
    8,
  );
  const regions = ['left_cheek', 'right_cheek', 'forehead', 'chin'];
  await pool(
    made.flatMap((patient) =>
      Array.from({ length: visitCount }, (_, v) => () =>
        post(`/patients/${patient.id}/visits`, {
          date: `2025-${String(1 + (v % 12)).padStart(2, '0')}-${String(1 + v).padStart(2, '0')}`,
          region: regions[v % regions.length],
        }),
      ),
    ),
    8,
  );
  console.log(`(record filled: ${patientCount} patients x ${visitCount} visits in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(origin + '/');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();

  // ---- 2. Patient page interactive ----------------------------------------------------------
  const target = made[Math.floor(made.length / 2)];
  const uiTimes = [];
  const fetchTimes = [];
  for (let run = 0; run < runs + 1; run++) {
    await page.goto(`${origin}/#/patients?q=${encodeURIComponent(target.identifier)}`);
    const row = page.getByRole('link', { name: target.name });
    await row.waitFor();
    const t0 = await page.evaluate(() => performance.now());
    await row.click();
    await page.getByRole('button', { name: 'New visit' }).waitFor();
    await page.locator('article.visit').nth(visitCount - 1).waitFor();
    const t1 = await page.evaluate(
      () => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve(performance.now())))),
    );
    const peer = await page.evaluate(async (/** @type {string} */ id) => {
      const start = performance.now();
      await Promise.all(
        ['', '/visits', '/scans', '/plans', '/sessions', '/comparisons', '/consents'].map((suffix) =>
          fetch(`/api/v1/patients/${id}${suffix}`).then((r) => r.json()),
        ),
      );
      return performance.now() - start;
    }, target.id);
    if (run === 0) continue; // warm-up: the page's chunk is fetched and compiled once
    uiTimes.push(/** @type {number} */ (t1) - t0);
    fetchTimes.push(peer);
  }
  const ui = median(uiTimes);
  const api = median(fetchTimes);
  console.log(`## Patient page interactive (${patientCount} patients x ${visitCount} visits, median of ${runs})\n`);
  console.log('| what | ms |\n|---|---|');
  console.log(`| click on the row -> timeline drawn, buttons enabled | ${ui.toFixed(0)} |`);
  console.log(`| peer: the same 7 API calls by fetch from the page | ${api.toFixed(0)} |`);
  console.log(`\nUI / API calls: ${(ui / api).toFixed(2)}; budget 300 ms: ${ui <= 300 ? 'met' : 'NOT met'}\n`);

  // ---- 3. Scan overlay of a 2000 x 2000 scan ------------------------------------------------
  const scanFile = path.join(work, 'big.x3p');
  cli(scarscope, ['synth', '--seed', '21', '--size-mm', '40', '40', '--spacing-um', '20', '--out', scanFile]);
  const visit = await post(`/patients/${target.id}/visits`, { date: '2026-01-05', region: 'left_cheek' });
  const bytes = readFileSync(scanFile);
  const upload = await fetch(`${origin}/api/v1/visits/${visit.id}/scans?file_name=big.x3p`, {
    method: 'POST',
    headers: { Authorization: auth.Authorization, 'Content-Type': 'application/octet-stream' },
    body: bytes,
  });
  if (!upload.ok) throw new Error(`upload: ${upload.status} ${await upload.text()}`);
  const { scan, job } = await upload.json();
  for (;;) {
    const state = await (await fetch(`${origin}/api/v1/jobs/${job.id}`, { headers: auth })).json();
    if (state.state === 'done') break;
    if (state.state === 'failed') throw new Error(`analysis failed: ${state.error}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  const overlayTimes = [];
  const reliefTimes = [];
  let outlines = 0;
  for (let run = 0; run < runs + 1; run++) {
    await page.goto(`${origin}/#/patients`);
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    const t0 = await page.evaluate(() => performance.now());
    await page.evaluate((/** @type {string} */ id) => (location.hash = `#/scans/${id}`), scan.id);
    const t1 = await page.evaluate(
      () =>
        new Promise((resolve) => {
          const check = () => {
            const image = document.querySelector('.scan-figure image');
            const drawn = document.querySelectorAll('.scan-figure g[data-scar]').length;
            if (image && drawn > 0 && image.getAttribute('data-loaded') === 'true')
              requestAnimationFrame(() => resolve([performance.now(), drawn]));
            else requestAnimationFrame(check);
          };
          check();
        }),
    );
    const peer = await page.evaluate(async (/** @type {string} */ id) => {
      const start = performance.now();
      const response = await fetch(`/api/v1/scans/${id}/relief.png`, { cache: 'no-store' });
      await createImageBitmap(await response.blob());
      return performance.now() - start;
    }, scan.id);
    if (run === 0) continue;
    const [end, drawn] = /** @type {[number, number]} */ (t1);
    outlines = drawn;
    overlayTimes.push(end - t0);
    reliefTimes.push(peer);
  }
  const overlay = median(overlayTimes);
  const relief = median(reliefTimes);
  console.log(`## Scan view overlay, 2000 x 2000 scan (${outlines} scars, median of ${runs})\n`);
  console.log('| what | ms |\n|---|---|');
  console.log(`| navigation -> relief decoded and every outline drawn | ${overlay.toFixed(0)} |`);
  console.log(`| peer: fetch relief.png and decode it | ${relief.toFixed(0)} |`);
  console.log(`\noverlay / relief alone: ${(overlay / relief).toFixed(2)}; budget 1000 ms: ${overlay <= 1000 ? 'met' : 'NOT met'}\n`);
  console.log(`(${new Date().toISOString()}, ${cpus().length} cores: ${cpus()[0]?.model ?? '?'})`);
} finally {
  await close();
  await server.stop();
  rmSync(work, { recursive: true, force: true });
}
