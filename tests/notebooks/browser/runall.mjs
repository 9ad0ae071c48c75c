// runall.mjs drives a live Jupyter Notebook 6 server in headless Chromium:
// for each notebook it opens the page, checks how it opened (no "unsaved
// changes", no tab arrows in Go code), clicks Cell > Run All, waits for
// every code cell to finish, collects errors, and on pages with a
// plots.Replay clicks through its controls. It prints one JSON object with
// the findings on stdout; tests/notebooks/browser_test.go judges them.
//
//	node runall.mjs --url http://127.0.0.1:PORT --token T --profile DIR \
//	  --shots DIR --timeout 900 NOTEBOOK.ipynb...
import puppeteer from 'puppeteer-core';
import path from 'node:path';

function parseArgs(argv) {
  const opts = { notebooks: [], timeout: 900, chromium: '/usr/bin/chromium' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      opts[a.slice(2)] = argv[++i];
    } else {
      opts.notebooks.push(a);
    }
  }
  opts.timeout = Number(opts.timeout);
  return opts;
}

const opts = parseArgs(process.argv.slice(2));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.error(new Date().toISOString().slice(11, 19), ...a);

// The flags Debian's Chromium needs as root in a container, and none of its
// background traffic (the test machine reaches nothing but the server).
const browser = await puppeteer.launch({
  executablePath: opts.chromium,
  headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-dev-shm-usage', `--user-data-dir=${opts.profile}`],
});

const version = await browser.version();
const results = [];
try {
  for (const nb of opts.notebooks) {
    results.push(await runNotebook(nb));
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify({ chromium: version, notebooks: results }, null, 1) + '\n');

async function runNotebook(name) {
  const r = { notebook: name, httpErrors: [], pageErrors: [], cellErrors: [] };
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 1000 });
  page.on('response', (resp) => { if (resp.status() >= 400) r.httpErrors.push(`${resp.status()} ${resp.url()}`); });
  page.on('pageerror', (e) => r.pageErrors.push(String(e.message || e)));
  const url = `${opts.url}/notebooks/${encodeURIComponent(name)}?token=${opts.token}`;
  log('open', name);
  await page.goto(url, { waitUntil: 'networkidle2', timeout: 60000 });
  await page.waitForFunction(() => window.Jupyter && Jupyter.notebook && Jupyter.notebook._fully_loaded, { timeout: 60000 });
  await page.waitForFunction(() => Jupyter.notebook.kernel && Jupyter.notebook.kernel.info_reply &&
    Jupyter.notebook.kernel.info_reply.language_info, { timeout: 120000 });
  await sleep(1500); // kernel_ready handlers, kernel.js, autosave status
  Object.assign(r, await page.evaluate(() => {
    const tabs = Array.from(document.querySelectorAll('.CodeMirror span.cm-tab'));
    return {
      kernel: Jupyter.notebook.kernel.name,
      dirtyAfterOpen: Jupyter.notebook.dirty,
      autosaveStatus: document.querySelector('#autosave_status') ? document.querySelector('#autosave_status').textContent : '',
      tabs: tabs.length,
      tabsWithArrow: tabs.filter((t) => getComputedStyle(t).backgroundImage !== 'none').length,
      codeCells: Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code').length,
      // kernel.js wraps long lines: no code cell scrolls sideways.
      unwrappedCells: Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code' &&
        !c.code_mirror.getOption('lineWrapping')).length,
      overflowingCells: Jupyter.notebook.get_cells().filter((c) => {
        if (c.cell_type !== 'code') { return false; }
        const s = c.code_mirror.getScrollInfo();
        return s.width > s.clientWidth + 1;
      }).length,
    };
  }));
  // Cell > Run All, as a reader would.
  const start = Date.now();
  await page.click('#celllink');
  await page.click('#run_all_cells > a');
  log('run all', name, `${r.codeCells} code cells`);
  let state;
  for (;;) {
    state = await page.evaluate(() => {
      const code = Jupyter.notebook.get_cells().filter((c) => c.cell_type === 'code');
      const done = code.filter((c) => Number.isInteger(c.input_prompt_number)).length;
      const running = code.filter((c) => c.input_prompt_number === '*').length;
      const idle = document.querySelector('#kernel_indicator_icon').classList.contains('kernel_idle_icon');
      return { done, running, idle, total: code.length };
    });
    if (state.done === state.total && state.idle) break;
    if (Date.now() - start > opts.timeout * 1000) break;
    await sleep(1000);
  }
  r.runAllSeconds = (Date.now() - start) / 1000;
  r.finished = state.done === state.total && state.idle;
  r.cellsDone = state.done;
  r.cellsRunning = state.running;
  log('finished', name, r.finished, `${r.runAllSeconds}s`);
  Object.assign(r, await page.evaluate(() => {
    const errors = [];
    Jupyter.notebook.get_cells().forEach((c, i) => {
      if (c.cell_type !== 'code') return;
      const tags = (c.metadata.tags || []);
      c.output_area.outputs.forEach((o) => {
        if (o.output_type === 'error' && !tags.includes('raises-exception')) errors.push(`cell ${i}: ${o.ename}: ${o.evalue}`);
      });
    });
    // Outputs Notebook boxed into a scroll area (it does so for tall
    // outputs unless the cell's metadata says "scrolled": false).
    const boxed = Jupyter.notebook.get_cells().map((c, i) => [i, c])
      .filter(([, c]) => c.cell_type === 'code' && c.output_area.element.hasClass('output_scroll'))
      .map(([i]) => i);
    return { cellErrors: errors, replays: document.querySelectorAll('.gotl-replay').length, boxedOutputs: boxed };
  }));
  if (r.replays > 0) {
    r.replay = await driveReplay(page, name);
  }
  // Shut the kernel down (and its gopls) before the next notebook.
  await page.evaluate(() => new Promise((resolve) => {
    Jupyter.notebook.session.delete(resolve, resolve);
  }));
  await page.close();
  return r;
}

