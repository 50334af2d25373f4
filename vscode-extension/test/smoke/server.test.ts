/**
 * Smoke test: the real Python language server, started with the extension's own server options
 * (resolveServer, as activate() does, so it finds <repo>/.venv like a run from source would) and
 * its initializationOptions, over vscode-jsonrpc: initialize, didOpen a .cu and a .mlu file,
 * diagnostics, hovers, the Check action (code action -> resolve -> executeCommand) with its
 * work-done progress, and cancelling a job through window/workDoneProgress/cancel.
 *
 * Also the contract the extension's Translate Kernel to... and Review Translation rely on: the
 * translate actions (refactor.rewrite, one per other dialect, `target` in their data), a finished
 * translation as a file beside the source, and `xpiler.translationReport` naming its source.
 *
 * XPILER_PYTHON: use that interpreter (as the xpiler.server.python setting would). Without it and
 * with no server to be found (no .venv here, none on PATH), every test is skipped, saying so.
 */
import * as assert from 'node:assert/strict';
import * as cp from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test as nodeTest } from 'node:test';
import * as rpc from 'vscode-jsonrpc/node';
import { resolveServer } from '../../src/serverOptions';
import { initializationOptions, serverSettings } from '../../src/settings';

/* eslint-disable @typescript-eslint/no-explicit-any */
const EXT = path.resolve(__dirname, '..', '..', '..');
const FIXTURES = path.join(EXT, 'test', 'fixtures');

interface Published {
  uri: string;
  version?: number;
  diagnostics: any[];
}

class Session {
  readonly proc: cp.ChildProcess;
  readonly conn: rpc.MessageConnection;
  readonly published = new Map<string, Published[]>();
  readonly progress = new Map<string, any[]>();
  readonly messages: any[] = [];
  stderr = '';
  private waiters: (() => void)[] = [];

  constructor(command: string, args: string[], options: cp.SpawnOptions) {
    this.proc = cp.spawn(command, args, { ...options, stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += d.toString()));
    this.conn = rpc.createMessageConnection(new rpc.StreamMessageReader(this.proc.stdout!), new rpc.StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.set(p.uri, [...(this.published.get(p.uri) ?? []), p]);
      this.wake();
    });
    this.conn.onNotification('$/progress', (p: { token: string; value: any }) => {
      this.progress.set(p.token, [...(this.progress.get(p.token) ?? []), p.value]);
      this.wake();
    });
    this.conn.onNotification('window/showMessage', (p) => this.messages.push(p));
    this.conn.onNotification('window/logMessage', () => undefined);
    this.conn.onRequest('window/workDoneProgress/create', () => null);
    this.conn.onRequest('client/registerCapability', () => null);
    // What the extension's configuration middleware answers for section `xpiler`.
    this.conn.onRequest('workspace/configuration', (p: any) => p.items.map(() => serverSettings((k) => (k === 'debounce' ? 50 : undefined))));
    this.conn.listen();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  async until<T>(what: string, get: () => T | undefined, ms = 60000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = get();
      if (v !== undefined && v !== false) return v;
      if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nserver stderr:\n${this.stderr}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  open(file: string, languageId: string): string {
    const uri = `file://${file}`;
    this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text: fs.readFileSync(file, 'utf8') } });
    return uri;
  }

  lastDiagnostics(uri: string): any[] | undefined {
    return this.published.get(uri)?.at(-1)?.diagnostics;
  }
}

let s: Session;
let ws: string;
const t0 = Date.now();
const found = resolveServer({ configuredPython: process.env.XPILER_PYTHON, workspaceFolders: [], extensionPath: EXT });
const skip = !found.found && !process.env.XPILER_PYTHON ? `no Xpiler language server here (make setup, or XPILER_PYTHON=...): ${found.message}` : false;
if (skip) console.log(`# skipped: ${skip}`);
const test = (name: string, fn: () => Promise<void>) => nodeTest(name, { skip }, fn);

before(async () => {
  if (skip) return;
  ws = fs.mkdtempSync(path.join(os.tmpdir(), 'xpiler-smoke-'));
  for (const f of fs.readdirSync(FIXTURES)) fs.copyFileSync(path.join(FIXTURES, f), path.join(ws, f));
  const r = resolveServer({ configuredPython: process.env.XPILER_PYTHON, workspaceFolders: [ws], extensionPath: EXT });
  assert.ok(r.found, !r.found ? `${r.message} ${r.detail}` : '');
  console.log(`# server: ${r.description}`);
  s = new Session(r.executable.command, r.executable.args, r.executable.options);
  const init: any = await s.conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: `file://${ws}`,
    workspaceFolders: [{ uri: `file://${ws}`, name: 'ws' }],
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: true } },
      window: { workDoneProgress: true },
      textDocument: {
        hover: { contentFormat: ['markdown', 'plaintext'] },
        publishDiagnostics: { versionSupport: true },
        codeAction: { resolveSupport: { properties: ['command', 'edit'] }, dataSupport: true, codeActionLiteralSupport: { codeActionKind: { valueSet: ['source', 'quickfix', 'refactor'] } } },
      },
    },
    initializationOptions: initializationOptions((k) => (k === 'debounce' ? 50 : undefined)),
  });
  assert.equal(init.serverInfo.name, 'xpiler-lsp');
  assert.deepEqual(init.capabilities.executeCommandProvider.commands.sort(), ['xpiler.cancelJob', 'xpiler.listJobs', 'xpiler.runJob', 'xpiler.translationReport']);
  assert.equal(init.capabilities.codeActionProvider.resolveProvider, true);
  await s.conn.sendNotification('initialized', {});
  console.log(`# initialized in ${Date.now() - t0} ms`);
});

