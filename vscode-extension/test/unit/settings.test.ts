import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { COMMANDS, LANGUAGES } from '../../src/languages';
import { DEFAULTS, initializationOptions, serverSettings } from '../../src/settings';

const root = path.resolve(__dirname, '..', '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

function flatten(o: object, prefix = ''): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, flatten(v, `${prefix}${k}.`));
    else out[`${prefix}${k}`] = v;
  }
  return out;
}

test('nothing set: the defaults, the same as the server', () => {
  assert.deepEqual(serverSettings(() => undefined), DEFAULTS);
});

test('settings by key become the nested object the server reads, without server.*', () => {
  const values: Record<string, unknown> = {
    'server.python': '/p/python',
    'toolchain.nvcc': '/cuda/bin/nvcc',
    'toolchain.gxx': 'g++-13',
    gpuArch: 'sm_90',
    mluArch: 'mtp_592',
    'jobs.concurrency': 4.7,
    'jobs.timeout': 30.5,
    'jobs.queueLimit': 8,
    debounce: 100,
  };
  const s = serverSettings((k) => values[k]);
  assert.deepEqual(s, {
    toolchain: { nvcc: '/cuda/bin/nvcc', hipcc: '', gcc: '', gxx: 'g++-13' },
    gpuArch: 'sm_90',
    hipArch: 'gfx90a',
    mluArch: 'mtp_592',
    jobs: { concurrency: 4, timeout: 30.5, queueLimit: 8 },
    debounce: 100,
  });
  assert.equal('server' in s, false);
  assert.deepEqual(initializationOptions((k) => values[k]), { xpiler: s });
});

test('values of the wrong type fall back to the default', () => {
  const bad: Record<string, unknown> = { gpuArch: 80, 'jobs.timeout': 'soon', debounce: Number.NaN, hipArch: '' };
  const s = serverSettings((k) => bad[k]);
  assert.equal(s.gpuArch, 'sm_80');
  assert.equal(s.jobs.timeout, 120);
  assert.equal(s.debounce, 250);
  assert.equal(s.hipArch, 'gfx90a');
});

test('package.json declares every server setting with its default and a description, plus server.python', () => {
  const props = pkg.contributes.configuration.properties as Record<string, { default: unknown; markdownDescription?: string; description?: string }>;
  const expected = { 'server.python': '', ...flatten(DEFAULTS) };
  assert.deepEqual(Object.keys(props).sort(), Object.keys(expected).map((k) => `xpiler.${k}`).sort());
  for (const [k, v] of Object.entries(expected)) {
    assert.deepEqual(props[`xpiler.${k}`].default, v, k);
    assert.ok((props[`xpiler.${k}`].markdownDescription ?? props[`xpiler.${k}`].description ?? '').length > 10, k);
  }
});

test("the defaults are the server's (server/xpiler_lsp/settings.py)", { skip: !fs.existsSync(path.join(root, '..', 'server')) }, () => {
  const py = fs.readFileSync(path.join(root, '..', 'server', 'xpiler_lsp', 'settings.py'), 'utf8');
  const flat = flatten(DEFAULTS);
  // Every setting of the server is one of the extension's (a new one must be added here too).
  const pyNames = [...py.matchAll(/^\s+(\w+): \w+ = (?!field\()/gm)].map((m) => m[1]).sort();
  assert.deepEqual(pyNames, Object.keys(flat).map((k) => k.split('.').pop()!).sort());
  for (const [k, v] of Object.entries(flat)) {
    const name = k.split('.').pop()!;
    const m = new RegExp(`^\\s+${name}: \\w+ = ([^#\\n]+)`, 'm').exec(py);
    assert.ok(m, `${name} not in settings.py`);
    const raw = m[1].trim();
    const quoted = /^"(.*)"$/.exec(raw);
    assert.equal(quoted ? quoted[1] : Number(raw), v, k);
  }
});

test('package.json: commands, languages, activation, main', () => {
  const contributed: string[] = pkg.contributes.commands.map((c: { command: string }) => c.command).sort();
  assert.deepEqual([...contributed], Object.values(COMMANDS).sort());
  for (const c of pkg.contributes.commands) assert.equal(c.category, 'Xpiler');
  assert.deepEqual(pkg.contributes.languages.map((l: { id: string }) => l.id).sort(), ['bang', 'hip']);
  assert.deepEqual(pkg.contributes.languages.find((l: { id: string }) => l.id === 'bang').extensions, ['.mlu']);
  assert.deepEqual(pkg.contributes.languages.find((l: { id: string }) => l.id === 'hip').extensions, ['.hip']);
  for (const lang of LANGUAGES) assert.ok(pkg.activationEvents.includes(`onLanguage:${lang}`), lang);
  assert.equal(pkg.main, './dist/extension.js');
  // The server's commands are registered by vscode-languageclient: none of ours may clash.
  for (const id of ['xpiler.runJob', 'xpiler.cancelJob', 'xpiler.listJobs', 'xpiler.translationReport']) assert.ok(!contributed.includes(id));
});
