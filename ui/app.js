// The dashboard of `telemetry serve` (docs/dashboard.md). A client of the
// public API only: every figure comes from a documented route. No framework;
// the DOM is built with h() and never from HTML strings, so stored text is
// always shown as text.
(function () {
  'use strict';

  const TOKEN_KEY = 'telemetry.token';
  const PAGE_SIZE = 50;
  const RANGES = [['1h', 'Last hour'], ['24h', 'Last 24 hours'], ['7d', 'Last 7 days'], ['30d', 'Last 30 days'],
                  ['all', 'All time']];
  const STATS_RANGES = RANGES.filter(([value]) => value !== 'all' && value !== '1h');
  const STATUSES = ['running', 'success', 'failure', 'partial', 'timeout', 'cancelled'];
  // Shape and word for each status, so nothing depends on colour alone.
  const STATUS_MARK = {running: '▶', success: '✓', failure: '✗', partial: '◐', timeout: '⌛', cancelled: '⊘'};

  const main = document.getElementById('main');
  const tokenForm = document.getElementById('token-form');
  const tokenInput = document.getElementById('token-input');
  const tokenError = document.getElementById('token-error');
  const forgetButton = document.getElementById('forget-token');
  let charts = [];  // uPlot instances of the current view, resized with the window

  // --- DOM helpers --------------------------------------------------------------------------

  function h(tag, attrs, ...children) {
    const element = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith('on')) element.addEventListener(key.slice(2), value);
      else if (key === 'text') element.textContent = value;
      else element.setAttribute(key, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return element;
  }

  function svg(tag, attrs) {
    const element = document.createElementNS('http://www.w3.org/2000/svg', tag);
    for (const [key, value] of Object.entries(attrs || {})) element.setAttribute(key, String(value));
    return element;
  }

  function statusBadge(status) {
    const known = STATUSES.includes(status);
    return h('span', {class: 'status status-' + (known ? status : 'other')},
             h('span', {class: 'mark', 'aria-hidden': 'true'}, known ? STATUS_MARK[status] : '?'), ' ', status);
  }

  function formatTime(text) {
    if (!text) return '—';
    const date = new Date(text);
    if (Number.isNaN(date.getTime())) return text;
    return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');
  }

  function formatDuration(ms) {
    if (ms === null || ms === undefined) return '—';
    if (ms < 1000) return ms + ' ms';
    const seconds = ms / 1000;
    if (seconds < 60) return seconds.toFixed(1) + ' s';
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return minutes + ' min ' + Math.round(seconds % 60) + ' s';
    return Math.floor(minutes / 60) + ' h ' + (minutes % 60) + ' min';
  }

  function formatAge(seconds) {
    if (seconds === null || seconds === undefined) return '—';
    if (seconds < 90) return seconds + ' s';
    if (seconds < 5400) return Math.round(seconds / 60) + ' min';
    if (seconds < 172800) return (seconds / 3600).toFixed(1) + ' h';
    return (seconds / 86400).toFixed(1) + ' days';
  }

  function formatBytes(bytes) {
    const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit += 1;
    }
    return (unit === 0 ? value : value.toFixed(1)) + ' ' + units[unit];
  }

  function formatPercent(rate) {
    return rate === null || rate === undefined ? '—' : (rate * 100).toFixed(1) + ' %';
  }

  // Only web links are made clickable: a stored value is never a javascript: URL.
  function webLink(url, label) {
    if (typeof url !== 'string' || !/^https?:\/\//.test(url)) return h('span', {}, url === null ? '—' : String(url));
    return h('a', {href: url, rel: 'noopener noreferrer', target: '_blank'}, label || url);
  }

  // Each cell carries its column's title, which the phone layout shows
  // beside the value when a row becomes a card.
  function labelCells(table) {
    const titles = [...table.querySelectorAll('thead th')].map((th) => th.textContent);
    for (const row of table.querySelectorAll('tbody tr')) {
      [...row.children].forEach((cell, i) => cell.setAttribute('data-label', titles[i] || ''));
    }
  }

  function tableWrap(table) {
    return h('div', {class: 'table-wrap', tabindex: '0', role: 'region', 'aria-label': table.dataset.label || ''},
             table);
  }

  // --- the API --------------------------------------------------------------------------------

  class AuthNeeded extends Error {}

  function token() {
    return sessionStorage.getItem(TOKEN_KEY);
  }

  async function api(path, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params || {})) {
      if (value !== '' && value !== null && value !== undefined) query.set(key, value);
    }
    const url = path + (query.toString() ? '?' + query : '');
    const headers = {Accept: 'application/json'};
    if (token()) headers.Authorization = 'Bearer ' + token();
    const response = await fetch(url, {headers, cache: 'no-store'});
    if (response.status === 401) throw new AuthNeeded(await detailOf(response));
    if (!response.ok) throw new Error(url.split('?')[0] + ': ' + response.status + ' ' + (await detailOf(response)));
    return response.json();
  }

  async function detailOf(response) {
    try {
      const body = await response.json();
      return typeof body.detail === 'string' ? body.detail : JSON.stringify(body.detail);
    } catch (error) {
      return response.statusText;
    }
  }

  function askForToken(message) {
    tokenForm.hidden = false;
    tokenError.hidden = !message;
    tokenError.textContent = message || '';
    main.replaceChildren(h('p', {class: 'notice'}, 'Enter the API token above to see the data.'));
    tokenInput.focus();
  }

  tokenForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const value = tokenInput.value.trim();
    if (!value) return;
    sessionStorage.setItem(TOKEN_KEY, value);
    tokenInput.value = '';
    tokenForm.hidden = true;
    render();
  });

  forgetButton.addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    render();
  });

  // --- routing: #/view?key=value ------------------------------------------------------------

  function currentRoute() {
    const hash = location.hash.replace(/^#/, '') || '/runs';
    const [path, query] = hash.split('?');
    const parts = path.split('/').filter(Boolean);
    return {view: parts[0] || 'runs', arg: parts.slice(1).map(decodeURIComponent).join('/'),
            params: new URLSearchParams(query || '')};
  }

  function go(view, params) {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
    const target = '#/' + view + (query.toString() ? '?' + query : '');
    if (location.hash === target) render();
    else location.hash = target;
  }

  const VIEWS = {runs: viewRuns, run: viewRun, agents: viewAgents, trends: viewTrends, health: viewHealth};
  let renderCount = 0;

  async function render() {
    const route = currentRoute();
    const view = VIEWS[route.view] || viewRuns;
    const navView = route.view === 'run' ? 'runs' : route.view;
    for (const link of document.querySelectorAll('nav a')) {
      if (link.dataset.view === navView) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    forgetButton.hidden = !token();
    for (const chart of charts) chart.destroy();
    charts = [];
    const mine = ++renderCount;
    main.setAttribute('aria-busy', 'true');
    main.replaceChildren(h('p', {class: 'notice'}, 'Loading…'));
    try {
      const content = await view(route);
      if (mine !== renderCount) return;  // a newer view started meanwhile
      tokenForm.hidden = true;
      main.replaceChildren(content);
      for (const draw of pendingCharts.splice(0)) draw();
      document.title = 'Telemetry · ' + (main.querySelector('h2') || {textContent: ''}).textContent;
    } catch (error) {
      if (mine !== renderCount) return;
      if (error instanceof AuthNeeded) {
        const hadToken = Boolean(token());
        sessionStorage.removeItem(TOKEN_KEY);
        forgetButton.hidden = true;
        askForToken(hadToken ? 'The service refused that token: ' + error.message : '');
      } else {
        main.replaceChildren(h('p', {class: 'error', role: 'alert'}, 'Could not load this view: ' + error.message));
      }
    } finally {
      if (mine === renderCount) main.setAttribute('aria-busy', 'false');
      main.dataset.view = route.view;
      main.dataset.rendered = String(mine);
    }
  }

  window.addEventListener('hashchange', render);
  window.addEventListener('resize', () => {
    for (const chart of charts) chart.setSize(chartSize(chart.root.parentElement));
  });

  // --- shared filter controls -----------------------------------------------------------------

  function select(name, label, options, value) {
    const id = 'filter-' + name;
    return h('div', {class: 'field'},
             h('label', {for: id}, label),
             h('select', {id, name},
               options.map(([optionValue, text]) =>
                 h('option', {value: optionValue, selected: optionValue === value}, text))));
  }

  function formValues(form) {
    const values = {};
    for (const [key, value] of new FormData(form).entries()) values[key] = String(value).trim();
    return values;
  }

  function sinceTimestamp(range) {
    const match = /^(\d+)([hd])$/.exec(range || '');
    if (!match) return '';
    const hours = Number(match[1]) * (match[2] === 'd' ? 24 : 1);
    return new Date(Date.now() - hours * 3600 * 1000).toISOString();
  }

  async function metadata() {
    return api('/api/v1/metadata');
  }

  // --- Runs -----------------------------------------------------------------------------------

  async function viewRuns(route) {
    const p = route.params;
    const filters = {agent: p.get('agent') || '', job: p.get('job') || '', status: p.get('status') || '',
                     range: p.has('range') ? p.get('range') : '24h', q: p.get('q') || ''};
    const page = Math.max(0, Number.parseInt(p.get('page') || '0', 10) || 0);
    const [meta, rows] = await Promise.all([
      metadata(),
      api('/api/v1/runs', {agent_name: filters.agent, job_type: filters.job, status: filters.status,
                           start_time_from: sinceTimestamp(filters.range), q: filters.q,
                           limit: PAGE_SIZE + 1, offset: page * PAGE_SIZE}),
    ]);
    const more = rows.length > PAGE_SIZE;
    const shown = rows.slice(0, PAGE_SIZE);

    const form = h('form', {class: 'filters', role: 'search', 'aria-label': 'Filter runs'},
      select('agent', 'Agent', [['', 'Any agent']].concat(meta.agent_names.map((a) => [a, a])), filters.agent),
      select('job', 'Job type', [['', 'Any job type']].concat(meta.job_types.map((j) => [j, j])), filters.job),
      select('status', 'Status', [['', 'Any status']].concat(STATUSES.map((s) => [s, s])), filters.status),
      select('range', 'Started', RANGES, filters.range),
      h('div', {class: 'field grow'},
        h('label', {for: 'filter-q'}, 'run_id or event_id starts with'),
        h('input', {id: 'filter-q', name: 'q', type: 'search', value: filters.q, autocomplete: 'off',
                    placeholder: 'an id or its first characters'})),
      h('div', {class: 'field actions'}, h('button', {type: 'submit'}, 'Apply')));
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      go('runs', formValues(form));
    });
    for (const control of form.querySelectorAll('select')) {
      control.addEventListener('change', () => form.requestSubmit());
    }

    const table = h('table', {class: 'runs', 'data-label': 'Runs'},
      h('caption', {class: 'visually-hidden'}, 'Runs, newest first'),
      h('thead', {}, h('tr', {},
        ['Status', 'Recorded (UTC)', 'Agent', 'Job type', 'Run id', 'Event id', 'Duration', 'Items ok / failed']
          .map((title) => h('th', {scope: 'col'}, title)))),
      h('tbody', {}, shown.map((run) => h('tr', {},
        h('td', {}, statusBadge(run.status)),
        h('td', {class: 'nowrap'}, formatTime(run.created_at)),
        h('td', {}, run.agent_name),
        h('td', {}, run.job_type),
        h('td', {class: 'id'}, run.run_id),
        h('td', {class: 'id'}, h('a', {href: '#/run/' + encodeURIComponent(run.event_id)}, run.event_id)),
        h('td', {class: 'num'}, run.status === 'running' ? '—' : formatDuration(run.duration_ms)),
        h('td', {class: 'num'}, (run.items_succeeded ?? 0) + ' / ' + (run.items_failed ?? 0))))));
    labelCells(table);

    const pageParams = (n) => Object.assign({}, filters, {page: n ? String(n) : ''});
    const first = page * PAGE_SIZE + 1;
    const pager = h('nav', {class: 'pager', 'aria-label': 'Pages'},
      h('button', {type: 'button', disabled: page === 0, onclick: () => go('runs', pageParams(page - 1))}, '← Newer'),
      h('span', {class: 'count'}, shown.length ? `Runs ${first}–${first + shown.length - 1}` : 'No runs'),
      h('button', {type: 'button', disabled: !more, onclick: () => go('runs', pageParams(page + 1))}, 'Older →'));

    return h('section', {},
      h('h2', {}, 'Runs'),
      form,
      shown.length ? tableWrap(table) : h('p', {class: 'notice empty'}, 'No run matches these filters.'),
      pager);
  }

  // --- Run detail -----------------------------------------------------------------------------

  async function viewRun(route) {
    const id = route.arg;
    const base = '/api/v1/runs/' + encodeURIComponent(id);
    let run;
    try {
      run = await api(base);
    } catch (error) {
      if (error instanceof AuthNeeded) throw error;
      return h('section', {}, h('h2', {}, 'Run ' + id), h('p', {class: 'error', role: 'alert'}, error.message),
               h('p', {}, h('a', {href: '#/runs'}, '← All runs')));
    }
    const [commit, repo] = await Promise.all([api(base + '/commit-url'), api(base + '/repo-url')]);
    const json = (value) => h('pre', {class: 'json'}, value === null || value === undefined
      ? '—' : JSON.stringify(value, null, 2));
    const error = run.error_summary || run.error_details
      ? h('section', {class: 'panel error-panel', 'aria-labelledby': 'error-title'},
          h('h3', {id: 'error-title'}, 'Error'),
          run.error_summary ? h('p', {class: 'error-summary'}, run.error_summary) : null,
          run.error_details ? h('pre', {class: 'error-details'}, run.error_details) : null)
      : null;
    const skip = new Set(['metrics_json', 'context_json']);
    const fields = h('dl', {class: 'fields'}, Object.entries(run).filter(([key]) => !skip.has(key)).flatMap(
      ([key, value]) => [h('dt', {}, key), h('dd', {}, key === 'status' ? statusBadge(value)
        : key.endsWith('_url') ? webLink(value) : value === null ? '—' : String(value))]));
    return h('section', {class: 'detail'},
      h('p', {}, h('a', {href: '#/runs'}, '← All runs')),
      h('h2', {}, 'Run ', h('span', {class: 'id'}, run.event_id)),
      h('p', {class: 'summary'}, statusBadge(run.status), ' ', run.agent_name, ' · ', run.job_type, ' · started ',
        formatTime(run.start_time), ' · ', formatDuration(run.duration_ms)),
      error,
      h('section', {class: 'panel'}, h('h3', {}, 'Links'),
        h('ul', {class: 'links'},
          h('li', {}, 'Commit: ', webLink(commit.commit_url)),
          h('li', {}, 'Repository: ', webLink(repo.repo_url)),
          h('li', {}, h('a', {href: '#/runs?' + new URLSearchParams({agent: run.agent_name, range: 'all'})},
            'Other runs of ' + run.agent_name)))),
      h('section', {class: 'panel'}, h('h3', {}, 'Metrics'), json(run.metrics_json)),
      h('section', {class: 'panel'}, h('h3', {}, 'Context'), json(run.context_json)),
      h('section', {class: 'panel'}, h('h3', {}, 'All fields'), fields));
  }

  // --- Agents ---------------------------------------------------------------------------------

  function sparkline(runs, failures, label) {
    const width = 160;
    const height = 32;
    const peak = Math.max(1, ...runs);
    const step = width / Math.max(1, runs.length);
    const root = svg('svg', {viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', class: 'spark',
                             'aria-label': label});
    runs.forEach((value, i) => {
      if (!value) return;
      const barHeight = Math.max(1, (value / peak) * height);
      root.append(svg('rect', {x: i * step, y: height - barHeight, width: Math.max(1, step - 1), height: barHeight,
                               class: 'spark-runs'}));
      const failed = failures[i];
      if (failed) {
        const failedHeight = Math.max(1, (failed / peak) * height);
        root.append(svg('rect', {x: i * step, y: height - failedHeight, width: Math.max(1, step - 1),
                                 height: failedHeight, class: 'spark-failures'}));
      }
    });
    return root;
  }

  async function viewAgents(route) {
    const range = route.params.get('range') || '24h';
    const job = route.params.get('job') || '';
    const [meta, stats] = await Promise.all([metadata(), api('/api/v1/stats/agents', {since: range, job_type: job})]);
    const form = h('form', {class: 'filters', 'aria-label': 'Agents range'},
      select('range', 'Started', STATS_RANGES, range),
      select('job', 'Job type', [['', 'Any job type']].concat(meta.job_types.map((j) => [j, j])), job));
    for (const control of form.querySelectorAll('select')) {
      control.addEventListener('change', () => go('agents', formValues(form)));
    }
    const per = stats.bucket === 'hour' ? 'hour' : 'day';
    const table = h('table', {class: 'agents', 'data-label': 'Agents'},
      h('caption', {class: 'visually-hidden'}, 'Agents, most failures first'),
      h('thead', {}, h('tr', {},
        ['Agent', 'Runs', 'Failures', 'Success rate', 'Median', 'p95', `Runs per ${per} (failures dark)`]
          .map((title) => h('th', {scope: 'col'}, title)))),
      h('tbody', {}, stats.agents.map((agent) => h('tr', {},
        h('th', {scope: 'row'}, h('a', {href: '#/runs?' + new URLSearchParams({agent: agent.agent_name, range})},
          agent.agent_name)),
        h('td', {class: 'num'}, agent.runs),
        h('td', {class: 'num' + (agent.failures ? ' bad' : '')}, agent.failures ? '✗ ' + agent.failures : '0'),
        h('td', {class: 'num'}, formatPercent(agent.success_rate)),
        h('td', {class: 'num'}, formatDuration(agent.duration_ms.p50)),
        h('td', {class: 'num'}, formatDuration(agent.duration_ms.p95)),
        h('td', {}, sparkline(agent.runs_per_bucket, agent.failures_per_bucket,
          `${agent.runs} runs, ${agent.failures} failed, over ${agent.runs_per_bucket.length} ${per}s`))))));
    labelCells(table);
    return h('section', {},
      h('h2', {}, 'Agents'),
      form,
      h('p', {class: 'hint'}, 'Failures are runs that ended in failure or timeout. Success rate counts finished runs. ',
        'Durations are over finished runs.'),
      stats.agents.length ? tableWrap(table) : h('p', {class: 'notice empty'}, 'No run in this range.'));
  }

  // --- Trends ---------------------------------------------------------------------------------

  const pendingCharts = [];  // drawn once the view is in the document and has a width

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function chartSize(container) {
    const width = Math.max(280, container.clientWidth);
    return {width, height: Math.round(Math.min(320, Math.max(200, width * 0.35)))};
  }

  // UTC labels: the date at midnight, else the hour.
  function timeLabels(u, splits) {
    return splits.map((ts) => {
      const iso = new Date(ts * 1000).toISOString();
      return iso.slice(11, 16) === '00:00' ? iso.slice(5, 10) : iso.slice(11, 16);
    });
  }

  function axes() {
    const stroke = cssVar('--fg');
    const grid = {stroke: cssVar('--grid'), width: 1};
    return [{stroke, grid, ticks: grid, values: timeLabels}, {stroke, grid, ticks: grid, size: 60}];
  }

  // Half a bucket of room at each end, so the first and last bars are whole.
  function xScale(buckets) {
    const step = buckets.length > 1 ? (Date.parse(buckets[1].start) - Date.parse(buckets[0].start)) / 1000 : 3600;
    return {time: true, range: (u, min, max) => [min - step / 2, max + step / 2]};
  }

  function chartBox(title, description) {
    const box = h('figure', {class: 'chart'}, h('figcaption', {}, h('strong', {}, title), ' ', description));
    return box;
  }

  function utc(ts) {
    return uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC');
  }

  function stackedChart(box, buckets) {
    const xs = buckets.map((b) => Date.parse(b.start) / 1000);
    // Bars drawn tallest first: each status's bar reaches the running total up
    // to it, so the later (shorter) ones show the lower layers.
    const order = ['success', 'partial', 'running', 'cancelled', 'timeout', 'failure'];
    const cumulative = [];
    let below = xs.map(() => 0);
    for (const status of order) {
      below = below.map((sum, i) => sum + buckets[i].counts[status]);
      cumulative.push({status, values: below});
    }
    const series = [{}];
    const data = [xs];
    for (const {status, values} of cumulative.slice().reverse()) {
      series.push({
        label: STATUS_MARK[status] + ' ' + status,
        fill: cssVar('--status-' + status), stroke: cssVar('--status-' + status), width: 0,
        paths: uPlot.paths.bars({size: [0.8, 60]}),
        points: {show: false},
        value: (u, v, si, idx) => (idx === null || idx === undefined ? '—' : buckets[idx].counts[status]),
      });
      data.push(values);
    }
    pendingCharts.push(() => {
      charts.push(new uPlot(Object.assign({series, axes: axes(), tzDate: utc, cursor: {drag: {x: false}},
                                           scales: {x: xScale(buckets), y: {range: (u, min, max) => [0, Math.max(1, max)]}}},
                                          chartSize(box)), data, box));
    });
  }

  function percentileChart(box, buckets) {
    const xs = buckets.map((b) => Date.parse(b.start) / 1000);
    const seconds = (key) => buckets.map((b) => (b.duration_ms[key] === null ? null : b.duration_ms[key] / 1000));
    // Told apart by dash pattern and label as well as colour.
    const lines = [['p50', 'median', []], ['p95', 'p95', [8, 4]], ['p99', 'p99', [2, 4]]];
    const series = [{}].concat(lines.map(([key, label, dash]) => ({
      label: label + ' (s)', stroke: cssVar('--line-' + key), width: 2, dash, spanGaps: false,
      points: {show: true, size: 4}, value: (u, v) => (v === null || v === undefined ? '—' : v.toFixed(1) + ' s'),
    })));
    const data = [xs].concat(lines.map(([key]) => seconds(key)));
    pendingCharts.push(() => {
      charts.push(new uPlot(Object.assign({series, axes: axes(), tzDate: utc, cursor: {drag: {x: false}},
                                           scales: {x: xScale(buckets),
                                                    y: {range: (u, min, max) => [0, Math.max(1, max || 0)]}}},
                                          chartSize(box)), data, box));
    });
  }

  async function viewTrends(route) {
    const range = route.params.get('range') || '24h';
    const agent = route.params.get('agent') || '';
    const job = route.params.get('job') || '';
    const [meta, trends] = await Promise.all([metadata(), api('/api/v1/stats/trends',
      {since: range, agent_name: agent, job_type: job})]);
    const form = h('form', {class: 'filters', 'aria-label': 'Trends filters'},
      select('range', 'Started', STATS_RANGES, range),
      select('agent', 'Agent', [['', 'Any agent']].concat(meta.agent_names.map((a) => [a, a])), agent),
      select('job', 'Job type', [['', 'Any job type']].concat(meta.job_types.map((j) => [j, j])), job));
    for (const control of form.querySelectorAll('select')) {
      control.addEventListener('change', () => go('trends', formValues(form)));
    }
    const per = trends.bucket;
    const runsBox = chartBox(`Runs per ${per} by status`,
                             '(stacked, UTC; point at a bar and the legend gives each status’s count)');
    const durationBox = chartBox(`Duration per ${per}`,
                                 '(median solid, p95 dashed, p99 dotted; finished runs, in seconds)');
    stackedChart(runsBox, trends.buckets);
    percentileChart(durationBox, trends.buckets);
    const table = h('table', {class: 'trend-table', 'data-label': 'Trend data'},
      h('thead', {}, h('tr', {}, [`${per} starting (UTC)`, 'Total'].concat(STATUSES, ['Median', 'p95', 'p99'])
        .map((title) => h('th', {scope: 'col'}, title)))),
      h('tbody', {}, trends.buckets.filter((b) => b.total).reverse().map((b) => h('tr', {},
        h('td', {class: 'nowrap'}, formatTime(b.start)),
        h('td', {class: 'num'}, b.total),
        STATUSES.map((s) => h('td', {class: 'num'}, b.counts[s])),
        ['p50', 'p95', 'p99'].map((k) => h('td', {class: 'num'}, formatDuration(b.duration_ms[k])))))));
    const total = trends.buckets.reduce((sum, b) => sum + b.total, 0);
    return h('section', {},
      h('h2', {}, 'Trends'),
      form,
      h('p', {class: 'hint'}, `${total} runs started from ${formatTime(trends.from)} to ${formatTime(trends.to)}.`),
      runsBox,
      durationBox,
      h('details', {}, h('summary', {}, 'The same figures as a table'), tableWrap(table)));
  }

  // --- Health ---------------------------------------------------------------------------------

  async function viewHealth() {
    const stats = await api('/api/v1/stats/health');
    const ok = stats.status === 'ok';
    const backup = stats.last_backup;
    const item = (term, value) => [h('dt', {}, term), h('dd', {}, value)];
    const state = (good, text) => h('span', {class: 'state ' + (good ? 'good' : 'bad')},
      h('span', {class: 'mark', 'aria-hidden': 'true'}, good ? '✓' : '✗'), ' ', text);
    const requests = stats.requests.slice().sort((a, b) => b.count - a.count);
    const table = h('table', {class: 'requests', 'data-label': 'Requests'},
      h('thead', {}, h('tr', {}, ['Route', 'Method', 'Status', 'Count'].map((t) => h('th', {scope: 'col'}, t)))),
      h('tbody', {}, requests.map((r) => h('tr', {},
        h('td', {class: 'id'}, r.route), h('td', {}, r.method),
        h('td', {class: 'num' + (r.code >= 500 ? ' bad' : '')}, r.code), h('td', {class: 'num'}, r.count)))));
    return h('section', {},
      h('h2', {}, 'Health'),
      h('div', {class: 'cards'},
        h('section', {class: 'panel'}, h('h3', {}, 'Service'), h('dl', {class: 'facts'},
          item('Status', state(ok, stats.status)),
          item('Writer', state(stats.writer === 'ok', stats.writer + (stats.writer_error ? ': ' + stats.writer_error : ''))),
          item('Queue depth', String(stats.queue_depth)),
          item('Version', stats.version),
          item('Up for', formatAge(stats.uptime_seconds)),
          item('401 answers', String(stats.auth_failures)),
          item('429 answers', String(stats.rate_limited)))),
        h('section', {class: 'panel'}, h('h3', {}, 'Database'), h('dl', {class: 'facts'},
          item('File', h('code', {}, stats.db_path)),
          item('Size', formatBytes(stats.db_size_bytes)),
          item('WAL file', formatBytes(stats.wal_size_bytes)),
          item('Journal mode', stats.journal_mode),
          item('Synchronous', stats.synchronous),
          item('Schema version', String(stats.schema_version)))),
        h('section', {class: 'panel'}, h('h3', {}, 'Last backup'), h('dl', {class: 'facts'},
          backup ? [
            item('Taken', formatTime(backup.time)),
            item('Age', state(backup.age_seconds < 2 * 86400, formatAge(backup.age_seconds) + ' ago')),
            item('Verified', state(backup.verified, backup.verified ? 'yes' : 'no')),
            item('File', h('code', {}, backup.name)),
            item('Size', formatBytes(backup.bytes)),
          ] : item('Backups', state(false, 'none found')),
          item('Folder', h('code', {}, stats.backup_dir))))),
      h('section', {class: 'panel'}, h('h3', {}, 'Requests since start'),
        h('p', {class: 'hint'}, 'The counters of /metrics (telemetry_http_requests_total).'),
        tableWrap(table)));
  }

  render();
}());