// driveReplay clicks through the first plots.Replay of the page and reports
// what it showed after each action.
async function driveReplay(page, name) {
  const out = { actions: [] };
  const root = await page.waitForSelector('.gotl-replay[data-ready=ready]', { timeout: 20000 }).catch(() => null);
  if (!root) {
    out.error = 'replay never became ready: ' + await page.$eval('.gotl-replay', (e) => e.getAttribute('data-ready') + ' / ' + e.querySelector('[data-role=note]').textContent);
    return out;
  }
  await root.scrollIntoView();
  const snapshot = async (label) => {
    const s = await root.evaluate((e) => ({
      status: e.querySelector('[data-role=status]').textContent,
      step: Number(e.querySelector('input[data-role=step]').value),
      polylines: Array.from(e.querySelectorAll('polyline')).map((l) => ({
        path: l.getAttribute('data-path'), points: Number(l.getAttribute('data-points')), d: l.getAttribute('points') })),
      rows: e.querySelectorAll('[data-role=table] tbody tr').length,
    }));
    s.action = label;
    out.actions.push(s);
  };
  const click = async (act) => { await root.$eval(`button[data-act=${act}]`, (b) => b.click()); };
  await snapshot('ready');
  for (let i = 0; i < 3; i++) await click('step');
  await snapshot('step x3');
  await click('step10');
  await snapshot('+10');
  await click('back');
  await snapshot('back');
  // Move the first parameter slider (learning rate) one position right.
  await root.$eval('input[data-param="0"]', (inp) => { inp.value = Number(inp.value) + 1; inp.dispatchEvent(new Event('input')); });
  await snapshot('param 0 +1');
  await click('play');
  await sleep(1000);
  await click('play');
  await snapshot('play 1s');
  await click('reset');
  await snapshot('reset');
  for (let i = 0; i < 5; i++) await click('step');
  await snapshot('step x5');
  if (opts.shots) {
    await root.screenshot({ path: path.join(opts.shots, name.replace(/\.ipynb$/, '') + '-replay.png') });
  }
  return out;
}
