// Drives the dashboard of a running `telemetry serve` in headless Chromium.
// Started by tests/integration/test_dashboard_browser.py, which makes the
// data and the servers; this script only looks and clicks.
//
//   node dashboard.js
// Environment: BASE_URL (a serve without auth), AUTH_URL and AUTH_TOKEN (a
// serve with auth on), CHROMIUM (path), SHOTS (folder for the screenshots).
// Prints one JSON report on stdout and exits 1 when any check failed.
'use strict';

const fs = require('fs');
const os = require('os');
const path = require('path');
const puppeteer = require('puppeteer-core');

const BASE_URL = required('BASE_URL');
const AUTH_URL = required('AUTH_URL');
const AUTH_TOKEN = required('AUTH_TOKEN');
const CHROMIUM = required('CHROMIUM');
const SHOTS = required('SHOTS');

function required(name) {
  const value = process.env[name];
  if (!value) {
    console.error(`dashboard.js: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const checks = [];   // {name, ok, detail}
function check(name, ok, detail) {
  checks.push({name, ok: Boolean(ok), detail: detail === undefined ? '' : detail});
}

// Everything the page does over the network and in its console, per page.
function watch(page, origin) {
  const seen = {requests: [], foreign: [], failed: [], errorStatus: [], console: [], pageErrors: []};
  page.on('request', (request) => {
    const url = request.url();
    seen.requests.push(url);
    if (!url.startsWith('data:') && new URL(url).origin !== origin) seen.foreign.push(url);
  });
  page.on('requestfailed', (request) => seen.failed.push(request.url() + ' ' + (request.failure() || {}).errorText));
  page.on('response', (response) => {
    if (response.status() >= 400) seen.errorStatus.push(response.status() + ' ' + response.url());
  });
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') seen.console.push(message.type() + ': ' + message.text());
  });
  page.on('pageerror', (error) => seen.pageErrors.push(String(error)));
  return seen;
}

// Waits until the view `name` has finished rendering (app.js marks <main>).
async function rendered(page, name, after) {
  await page.waitForFunction((view, previous) => {
    const main = document.getElementById('main');
    return main.dataset.view === view && main.getAttribute('aria-busy') === 'false' &&
      Number(main.dataset.rendered || 0) > previous;
  }, {timeout: 20000}, name, after);
  return page.$eval('#main', (main) => Number(main.dataset.rendered));
}

async function renderCount(page) {
  return page.$eval('#main', (main) => Number(main.dataset.rendered || 0));
}

async function shot(page, name, fullPage = true) {
  await page.screenshot({path: path.join(SHOTS, name + '.png'), fullPage});
}

async function rowStatuses(page) {
  return page.$$eval('table.runs tbody tr', (rows) => rows.map((row) => row.querySelector('.status').textContent
    .replace(/^\W+/, '').trim()));
}

// Pixels of a canvas that are not fully transparent.
async function paintedPixels(page, selector) {
  return page.$$eval(selector, (canvases) => canvases.map((canvas) => {
    const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let painted = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] !== 0) painted += 1;
    return painted;
  }));
}

// A fresh document for each view (a new query string), so the render counter
// starts again and nothing of the previous view is waited on by mistake.
let loads = 0;
async function openView(page, url, name) {
  const [base, hash] = url.split('#');
  loads += 1;
  await page.goto(base.replace(/\/$/, '') + '/?load=' + loads + '#' + hash, {waitUntil: 'load'});
  return rendered(page, name, 0);
}

async function withoutAuth(browser) {
  const origin = new URL(BASE_URL).origin;
  const page = await browser.newPage();
  await page.setViewport({width: 1280, height: 800});
  const seen = watch(page, origin);

  // Runs: the newest page, then filters.
  let count = await openView(page, BASE_URL + '#/runs?range=7d', 'runs');
  const all = await rowStatuses(page);
  check('runs view lists a full page of runs', all.length === 50, all.length);
  const starts = await page.$$eval('table.runs tbody tr td:nth-child(2)', (cells) => cells.map((c) => c.textContent));
  check('runs are newest first (recorded time)', starts.every((s, i) => i === 0 || starts[i - 1] >= s), starts.slice(0, 3));
  await shot(page, 'runs');

  await page.select('#filter-status', 'failure');
  count = await rendered(page, 'runs', count);
  const failures = await rowStatuses(page);
  check('status filter shows only that status', failures.length > 0 && failures.every((s) => s === 'failure'),
        failures.slice(0, 5));
  check('status filter changes the rows', failures.length !== all.length || failures.join() !== all.join());

  await page.select('#filter-agent', 'link-checker');
  count = await rendered(page, 'runs', count);
  const agents = await page.$$eval('table.runs tbody tr td:nth-child(3)', (cells) => cells.map((c) => c.textContent));
  check('agent filter keeps the status filter and narrows to the agent',
        agents.length > 0 && agents.every((a) => a === 'link-checker'), agents.slice(0, 5));
  await shot(page, 'runs-filtered');

  // The search field on a run id, from a clean filter set: q matches the start of an id.
  count = await openView(page, BASE_URL + '#/runs?range=all', 'runs');
  const label = await page.$eval('label[for=filter-q]', (l) => l.textContent);
  check('the search field says what it matches', label === 'run_id or event_id starts with', label);
  const runId = await page.$eval('table.runs tbody tr td:nth-child(5)', (cell) => cell.textContent);
  const start = runId.slice(0, runId.length - 2);  // run-<agent>-<number>: all but its last two digits
  await page.type('#filter-q', start);
  await page.click('form.filters button[type=submit]');
  count = await rendered(page, 'runs', count);
  const found = await page.$$eval('table.runs tbody tr td:nth-child(5)', (cells) => cells.map((c) => c.textContent));
  check('the first characters of a run_id find that run and only runs starting with them',
        found.includes(runId) && found.every((id) => id.startsWith(start)), found);
  const middle = runId.slice(4);  // <agent>-<number>: inside every such run_id, at the start of none
  await page.$eval('#filter-q', (input) => { input.value = ''; });
  await page.type('#filter-q', middle);
  await page.click('form.filters button[type=submit]');
  count = await rendered(page, 'runs', count);
  const none = await page.$$eval('table.runs tbody tr', (rows) => rows.length);
  const empty = await page.$eval('#main', (main) => (main.querySelector('.notice.empty') || {}).textContent || '');
  check('the middle of a run_id matches nothing', none === 0 && empty === 'No run matches these filters.',
        {none, empty});

  // Paging.
  count = await openView(page, BASE_URL + '#/runs?range=all', 'runs');
  const firstPage = await page.$$eval('table.runs tbody tr td:nth-child(6)', (c) => c.map((x) => x.textContent));
  await page.click('.pager button:last-child');
  count = await rendered(page, 'runs', count);
  const secondPage = await page.$$eval('table.runs tbody tr td:nth-child(6)', (c) => c.map((x) => x.textContent));
  check('Older shows the next page', secondPage.length > 0 && !secondPage.some((id) => firstPage.includes(id)),
        secondPage.length);

  // A failed run's detail.
  count = await openView(page, BASE_URL + '#/runs?range=all&status=failure', 'runs');
  const eventId = await page.$eval('table.runs tbody tr td:nth-child(6) a', (a) => a.textContent);
  await page.click('table.runs tbody tr td:nth-child(6) a');
  count = await rendered(page, 'run', count);
  const detail = await page.evaluate(() => ({
    title: document.querySelector('main h2').textContent,
    fields: [...document.querySelectorAll('dl.fields dt')].map((dt) => dt.textContent),
    error: (document.querySelector('.error-summary') || {}).textContent || '',
    metrics: document.querySelectorAll('pre.json')[0].textContent,
    commit: (document.querySelector('.links a[href^="https://"]') || {}).href || '',
  }));
  check('run detail opens for the clicked run', detail.title.includes(eventId), detail.title);
  check('run detail shows every field', ['event_id', 'run_id', 'agent_name', 'status', 'start_time', 'duration_ms',
        'git_commit_hash', 'error_details', 'parent_run_id', 'commit_url', 'repo_url']
        .every((f) => detail.fields.includes(f)) && detail.fields.length >= 47, detail.fields.length);
  check('run detail shows the error text', detail.error.length > 0, detail.error);
  let metricsOk = false;
  try {
    metricsOk = typeof JSON.parse(detail.metrics) === 'object' && detail.metrics.includes('\n  ');
  } catch (error) {
    metricsOk = false;
  }
  check('metrics JSON is pretty-printed', metricsOk, detail.metrics.slice(0, 60));
  check('commit link comes from commit-url', detail.commit.startsWith('https://github.com/example/'), detail.commit);
  await shot(page, 'run-detail');

  // Agents.
  count = await openView(page, BASE_URL + '#/agents?range=7d', 'agents');
  const agentRows = await page.$$eval('table.agents tbody tr', (rows) => rows.map((row) => ({
    name: row.querySelector('th').textContent,
    failures: Number(row.children[2].textContent.replace(/\D/g, '')),
    rects: row.querySelectorAll('svg.spark rect').length,
  })));
  check('agents view lists the agents', agentRows.length === 5, agentRows.map((r) => r.name));
  check('agents are sorted by most failures',
        agentRows.every((r, i) => i === 0 || agentRows[i - 1].failures >= r.failures), agentRows.map((r) => r.failures));
  check('every agent has a drawn sparkline', agentRows.every((r) => r.rects > 0), agentRows.map((r) => r.rects));
  await shot(page, 'agents');

  // Trends.
  count = await openView(page, BASE_URL + '#/trends?range=7d', 'trends');
  const painted = await paintedPixels(page, '.chart canvas');
  check('trends draws two charts', painted.length === 2, painted.length);
  check('both charts are painted', painted.length === 2 && painted.every((n) => n > 500), painted);
  await page.select('#filter-agent', 'reporter');
  count = await rendered(page, 'trends', count);
  const reporterRows = await page.$$eval('.trend-table tbody tr', (rows) => rows.map((row) =>
    Number(row.children[4].textContent)));  // the failure column
  check('trends agent filter applies', reporterRows.length > 0 && reporterRows.every((n) => n === 0), reporterRows);
  count = await openView(page, BASE_URL + '#/trends?range=7d', 'trends');
  await shot(page, 'trends');

  // Health.
  count = await openView(page, BASE_URL + '#/health', 'health');
  const health = await page.evaluate(() => ({
    terms: [...document.querySelectorAll('dl.facts dt')].map((dt) => dt.textContent),
    requests: document.querySelectorAll('table.requests tbody tr').length,
  }));
  check('health shows writer, size, journal mode, backup, queue',
        ['Writer', 'Size', 'Journal mode', 'Queue depth'].every((t) => health.terms.includes(t)) &&
        (health.terms.includes('Backups') || health.terms.includes('Age')), health.terms);
  check('health lists request counters', health.requests > 3, health.requests);
  await shot(page, 'health');

  // Dark scheme and phone width.
  await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'dark'}]);
  count = await openView(page, BASE_URL + '#/trends?range=7d', 'trends');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  check('dark scheme follows the system preference', background === 'rgb(21, 25, 29)', background);
  await shot(page, 'trends-dark');
  count = await openView(page, BASE_URL + '#/runs?range=7d', 'runs');
  await shot(page, 'runs-dark');
  await page.emulateMediaFeatures([{name: 'prefers-color-scheme', value: 'light'}]);
  await page.setViewport({width: 390, height: 844, isMobile: true, hasTouch: true, deviceScaleFactor: 1});
  count = await openView(page, BASE_URL + '#/runs?range=7d', 'runs');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  check('phone width: the page itself does not scroll sideways', overflow <= 0, overflow);
  await shot(page, 'runs-phone', false);
  count = await openView(page, BASE_URL + '#/trends?range=7d', 'trends');
  const phoneCharts = await paintedPixels(page, '.chart canvas');
  check('phone width: the charts are drawn', phoneCharts.length === 2 && phoneCharts.every((n) => n > 500),
        phoneCharts);
  await shot(page, 'trends-phone', false);

  check('no console error or warning (auth off)', seen.console.length === 0, seen.console);
  check('no page error (auth off)', seen.pageErrors.length === 0, seen.pageErrors);
  check('no failed request (auth off)', seen.failed.length === 0, seen.failed);
  check('no error status (auth off)', seen.errorStatus.length === 0, seen.errorStatus);
  check('no request to another host (auth off)', seen.foreign.length === 0, seen.foreign);
  check('requests were seen', seen.requests.length > 20, seen.requests.length);
  await page.close();
  return seen;
}

async function withAuth(browser) {
  const origin = new URL(AUTH_URL).origin;
  const page = await browser.newPage();
  await page.setViewport({width: 1280, height: 800});
  const seen = watch(page, origin);
  await page.goto(AUTH_URL + '/#/runs', {waitUntil: 'load'});
  await page.waitForSelector('#token-form:not([hidden])', {timeout: 20000});
  const asked = await page.evaluate(() => ({
    form: !document.getElementById('token-form').hidden,
    rows: document.querySelectorAll('table.runs tbody tr').length,
  }));
  check('auth on: the page asks for the token', asked.form && asked.rows === 0, asked);
  await shot(page, 'token');

  await page.type('#token-input', 'not-the-token');
  await page.click('#token-form button[type=submit]');
  await page.waitForFunction(() => !document.getElementById('token-form').hidden &&
    !document.getElementById('token-error').hidden, {timeout: 20000});
  const refused = await page.$eval('#token-error', (p) => p.textContent);
  check('auth on: a wrong token is refused with the service\'s reason', refused.includes('Invalid authentication token'),
        refused);

  const before = await renderCount(page);
  await page.type('#token-input', AUTH_TOKEN);
  await page.click('#token-form button[type=submit]');
  await rendered(page, 'runs', before);
  const rows = await page.$$eval('table.runs tbody tr', (r) => r.length);
  check('auth on: with the token the runs appear', rows > 0, rows);
  const stored = await page.evaluate(() => sessionStorage.getItem('telemetry.token'));
  check('auth on: the token is kept in sessionStorage', stored === AUTH_TOKEN);

  // Kept for the tab: a reload and the other views need no new prompt.
  await page.reload({waitUntil: 'load'});
  await rendered(page, 'runs', 0);
  const formHidden = await page.$eval('#token-form', (f) => f.hidden);
  check('auth on: after a reload the token is not asked again', formHidden);
  for (const view of ['agents', 'trends', 'health']) {
    const n = await renderCount(page);
    await page.evaluate((v) => { location.hash = '#/' + v; }, view);
    await rendered(page, view, n);
  }
  const healthShown = await page.$$eval('dl.facts dt', (dts) => dts.length);
  check('auth on: the data views load with the token', healthShown > 5, healthShown);

  // Only the requests made before a valid token was given may be refused.
  const unexpected = seen.errorStatus.filter((line) => !line.startsWith('401 ' + origin + '/api/v1/'));
  check('auth on: only API requests without the token were refused (401)', unexpected.length === 0 &&
        seen.errorStatus.length > 0, seen.errorStatus);
  const consoleOther = seen.console.filter((line) => !/status of 401/.test(line));
  check('auth on: no console error besides those 401s', consoleOther.length === 0, consoleOther);
  check('no page error (auth on)', seen.pageErrors.length === 0, seen.pageErrors);
  check('no failed request (auth on)', seen.failed.length === 0, seen.failed);
  check('no request to another host (auth on)', seen.foreign.length === 0, seen.foreign);
  await page.close();
}

async function main() {
  fs.mkdirSync(SHOTS, {recursive: true});
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'telemetry-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync',
           '--disable-dev-shm-usage', '--font-render-hinting=none'],
  });
  let failure = null;
  try {
    await withoutAuth(browser);
    await withAuth(browser);
  } catch (error) {
    failure = String(error && error.stack || error);
  } finally {
    await browser.close();
    fs.rmSync(profile, {recursive: true, force: true});
  }
  const failed = checks.filter((c) => !c.ok);
  process.stdout.write(JSON.stringify({checks, failure}, null, 1) + '\n');
  process.exit(failure || failed.length ? 1 : 0);
}

main();
