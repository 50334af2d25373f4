/** Activation, commands, settings forwarding, progress and the server-not-found path, against
 * the stand-in `vscode` module and a scripted stand-in client. */
/* eslint-disable @typescript-eslint/no-explicit-any */
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { afterEach, beforeEach, test } from 'node:test';
import { State } from 'vscode-languageclient/node';
import { XpilerController } from '../../src/controller';
import { activate, activateWith, deactivate } from '../../src/extension';
import { COMMANDS, DOCUMENT_SELECTOR } from '../../src/languages';
import { FakeClient, fakeDeps } from './fakeClient';
import { context, fakeVenv, flush, tmpdir, until } from './helpers';
import { stub, Uri } from './vscode-stub';

let savedPath: string | undefined;

beforeEach(() => {
  stub.reset();
  savedPath = process.env.PATH;
  process.env.PATH = tmpdir(); // no xpiler-lsp on PATH unless a test puts one there
});

afterEach(async () => {
  await deactivate();
  process.env.PATH = savedPath;
});

/** A workspace whose .venv has Xpiler installed. */
function workspace(): { dir: string; python: string } {
  const dir = tmpdir();
  const python = fakeVenv(dir);
  stub.workspaceFolders = [{ uri: Uri.file(dir), name: 'ws', index: 0 }];
  return { dir, python };
}

const status = () => stub.statusBarItems[0];

/** A scripted server with two kernels in k.cu. */
function script(c: FakeClient): void {
  c.server.set('textDocument/codeAction', (p: any) =>
    ['scale', 'twice']
      .filter((k) => p.range.start.line < 10 || k === 'twice')
      .flatMap((k) => [
        { title: `Check \`${k}\`: compile and run on the CPU`, kind: 'source.xpiler.check', data: { uri: p.textDocument.uri, version: 3, kernel: k, job: 'check' } },
        { title: `Compile-check \`${k}\` with the real toolchain`, kind: 'source.xpiler.compile', data: { uri: p.textDocument.uri, version: 3, kernel: k, job: 'compile' } },
      ]),
  );
  c.server.set('codeAction/resolve', (a: any) => ({ ...a, command: { title: a.title, command: 'xpiler.runJob', arguments: [a.data] } }));
  c.server.set('command:xpiler.runJob', (a: any) => ({ jobId: 7, token: `xpiler-${a.kernel}`, state: 'running' }));
}

test('activation: commands, client options, status ready', async () => {
  const { dir, python } = workspace();
  stub.config.set('gpuArch', 'sm_90');
  stub.config.set('jobs.timeout', 30);
  const deps = fakeDeps(script);
  const ctx = context(tmpdir());
  const controller = await activateWith(ctx, deps);
  assert.ok(controller instanceof XpilerController);
  for (const id of Object.values(COMMANDS)) assert.ok(stub.commands.has(id), id);
  assert.equal(deps.clients.length, 1);
  const c = deps.clients[0];
  assert.deepEqual(c.executable.command, python);
  assert.deepEqual(c.executable.args, ['-m', 'xpiler_lsp']);
  assert.equal(c.executable.options.cwd, dir);
  assert.deepEqual(c.options.documentSelector, DOCUMENT_SELECTOR);
  assert.deepEqual([...new Set(c.options.documentSelector.map((s: any) => s.language))], ['cuda-cpp', 'cuda', 'c', 'cpp', 'bang', 'hip']);
  assert.equal(c.options.synchronize.configurationSection, 'xpiler');
  assert.equal(typeof c.options.initializationOptions, 'function');
  const init = c.options.initializationOptions();
  assert.equal(init.xpiler.gpuArch, 'sm_90');
  assert.equal(init.xpiler.jobs.timeout, 30);
  assert.equal(init.xpiler.server, undefined);
  assert.equal(c.options.outputChannel, stub.outputChannels[0]);
  assert.equal(stub.outputChannels[0].name, 'Xpiler Language Server');
  // Our progress feature was registered, and took over window/workDoneProgress/create.
  assert.ok(c.requestHandlers.has('window/workDoneProgress/create'));
  assert.equal((c as any).capabilities.window.workDoneProgress, true);
  assert.equal(c.state, State.Running);
  assert.match(status().text, /Xpiler: ready/);
  assert.ok(status().visible);
  assert.ok(ctx.subscriptions.length > 0);
  assert.ok(stub.contexts.get('xpiler.languages'));
});

