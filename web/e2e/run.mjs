// The web UI end to end, as a clinician uses it, against a real `scarscope serve` over a fresh
// SQLite record, in Debian's Chromium: log in; create a patient; upload a synthetic scan; wait for
// its scars; correct one; propose, edit and accept a plan; record a session with an adverse event
// (through a session expiry, losing nothing typed); upload a follow-up; see the progress chart and
// the change in words; manual mode from a photograph to a plan; log out. On every page axe-core
// finds no serious or critical violation; no request leaves the origin during the whole run; a
// screenshot of each main page is saved. Prints one line per step and "N passed, N failed";
// exits 1 if any step failed.
//
//   node e2e/run.mjs --scarscope BUILD/bin/scarscope --out BUILD/web-e2e [--web dist]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { launchBrowser, seriousViolations } from './browser.mjs';
import { cli, startServer } from './server.mjs';
import { checkTypesMatch } from './types.mjs';

const { values: options } = parseArgs({
  options: {
    scarscope: { type: 'string' },
    out: { type: 'string', default: 'e2e-artifacts' },
    web: { type: 'string', default: path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'dist') },
  },
});
if (!options.scarscope) {
  console.error('usage: node e2e/run.mjs --scarscope PATH [--out DIR] [--web DIST]');
  process.exit(2);
}
const scarscope = path.resolve(options.scarscope);
const out = path.resolve(options.out ?? 'e2e-artifacts');
mkdirSync(out, { recursive: true });

const PASSWORD = 'e2e-clinician-password-1';
const EMAIL = 'clinician@e2e.test';
const LONG = 180000; // an analysis or a comparison on a busy 2-core machine

// ---- the synthetic patient: a baseline scan, a follow-up after treatment, and a photograph ------
const work = mkdtempSync(path.join(tmpdir(), 'scarscope-e2e-files-'));
const files = {
  baseline: path.join(work, 'cheek-baseline.x3p'),
  followup: path.join(work, 'cheek-followup.x3p'),
  photo: path.join(work, 'forehead-photo.png'),
  followupPhoto: path.join(work, 'forehead-photo-later.png'),
  garbage: path.join(work, 'not-a-scan.x3p'),
};

/** @type {{ name: string, ok: boolean, detail?: string, ms: number }[]} */
const results = [];
/** @type {string[]} */
const foreignRequests = [];
/** @type {string[]} */
const pageErrors = [];

let server = /** @type {import('./server.mjs').Server | null} */ (null);
let browserHandle = /** @type {Awaited<ReturnType<typeof launchBrowser>> | null} */ (null);

/**
 * @param {string} name
 * @param {() => Promise<void>} body
 */