after(async () => {
  if (!s) return;
  try {
    await Promise.race([s.conn.sendRequest('shutdown'), new Promise((r) => setTimeout(r, 5000))]);
    await s.conn.sendNotification('exit');
  } catch {
    /* already gone */
  }
  await new Promise((r) => setTimeout(r, 300));
  s.conn.dispose();
  if (s.proc.exitCode === null) s.proc.kill();
  fs.rmSync(ws, { recursive: true, force: true });
});

test('.cu: diagnostics published, hovers on the kernel and on an intrinsic', async () => {
  const uri = s.open(path.join(ws, 'twice.cu'), 'cuda-cpp');
  const diags = await s.until('diagnostics of twice.cu', () => s.lastDiagnostics(uri));
  assert.equal(diags.filter((d) => d.severity === 1).length, 0, JSON.stringify(diags));
  const kernel: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 18 } });
  assert.match(kernel.contents.value, /grid=4,1,1 block=256,1,1/);
  const sync: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 9, character: 8 } });
  assert.match(sync.contents.value, /__syncthreads/);
  const tid: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 40 } });
  assert.match(tid.contents.value, /threadIdx/);
});

test('.mlu: the unknown intrinsic is an error; hover on __bang_active_relu names NRAM', async () => {
  const uri = s.open(path.join(ws, 'relu.mlu'), 'bang');
  const diags = await s.until('diagnostics of relu.mlu', () => s.lastDiagnostics(uri)?.length ? s.lastDiagnostics(uri) : undefined);
  const unknown = diags.find((d) => d.code === 'unknown-intrinsic');
  assert.ok(unknown, JSON.stringify(diags));
  assert.equal(unknown.range.start.line, 6);
  assert.equal(unknown.severity, 1);
  const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 5, character: 8 } });
  assert.match(h.contents.value, /__bang_active_relu/);
  assert.match(h.contents.value, /nram/i);
});

async function check(uri: string, line: number, kernel: string): Promise<{ token: string; jobId: number }> {
  // No actions until the first parse is done (diagnostics from clang may come before it), as
  // the extension's Check Kernel at Cursor also allows for.
  const actions: any[] = [];
  for (const end = Date.now() + 15000; actions.length === 0 && Date.now() < end; ) {
    actions.push(
      ...((await s.conn.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range: { start: { line, character: 4 }, end: { line, character: 4 } },
        context: { diagnostics: [], only: ['source.xpiler.check'] },
      })) as any[]),
    );
    if (actions.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  const action = actions.find((a) => a.kind === 'source.xpiler.check');
  assert.ok(action, JSON.stringify(actions));
  assert.equal(action.title, `Check \`${kernel}\`: compile and run on the CPU`);
  const resolved: any = await s.conn.sendRequest('codeAction/resolve', action);
  assert.equal(resolved.command.command, 'xpiler.runJob');
  const run: any = await s.conn.sendRequest('workspace/executeCommand', { command: resolved.command.command, arguments: resolved.command.arguments });
  assert.ok(run.token, JSON.stringify(run));
  return run;
}

test('.c: Check action -> progress -> out-of-bounds findings as diagnostics', async () => {
  const uri = s.open(path.join(ws, 'scale.c'), 'c');
  await s.until('diagnostics of scale.c', () => s.lastDiagnostics(uri));
  const { token } = await check(uri, 3, 'scale');
  const values = await s.until('the job to end', () => (s.progress.get(token)?.some((v) => v.kind === 'end') ? s.progress.get(token) : undefined), 120000);
  assert.equal(values[0].kind, 'begin');
  assert.equal(values[0].cancellable, true);
  assert.equal(values.at(-1).message, 'finished', JSON.stringify(values));
  const diags = await s.until('findings', () => s.lastDiagnostics(uri)?.some((d) => d.code === 'out-of-bounds-write') ? s.lastDiagnostics(uri) : undefined);
  const w = diags.find((d) => d.code === 'out-of-bounds-write');
  assert.equal(w.range.start.line, 3);
});