test('settings: pushed on change, pulled without server.*, and a new python restarts the server', async () => {
  workspace();
  const deps = fakeDeps(script);
  await activateWith(context(tmpdir()), deps);
  const c = deps.clients[0];
  // didChangeConfiguration: the middleware sends the same shape as initializationOptions.
  stub.config.set('mluArch', 'mtp_592');
  let nextCalled = false;
  await c.options.middleware.workspace.didChangeConfiguration(['xpiler'], async () => {
    nextCalled = true;
  });
  assert.equal(nextCalled, false);
  const sent = c.notifications.filter((n) => n.method === 'workspace/didChangeConfiguration');
  assert.equal(sent.length, 1);
  assert.equal(sent[0].params.settings.xpiler.mluArch, 'mtp_592');
  assert.equal(sent[0].params.settings.xpiler.server, undefined);
  // workspace/configuration: the server's section shaped for the server, other sections as VS Code answers.
  stub.config.set('server.python', '/x/python');
  stub.config.set('debounce', 40);
  const answer = await c.options.middleware.workspace.configuration(
    { items: [{ section: 'xpiler' }, { section: 'editor' }] },
    {},
    async () => [{ server: { python: '/x/python' }, debounce: 40 }, { tabSize: 4 }],
  );
  assert.equal(answer[0].debounce, 40);
  assert.equal(answer[0].server, undefined);
  assert.deepEqual(answer[1], { tabSize: 4 });
  // Changing xpiler.server.python: a new client with the new interpreter.
  const other = fakeVenv(tmpdir());
  stub.setConfig({ 'server.python': other });
  await until(() => deps.clients.length === 2 && deps.clients[1].state === State.Running);
  assert.ok(c.disposed);
  assert.equal(deps.clients[1].executable.command, other);
  // Other settings do not restart it.
  stub.setConfig({ gpuArch: 'sm_86' });
  await flush();
  assert.equal(deps.clients.length, 2);
});

test('Restart Server and Show Server Log', async () => {
  workspace();
  const deps = fakeDeps(script);
  await activateWith(context(tmpdir()), deps);
  await stub.commands.get(COMMANDS.restart)!();
  assert.equal(deps.clients.length, 2);
  assert.ok(deps.clients[0].disposed);
  assert.equal(deps.clients[1].state, State.Running);
  assert.match(status().text, /ready/);
  await stub.commands.get(COMMANDS.showLog)!();
  assert.equal(stub.outputChannels[0].shown, 1);
});

test('a server that fails to start: status error and a message pointing at the log', async () => {
  workspace();
  const deps = fakeDeps((c) => (c.startError = new Error('spawn python ENOENT')));
  await activateWith(context(tmpdir()), deps);
  assert.match(status().text, /Xpiler: error/);
  assert.ok(stub.messages.some((m) => m.severity === 'error' && /did not start.*ENOENT/.test(m.text)));
});

test('server stops by itself: status error; stopped on purpose: status stopped', async () => {
  workspace();
  const deps = fakeDeps(script);
  const controller = await activateWith(context(tmpdir()), deps);
  const c = deps.clients[0];
  c.state = State.Stopped;
  c.stateChanges.fire({ oldState: State.Running, newState: State.Stopped });
  assert.match(status().text, /Xpiler: error/);
  c.stateChanges.fire({ oldState: State.Stopped, newState: State.Running });
  await controller.stop();
  assert.match(status().text, /Xpiler: stopped/);
});