async function step(name, body) {
  const started = Date.now();
  try {
    await body();
    results.push({ name, ok: true, ms: Date.now() - started });
    console.log(`ok ${results.length} - ${name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  } catch (error) {
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    results.push({ name, ok: false, detail, ms: Date.now() - started });
    console.log(`not ok ${results.length} - ${name}\n  ${detail.split('\n').join('\n  ')}`);
    throw error;
  }
}

/** @param {boolean} condition @param {string} message */
function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/**
 * axe on the page as it is now; fails the step on a serious or critical violation.
 * @param {import('playwright-core').Page} page
 * @param {string} what
 */
async function accessible(page, what) {
  const violations = await seriousViolations(page);
  if (violations.length)
    throw new Error(`axe found serious/critical violations on ${what}:\n${JSON.stringify(violations, null, 2)}`);
}

/** @param {import('playwright-core').Page} page @param {string} name */
async function screenshot(page, name) {
  await page.screenshot({ path: path.join(out, `${name}.png`), fullPage: true });
}

try {
  await step('synthetic scans and a photograph made with the CLI', async () => {
    cli(scarscope, ['synth', '--seed', '11', '--preset', 'cheek', '--size-mm', '20', '20', '--out', files.baseline]);
    cli(scarscope, [
      'synth', '--seed', '12', '--followup-of', files.baseline.replace(/\.x3p$/, '.truth.json'), '--response', '0.6',
      '--out', files.followup,
    ]);
    // A PNG picture of skin to mark by hand (the shaded relief of another synthetic patch).
    const other = path.join(work, 'forehead.x3p');
    cli(scarscope, ['synth', '--seed', '13', '--preset', 'forehead', '--size-mm', '16', '12', '--out', other]);
    cli(scarscope, ['convert', other, path.join(work, 'forehead.tif'), '--preview', files.photo]);
    const later = path.join(work, 'forehead-later.x3p');
    cli(scarscope, ['synth', '--seed', '14', '--preset', 'forehead', '--size-mm', '16', '12', '--out', later]);
    cli(scarscope, ['convert', later, path.join(work, 'forehead-later.tif'), '--preview', files.followupPhoto]);
    writeFileSync(files.garbage, 'these are notes, not a scan\n'.repeat(50));
  });

  await step('scarscope serve on a free loopback port over a fresh SQLite record', async () => {
    server = await startServer({
      scarscope,
      web: path.resolve(options.web ?? 'dist'),
      users: [{ email: EMAIL, password: PASSWORD, role: 'clinician' }],
    });
  });
  if (!server) throw new Error('no server');
  const origin = /** @type {import('./server.mjs').Server} */ (server).origin;

  await step('the TypeScript types match the running server\'s OpenAPI document', async () => {
    await checkTypesMatch(`${origin}/api/v1/openapi.json`);
  });

  browserHandle = await launchBrowser();
  const context = await browserHandle.browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(30000);
  // Every request of the whole run must stay on the server's origin.
  context.on('request', (request) => {
    const url = request.url();
    if (url.startsWith('data:') || url.startsWith('blob:')) return;
    if (new URL(url).origin !== origin) foreignRequests.push(url);
  });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    // A refused request is the browser's console noise for an answer the page shows (the first GET
    // /me before logging in, the refused upload); a 5xx, or any other error, fails the run.
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) pageErrors.push(message.text());
  });

  await step('login page: accessible, with a visible focus; a wrong password shows the server\'s message', async () => {
    await page.goto(origin + '/');
    await page.getByRole('heading', { name: 'ScarScope' }).waitFor();
    await accessible(page, 'the login page');
    await screenshot(page, 'login');
    // Keyboard only: Tab to the email field, type, Tab, type, Enter.
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const element = document.activeElement;
      return element ? { id: element.id, outline: getComputedStyle(element).outlineStyle } : null;
    });
    expect(focused !== null && focused.outline !== 'none', `the focused control shows no focus ring: ${JSON.stringify(focused)}`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel('Password').fill('not-the-password');
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('alert').filter({ hasText: 'wrong email or password' }).waitFor();
  });

  await step('log in with the keyboard', async () => {
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByLabel('Password').press('Enter');
    await page.getByRole('heading', { name: 'Patients', level: 1 }).waitFor();
    await page.getByText('No patients yet.').waitFor();
    await accessible(page, 'the empty patient list');
  });

  const patientName = 'Ada Lovelace-Scar';
  await step('create a patient with the planning profile and consents', async () => {
    await page.getByRole('link', { name: 'New patient' }).first().click();
    await page.getByRole('heading', { name: 'New patient', level: 1 }).waitFor();
    await accessible(page, 'the new-patient form');
    await page.getByLabel('Name').fill(patientName);
    await page.getByLabel('Identifier').fill('E2E-001');
    await page.getByLabel('Birth year').fill('1994');
    await page.getByLabel('Sex').selectOption('female');
    await page.getByLabel('Fitzpatrick skin type').selectOption('3');
    await page.getByLabel('Active acne').selectOption('none');
    await page.getByLabel('Isotretinoin', { exact: true }).selectOption('stopped');
    await page.getByLabel('Isotretinoin stopped on').fill('2024-01-15');
    for (const [field, value] of [
      ['Keloid history', 'no'],
      ['Herpes simplex (cold sore) history', 'no'],
      ['Active cold sore now', 'no'],
      ['Active skin infection now', 'no'],
      ['Pregnant or breastfeeding', 'no'],
      ['Takes anticoagulants', 'no'],
      ['Body-dysmorphic screen positive', 'no'],
    ])
      await page.getByLabel(field ?? '').selectOption(value ?? '');
    await page.getByLabel('Distress (0–10)').fill('5');
    await page.getByLabel('Treatment').check();
    await page.getByLabel('Photography and scans').check();
    await screenshot(page, 'new-patient');
    await page.getByRole('button', { name: 'Register patient' }).click();
    await page.getByRole('heading', { name: patientName, level: 1 }).waitFor();
    await page.getByText('Treatment – given').waitFor();
    expect((await page.getByText('The planner still needs').count()) === 0, 'the profile should be complete');
  });

  await step('the patient list finds the patient by name and by identifier', async () => {
    await page.getByRole('link', { name: 'Patients', exact: true }).click();
    await page.getByLabel('Search patients').fill('lovelace');
    await page.getByRole('link', { name: patientName }).waitFor();
    await page.getByLabel('Search patients').fill('e2e-0');
    await page.getByText('Patients 1–1 of 1').waitFor();
    await page.getByLabel('Search patients').fill('nobody-like-this');
    await page.getByText('No patient matches').waitFor();
    await page.getByLabel('Search patients').fill('E2E');
    await page.getByRole('link', { name: patientName }).click();
    await page.getByRole('heading', { name: patientName, level: 1 }).waitFor();
  });

  /** @param {string} date @param {string} region */
  const addVisit = async (date, region) => {
    await page.getByRole('button', { name: 'New visit' }).click();
    const form = page.getByRole('form', { name: 'New visit' });
    await form.getByLabel('Date').fill(date);
    await form.getByLabel('Region').selectOption(region);
    await form.getByRole('button', { name: 'Add visit' }).click();
    await page.getByRole('heading', { name: new RegExp(`${date} · Visit, ${region.replace('_', ' ')}`) }).waitFor();
  };

  /** @param {string} date @param {string} file */
  const uploadScan = async (date, file) => {
    const visit = page.locator('article.visit').filter({ has: page.getByRole('heading', { name: new RegExp(date) }) });
    await visit.getByRole('button', { name: 'Upload a scan' }).click();
    await visit.getByLabel('Scan file (drop it here, or choose it)').setInputFiles(file);
    await visit.getByText(`${path.basename(file)} is stored.`).waitFor({ timeout: LONG });
    await visit.getByText('Analysis finished.').waitFor({ timeout: LONG });
    return visit;
  };

  let scarCount = 0;
  await step('a file that is not a scan: the upload shows the server\'s own reason', async () => {
    await addVisit('2026-01-10', 'left_cheek');
    const visit = page.locator('article.visit').filter({ has: page.getByRole('heading', { name: /2026-01-10/ }) });
    await visit.getByRole('button', { name: 'Upload a scan' }).click();
    await visit.getByLabel('Scan file (drop it here, or choose it)').setInputFiles(files.garbage);
    const refusal = visit.getByRole('alert').filter({ hasText: 'The server refused the file' });
    await refusal.waitFor({ timeout: LONG });
    const text = await refusal.innerText();
    expect(/not-a-scan\.x3p/.test(text) && !/\b400\b/.test(text), `the refusal does not give the server's reason: ${text}`);
    await accessible(page, 'the patient page with a refused upload');
    await visit.getByRole('button', { name: 'Upload a scan' }).click();
  });

  await step('upload the baseline scan, follow its analysis, open the scan view', async () => {
    const visit = await uploadScan('2026-01-10', files.baseline);
    await accessible(page, 'the patient page with an upload');
    await visit.getByRole('link', { name: 'Open the scan' }).click();
    await page.getByRole('heading', { name: 'Scan', level: 1 }).waitFor();
    await page.locator('.scan-figure image').waitFor({ state: 'attached' });
    // The relief picture has loaded (a real PNG from the server).
    await page.waitForFunction(async () => {
      const image = document.querySelector('.scan-figure image');
      const url = image?.getAttribute('href');
      if (!url) return false;
      const response = await fetch(url);
      return response.ok && response.headers.get('content-type') === 'image/png';
    });
    scarCount = await page.locator('.scan-figure g[data-scar]').count();
    expect(scarCount > 0, 'the scan view shows no scar outline');
    expect(
      (await page.getByRole('heading', { name: new RegExp(`Scars \\(${scarCount}\\)`) }).count()) === 1,
      'the scar table heading does not give the number of outlines drawn',
    );
    await page.getByText('estimate from 3D scan').first().waitFor();
    await accessible(page, 'the scan view');
    await screenshot(page, 'scan');
  });

  await step('hover a scar for its measurements; sort the table by volume', async () => {
    await page.locator('.scan-figure g[data-scar]').first().hover();
    await page.getByText('Why this type:').waitFor();
    await page.getByRole('button', { name: 'Volume (mm³)' }).click();
    const volumes = await page.locator('table.scars tbody tr td:nth-child(5)').allInnerTexts();
    const numbers = volumes.map((text) => Number(text.replace(/[^0-9.]/g, '')));
    expect(numbers.every((value, i) => i === 0 || (numbers[i - 1] ?? 0) <= value), `not sorted by volume: ${volumes}`);
    await page.getByRole('button', { name: 'Volume (mm³)' }).click();
    const again = (await page.locator('table.scars tbody tr td:nth-child(5)').allInnerTexts()).map((t) =>
      Number(t.replace(/[^0-9.]/g, '')),
    );
    expect(again.every((value, i) => i === 0 || (again[i - 1] ?? 0) >= value), 'not sorted by volume, descending');
  });

  await step('correct a scar\'s type (stored with who and when); the table follows', async () => {
    await page.getByRole('button', { name: 'Scar 1', exact: true }).click();
    const detail = page.locator('.scar-detail');
    const current = (await detail.getByLabel('Type according to the clinician').inputValue()) || 'boxcar';
    const next = current === 'rolling' ? 'boxcar' : 'rolling';
    await detail.getByLabel('Type according to the clinician').selectOption(next);
    await detail.getByRole('button', { name: 'Save the type' }).click();
    await page.getByRole('status').filter({ hasText: 'Scar 1 is now' }).waitFor();
    await page.getByRole('heading', { name: 'Corrections' }).waitFor();
    await page.getByText(/you on \d{4}-\d{2}-\d{2}/).waitFor();
    const row = page.locator('table.scars tbody tr').filter({ has: page.getByRole('button', { name: 'Scar 1', exact: true }) });
    await row.getByText('corrected').waitFor();
    await row.getByText(next.replace('_', ' ')).waitFor();
  });

  await step('the 3D view of the surface (three.js, loaded on demand) with its exaggeration slider', async () => {
    await page.getByRole('button', { name: 'Show in 3D' }).click();
    await page.locator('.surface-view[data-ready="true"] canvas').waitFor({ timeout: LONG });
    await page.getByLabel(/Height exaggeration/).fill('8');
    await page.getByText('Height exaggeration: 8×').waitFor();
    await page.getByLabel('Only around scar 1').check();
    await accessible(page, 'the scan view with the 3D view');
    await screenshot(page, 'scan-3d');
  });

  let planUrl = '';
  await step('propose a plan, edit it (drop a treatment, move a session) and accept it', async () => {
    await page.getByRole('link', { name: 'Back to the patient' }).click();
    const visit = page.locator('article.visit').first();
    await visit.getByRole('button', { name: 'Propose a plan' }).click();
    await page.getByRole('heading', { name: 'Treatment plan', level: 1 }).waitFor({ timeout: LONG });
    planUrl = page.url();
    await page.getByText('Proposal: not accepted yet.').waitFor();
    await accessible(page, 'the plan proposal');
    await screenshot(page, 'plan');
    await page.getByRole('button', { name: 'Edit, then accept' }).click();
    const keeps = page.getByRole('checkbox', { name: /^Keep .* in the plan$/ });
    const items = await keeps.count();
    expect(items >= 1, 'the plan has no treatment to edit');
    const rowsBefore = await page.locator('section[aria-labelledby="calendar-title"] tbody tr').count();
    if (items > 1) await keeps.last().uncheck();
    const firstDate = page.getByLabel(/^Date of .* session 1$/).first();
    await firstDate.fill('2026-02-02');
    await accessible(page, 'the plan while editing');
    await page.getByLabel('Note for the record (optional)').fill('Edited in the end-to-end test');
    await page.getByRole('button', { name: 'Accept the edited plan' }).click();
    await page.getByText(/Accepted by you on/).waitFor();
    await page.getByRole('heading', { name: 'Calendar of sessions' }).waitFor();
    const rowsAfter = await page.locator('section[aria-labelledby="calendar-title"] tbody tr').count();
    expect(items === 1 || rowsAfter < rowsBefore, `dropping a treatment kept every session (${rowsBefore} -> ${rowsAfter})`);
    await page.getByRole('cell', { name: '2026-02-02' }).first().waitFor();
  });

  await step('record a session with an adverse event, through an expired session (nothing typed is lost)', async () => {
    await page.getByRole('link', { name: 'Record a session' }).click();
    await page.getByRole('heading', { name: 'Record a treatment session', level: 1 }).waitFor();
    await page.getByLabel('Date', { exact: true }).fill('2026-02-02');
    await page.getByLabel('Treatment').selectOption('tca_cross');
    const parameter = page.locator('fieldset').filter({ hasText: 'Parameters of TCA CROSS' }).locator('input').first();
    await parameter.fill('5');
    await page.getByText(/Must be between/).waitFor();
    await parameter.fill('80');
    await page.getByLabel(/^Scar 1:/).check();
    await page.getByRole('button', { name: 'Add a side effect' }).click();
    const effect = page.getByRole('group', { name: 'Side effect 1' });
    expect((await effect.getByLabel('Onset').inputValue()) === '2026-02-02', 'the onset is not the session date');
    await effect.getByLabel('Kind').selectOption('erythema');
    await effect.getByLabel('Severity').selectOption('moderate');
    await effect.getByLabel('Resolved on').fill('2026-02-09');
    await page.getByLabel('Notes').first().fill('Frosting as expected');
    await accessible(page, 'the session form');
    await screenshot(page, 'session');
    // The session ends (as if it expired) while the form is open.
    await page.evaluate(async () => {
      const csrf = document.cookie.split('; ').find((c) => c.startsWith('scarscope_csrf='))?.split('=')[1] ?? '';
      await fetch('/api/v1/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf } });
    });
    await page.getByRole('button', { name: 'Save the session' }).click();
    const dialog = page.getByRole('dialog', { name: 'Your session has ended' });
    await dialog.waitFor();
    await accessible(page, 'the re-login dialog');
    await dialog.getByLabel('Password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: patientName, level: 1 }).waitFor();
    const session = page.locator('article.session').first();
    await session.getByText('Session: TCA CROSS').waitFor();
    await session.getByText('Frosting as expected').waitFor();
    await session.getByText(/moderate/).waitFor();
    await session.getByText(/erythema/).waitFor();
  });

  await step('upload a follow-up scan of the same region', async () => {
    await addVisit('2026-04-20', 'left_cheek');
    await uploadScan('2026-04-20', files.followup);
    await accessible(page, 'the patient page with two visits');
    await screenshot(page, 'patient');
  });

  await step('progress: charts over the visits and the change in words', async () => {
    await page.getByRole('link', { name: 'Progress' }).first().click();
    await page.getByRole('heading', { name: 'Progress', level: 1 }).waitFor();
    // The comparison job runs after the follow-up's analysis: reload until it is there.
    const deadline = Date.now() + LONG;
    while ((await page.getByTestId('change-words').count()) === 0) {
      expect(Date.now() < deadline, 'the progress view never showed the comparison');
      await page.waitForTimeout(1000);
      await page.reload();
      await page.getByRole('heading', { name: 'Progress', level: 1 }).waitFor();
    }
    const words = await page.getByTestId('change-words').innerText();
    expect(/\d+ % less volume, (beyond|within) measurement noise/.test(words), `the change in words reads: ${words}`);
    expect((await page.locator('.chart canvas').count()) >= 3, 'the three progress charts are not drawn');
    const picture = page.getByRole('img', { name: /Baseline, latest follow-up and the map of their difference/ });
    await picture.waitFor({ state: 'attached' });
    // The difference map is drawn by the server on first request: wait until it has loaded.
    await page.waitForFunction(
      () => {
        const image = document.querySelector('.comparison-figure img');
        return image instanceof HTMLImageElement && image.complete && image.naturalWidth > 0;
      },
      undefined,
      { timeout: LONG },
    );
    await accessible(page, 'the progress view');
    await screenshot(page, 'progress');
  });

  await step('manual mode: a photograph marked by hand (mouse and keyboard) gives clinician-estimate grades and a plan', async () => {
    await page.getByRole('link', { name: 'Back to the patient' }).click();
    await addVisit('2026-04-21', 'forehead');
    const visit = page.locator('article.visit').filter({ has: page.getByRole('heading', { name: /2026-04-21/ }) });
    await visit.getByRole('link', { name: 'Manual mode (photograph)' }).click();
    await page.getByRole('heading', { name: /Manual mode/, level: 1 }).waitFor();
    await page.getByLabel(/Photograph of the treated region/).setInputFiles(files.photo);
    const photo = page.getByRole('application', { name: /Photograph to mark scars on/ });
    await photo.waitFor();
    // A ruler: 10 mm between two points.
    await page.getByLabel('Known distance (mm)').fill('10');
    await page.getByRole('button', { name: 'Mark the known distance' }).click();
    const box = await photo.boundingBox();
    if (!box) throw new Error('the photograph is not on the page');
    await page.mouse.click(box.x + box.width * 0.1, box.y + box.height * 0.9);
    await page.mouse.click(box.x + box.width * 0.1 + box.width * 0.5, box.y + box.height * 0.9);
    await page.getByText('Scale set.').waitFor();
    // A mark with the mouse...
    await page.mouse.click(box.x + box.width * 0.3, box.y + box.height * 0.3);
    let editor = page.locator('fieldset.mark-editor').filter({ hasText: 'Mark 1' });
    await editor.getByLabel('Type', { exact: true }).selectOption('ice_pick');
    await editor.getByLabel('Approximate diameter (mm)').fill('1.2');
    await editor.getByLabel('Depth class').selectOption('deep');
    await editor.getByLabel('Stretch test').selectOption('no');
    // ... and one with the keyboard only.
    await photo.focus();
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+ArrowRight');
    await page.keyboard.press('Enter');
    editor = page.locator('fieldset.mark-editor').filter({ hasText: 'Mark 2' });
    await editor.getByLabel('Type', { exact: true }).selectOption('rolling');
    await editor.getByLabel('Approximate diameter (mm)').fill('5');
    await editor.getByLabel('Depth class').selectOption('shallow');
    await editor.getByLabel('Stretch test').selectOption('yes');
    await page.getByRole('button', { name: 'Save marks and grade' }).click();
    await page.getByText('Marks saved; the grades below come from them.').waitFor({ timeout: LONG });
    await page.getByRole('heading', { name: 'Grades' }).waitFor();
    const labels = await page.getByText('clinician estimate from photograph, not a measurement').count();
    expect(labels >= 2, 'the grades are not labelled a clinician estimate from a photograph');
    await accessible(page, 'manual mode');
    await screenshot(page, 'manual');
    await page.getByRole('button', { name: 'Propose a plan from the marks' }).click();
    await page.getByRole('heading', { name: 'Treatment plan', level: 1 }).waitFor({ timeout: LONG });
    await page.getByText('Clinician estimate from photograph, not a measurement').first().waitFor();
    await page.getByText('Proposal: not accepted yet.').waitFor();
    await accessible(page, 'the plan from manual marks');
  });

  await step('manual mode at a follow-up: a later photograph of the region compared by count and type', async () => {
    await page.getByRole('link', { name: 'Back to the patient' }).click();
    await addVisit('2026-06-01', 'forehead');
    const visit = page.locator('article.visit').filter({ has: page.getByRole('heading', { name: /2026-06-01/ }) });
    await visit.getByRole('link', { name: 'Manual mode (photograph)' }).click();
    await page.getByLabel(/Photograph of the treated region/).setInputFiles(files.followupPhoto);
    await page.getByRole('application', { name: /Photograph to mark scars on/ }).waitFor();
    await page.getByRole('button', { name: 'Add a mark at the centre' }).click();
    const editor = page.locator('fieldset.mark-editor').filter({ hasText: 'Mark 1' });
    await editor.getByLabel('Type', { exact: true }).selectOption('rolling');
    await page.getByRole('button', { name: 'Save marks and grade' }).click();
    const table = page.locator('section[aria-labelledby="manual-compare-title"]');
    await table.waitFor({ timeout: LONG });
    const row = async (/** @type {string} */ type) => (await table.getByRole('row', { name: new RegExp(`^${type}`) }).innerText()).split(/\s+/).slice(-3);
    const icePick = await row('ice pick');
    const rolling = await row('rolling');
    expect(icePick.join(' ') === '1 0 -1', `ice pick counts first/now/change: ${icePick}`);
    expect(rolling.join(' ') === '1 1 0', `rolling counts first/now/change: ${rolling}`);
    await accessible(page, 'manual mode with the comparison');
  });

  await step('a 768 px tablet: the patient page fits without sideways scrolling', async () => {
    await page.setViewportSize({ width: 768, height: 1024 });
    await page.goto(planUrl);
    await page.getByRole('link', { name: 'Back to the patient' }).click();
    await page.getByRole('heading', { name: patientName, level: 1 }).waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow <= 0, `the page is ${overflow} px wider than a 768 px tablet`);
    await screenshot(page, 'patient-tablet');
    await page.setViewportSize({ width: 1280, height: 900 });
  });

  await step('log out: back to the login page, and the API no longer answers the old session', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    const status = await page.evaluate(async () => (await fetch('/api/v1/me')).status);
    expect(status === 401, `GET /me after logout answered ${status}`);
  });

  await step('no request left the origin; no script error on any page', async () => {
    expect(foreignRequests.length === 0, `requests outside ${origin}:\n${foreignRequests.join('\n')}`);
    expect(pageErrors.length === 0, `errors in the page:\n${pageErrors.join('\n')}`);
  });
} catch {
  // The failing step has printed why; the summary follows.
} finally {
  await browserHandle?.close();
  if (server) {
    const log = /** @type {import('./server.mjs').Server} */ (server).log();
    writeFileSync(path.join(out, 'server.log'), log);
    await /** @type {import('./server.mjs').Server} */ (server).stop();
  }
  rmSync(work, { recursive: true, force: true });
}

const failed = results.filter((result) => !result.ok).length;
writeFileSync(path.join(out, 'results.json'), JSON.stringify(results, null, 2));
console.log(`screenshots and the server's log: ${out}`);
console.log(`${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