test('cancelling from the progress UI (window/workDoneProgress/cancel) stops the job', async () => {
  const uri = `file://${path.join(ws, 'twice.cu')}`;
  const { token, jobId } = await check(uri, 6, 'twice');
  await s.until('the progress to begin', () => s.progress.get(token)?.length);
  await s.conn.sendNotification('window/workDoneProgress/cancel', { token });
  const values = await s.until('the job to end', () => (s.progress.get(token)?.some((v) => v.kind === 'end') ? s.progress.get(token) : undefined));
  assert.equal(values.at(-1).message, 'cancelled');
  const jobs: any[] = await s.conn.sendRequest('workspace/executeCommand', { command: 'xpiler.listJobs', arguments: [{}] });
  assert.equal(jobs.find((j) => j.jobId === jobId).state, 'cancelled');
});

test('didChangeConfiguration with the extension payload is accepted', async () => {
  await s.conn.sendNotification('workspace/didChangeConfiguration', { settings: initializationOptions((k) => (k === 'gpuArch' ? 'sm_90' : undefined)) });
  const uri = `file://${path.join(ws, 'twice.cu')}`;
  const h: any = await s.conn.sendRequest('textDocument/hover', { textDocument: { uri }, position: { line: 4, character: 18 } });
  assert.ok(h.contents.value.length > 0);
  assert.ok(!/ignored/.test(s.stderr), s.stderr);
});

test('translate: refactor.rewrite actions per other dialect; the result beside the source; translationReport names the source', async () => {
  const file = path.join(ws, 'saxpy.cu');
  const uri = s.open(file, 'cuda-cpp');
  await s.until('diagnostics of saxpy.cu', () => s.lastDiagnostics(uri));
  let actions: any[] = [];
  for (const end = Date.now() + 15000; actions.length === 0 && Date.now() < end; ) {
    actions = (await s.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri },
      range: { start: { line: 6, character: 4 }, end: { line: 6, character: 4 } },
      context: { diagnostics: [], only: ['refactor.rewrite'] },
    })) as any[];
    if (actions.length === 0) await new Promise((r) => setTimeout(r, 100));
  }
  // What Translate Kernel to... picks from: the four other dialects, kind and target in data.
  assert.deepEqual(actions.map((a) => a.kind), Array(4).fill('refactor.rewrite'));
  assert.deepEqual(actions.map((a) => a.data.target), ['hip', 'bang', 'vnni', 'c']);
  assert.deepEqual(actions.map((a) => a.title), ['HIP', 'BANG C', 'C with AVX-512 VNNI', 'C'].map((t) => `Translate \`saxpy\` to ${t}`));
  const resolved: any = await s.conn.sendRequest('codeAction/resolve', actions[0]);
  assert.equal(resolved.command.command, 'xpiler.runJob');
  assert.deepEqual(resolved.command.arguments, [{ uri, version: 1, kernel: 'saxpy', job: 'translate', target: 'hip' }]);
  const run: any = await s.conn.sendRequest('workspace/executeCommand', { command: 'xpiler.runJob', arguments: resolved.command.arguments });
  assert.ok(run.token, JSON.stringify(run));
  const values = await s.until('the translation to end', () => (s.progress.get(run.token)?.some((v) => v.kind === 'end') ? s.progress.get(run.token) : undefined), 120000);
  assert.match(values.at(-1).message, /saxpy\.hip/, JSON.stringify(values));
  // This client cannot create files: the server wrote it; it is a result with a port-of comment.
  const out = path.join(ws, 'saxpy.hip');
  assert.match(fs.readFileSync(out, 'utf8'), /\/\/ xpiler: port-of saxpy\.cu saxpy/);
  const report: any = await s.conn.sendRequest('workspace/executeCommand', { command: 'xpiler.translationReport', arguments: [{ uri: `file://${out}` }] });
  assert.equal(report.source, uri, JSON.stringify(report));
  assert.equal(report.uri, `file://${out}`);
  assert.ok(report.status.length > 0);
});

test('review: a hand-made port compared with an original given as `against` (what Compare with Original... sends)', async () => {
  const port = path.join(ws, 'saxpy_port.hip');
  const uri = s.open(port, 'hip');
  await s.until('diagnostics of saxpy_port.hip', () => s.lastDiagnostics(uri));
  const args = { uri, version: 1, job: 'review', kernel: 'saxpy_hip', against: { path: path.join(ws, 'saxpy.cu'), kernel: 'saxpy' } };
  let run: any;
  for (const end = Date.now() + 15000; ; ) {
    // Refused until the first parse is done ("not a kernel of the document"): ask again.
    run = await s.conn.sendRequest('workspace/executeCommand', { command: 'xpiler.runJob', arguments: [args] });
    if (run.token || Date.now() > end) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.ok(run.token, JSON.stringify(run));
  await s.until('the review to end', () => (s.progress.get(run.token)?.some((v) => v.kind === 'end') ? s.progress.get(run.token) : undefined), 120000);
  const diags = await s.until('the disagreement', () => (s.lastDiagnostics(uri)?.some((d) => d.code === 'port-disagreement') ? s.lastDiagnostics(uri) : undefined));
  const wrong = diags.find((d) => d.code === 'port-disagreement');
  assert.equal(wrong.range.start.line, 7, JSON.stringify(wrong)); // y[i] = 2.0f * x[i + 1] + y[i];
  assert.match(wrong.message, /the original computes/);
});