test('server not found: a notification on how to install it, status error, commands still there', async () => {
  const ctx = context(tmpdir());
  stub.workspaceFolders = [{ uri: Uri.file(tmpdir()), name: 'ws', index: 0 }];
  stub.messageAnswers.push('Open Settings');
  const controller = await activate(ctx); // the real factory: never called
  assert.equal(controller.client, undefined);
  await flush();
  const m = stub.messages.find((x) => x.severity === 'error');
  assert.ok(m, 'no notification');
  assert.match(m.text, /language server was not found/);
  assert.match(m.text, /make setup/);
  assert.match(m.text, /pip install xpiler/);
  assert.match(m.text, /xpiler\.server\.python/);
  assert.deepEqual(m.items, ['Open Settings', 'Show Server Log']);
  await until(() => stub.executed.some((e) => e.command === 'workbench.action.openSettings'));
  assert.deepEqual(stub.executed.find((e) => e.command === 'workbench.action.openSettings')!.args, ['xpiler.server.python']);
  assert.match(status().text, /Xpiler: error/);
  assert.match(stub.outputChannels[0].lines.join('\n'), /not found/);
  for (const id of Object.values(COMMANDS)) assert.ok(stub.commands.has(id), id);
  // A command that needs the server says so again.
  stub.openEditor('/w/k.cu', 'cuda-cpp', 3, 4);
  const n = stub.messages.length;
  assert.equal(await stub.commands.get(COMMANDS.checkAtCursor)!(), undefined);
  await until(() => stub.messages.length > n);
  assert.match(stub.messages[n].text, /not found/);
  // Installing it and setting xpiler.server.python starts it (the real LanguageClient: only
  // check that a start was attempted with the new interpreter).
});

test('Check Kernel at Cursor: the Check action at the cursor, resolved and executed', async () => {
  workspace();
  const deps = fakeDeps(script);
  await activateWith(context(tmpdir()), deps);
  const c = deps.clients[0];
  stub.openEditor('/w/k.cu', 'cuda-cpp', 12, 8);
  const result = await stub.commands.get(COMMANDS.checkAtCursor)!();
  assert.deepEqual(result, { jobId: 7, token: 'xpiler-twice', state: 'running' });
  const ca = c.requests.find((r) => r.method === 'textDocument/codeAction')!;
  assert.equal(ca.params.textDocument.uri, 'file:///w/k.cu');
  assert.deepEqual(ca.params.range.start, { line: 12, character: 8 });
  assert.deepEqual(ca.params.context.only, ['source.xpiler.check']);
  const resolve = c.requests.find((r) => r.method === 'codeAction/resolve')!;
  assert.equal(resolve.params.data.kernel, 'twice');
  // Executed through VS Code's command (as the light bulb does), which reaches the server.
  const run = stub.executed.find((e) => e.command === 'xpiler.runJob')!;
  assert.deepEqual(run.args, [{ uri: 'file:///w/k.cu', version: 3, kernel: 'twice', job: 'check' }]);
  assert.deepEqual(c.requests.at(-1), { method: 'workspace/executeCommand', params: { command: 'xpiler.runJob', arguments: [run.args[0]] } });
  assert.equal(stub.quickPicks.length, 0);
});

test('Check Kernel at Cursor: several kernels offered -> a quick pick; none -> a message', async () => {
  workspace();
  const deps = fakeDeps(script);
  const controller = await activateWith(context(tmpdir()), deps);
  controller.firstParseWaitMs = 600;
  stub.openEditor('/w/k.cu', 'cuda-cpp', 0, 0);
  stub.pickAnswer = (items) => items.find((i: any) => i.label.includes('scale'));
  const result = await stub.commands.get(COMMANDS.checkAtCursor)!();
  assert.equal(stub.quickPicks.length, 1);
  assert.deepEqual(stub.quickPicks[0].items.map((i: any) => i.label), ['Check `scale`: compile and run on the CPU', 'Check `twice`: compile and run on the CPU']);
  assert.equal(result.token, 'xpiler-scale');
  // A file with no kernel (the server answers with no actions).
  deps.clients[0].server.set('textDocument/codeAction', () => []);
  const before = Date.now();
  assert.equal(await stub.commands.get(COMMANDS.checkAtCursor)!(), undefined);
  assert.ok(Date.now() - before >= 600, 'waits for the first parse before giving up');
  assert.ok(stub.messages.some((m) => /no kernel to check/.test(m.text)));
  // Not a kernel language.
  stub.openEditor('/w/notes.md', 'markdown', 0, 0);
  assert.equal(await stub.commands.get(COMMANDS.checkAtCursor)!(), undefined);
  assert.ok(stub.messages.some((m) => /open a CUDA, HIP, BANG C or C file/.test(m.text)));
});

test('Cancel Running Job: one job, a pick among several, or none', async () => {
  workspace();
  let jobs: any[] = [];
  const cancels: any[] = [];
  const deps = fakeDeps((c) => {
    c.server.set('command:xpiler.listJobs', () => jobs);
    c.server.set('command:xpiler.cancelJob', (a: any) => {
      cancels.push(a);
      return { cancelled: a.jobId ? [a.jobId] : jobs.filter((j) => j.state !== 'done').map((j) => j.jobId) };
    });
  });
  await activateWith(context(tmpdir()), deps);
  const cancel = stub.commands.get(COMMANDS.cancelRunning)!;
  // none
  assert.deepEqual(await cancel(), []);
  assert.ok(stub.messages.some((m) => /no job is running/.test(m.text)));
  // one
  jobs = [
    { jobId: 1, job: 'check', title: 'Check twice', state: 'done' },
    { jobId: 2, job: 'check', title: 'Check scale: compile and run on the CPU', state: 'running' },
  ];
  assert.deepEqual(await cancel(), [2]);
  assert.deepEqual(cancels.at(-1), { jobId: 2 });
  assert.equal(stub.quickPicks.length, 0);
  // several: pick one, then all
  jobs.push({ jobId: 3, job: 'compile', title: 'Compile-check twice', state: 'queued' });
  stub.pickAnswer = (items) => items[1];
  assert.deepEqual(await cancel(), [3]);
  assert.deepEqual(stub.quickPicks[0].items.map((i: any) => i.label), ['Check scale: compile and run on the CPU', 'Compile-check twice', 'All jobs']);
  stub.pickAnswer = (items) => items.at(-1);
  assert.deepEqual(await cancel(), [2, 3]);
  assert.deepEqual(cancels.at(-1), {});
  // dismissed
  stub.pickAnswer = () => undefined;
  const n = cancels.length;
  assert.equal(await cancel(), undefined);
  assert.equal(cancels.length, n);
});

test('job progress: a cancellable notification whose Cancel reaches the server; job count in the status bar', async () => {
  workspace();
  const deps = fakeDeps(script);
  await activateWith(context(tmpdir()), deps);
  const c = deps.clients[0];
  const token = 'xpiler-1234';
  c.serverProgress(token, { kind: 'begin', title: 'Check twice: compile and run on the CPU', cancellable: true, percentage: 0, message: 'queued' });
  await until(() => stub.progress.length === 1 && stub.progress[0].reports.length === 1);
  const p = stub.progress[0];
  assert.equal(p.options.location, 15 /* Notification */);
  assert.equal(p.options.cancellable, true);
  assert.match(p.options.title!, /Check twice/);
  assert.match(status().text, /ready, 1 job/);
  c.serverProgress(token, { kind: 'report', message: 'compile: nvcc', percentage: 30 });
  assert.deepEqual(p.reports.at(-1), { message: 'compile: nvcc', increment: 30 });
  // A second job.
  c.serverProgress('xpiler-2', { kind: 'begin', title: 'Compile-check scale', cancellable: true });
  await until(() => /2 jobs/.test(status().text));
  // The user presses Cancel on the first notification.
  p.cancel();
  assert.deepEqual(c.notifications.at(-1), { method: 'window/workDoneProgress/cancel', params: { token } });
  c.serverProgress(token, { kind: 'end', message: 'cancelled' });
  await until(() => p.done);
  assert.match(status().text, /ready, 1 job/);
  c.serverProgress('xpiler-2', { kind: 'end', message: 'finished' });
  await until(() => stub.progress[1].done);
  assert.match(status().text, /Xpiler: ready$/);
  // A progress the server ends before the notification appears still finishes.
  c.serverProgress('xpiler-3', { kind: 'begin', title: 'quick', cancellable: false }, { kind: 'end' });
  await until(() => stub.progress.length === 3 && stub.progress[2].done);
  assert.equal(stub.progress[2].options.cancellable, false);
  // Stopping the client ends what is left.
  c.serverProgress('xpiler-4', { kind: 'begin', title: 'left over', cancellable: true });
  await until(() => stub.progress.length === 4);
  await deactivate();
  await until(() => stub.progress[3].done);
  assert.match(status().text, /stopped/);
});

test('untitled and file documents of every language are selected', () => {
  const schemes = new Set(DOCUMENT_SELECTOR.map((s) => s.scheme));
  assert.deepEqual([...schemes].sort(), ['file', 'untitled']);
  assert.ok(path.isAbsolute(__dirname));
});
