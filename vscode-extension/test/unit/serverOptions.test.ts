import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { findOnPath, INSTALL_HINT, resolveServer } from '../../src/serverOptions';
import { executable, fakeVenv, tmpdir } from './helpers';

const noPath = { PATH: '', HOME: '/home/u' };

test('xpiler.server.python wins and runs python -m xpiler_lsp', () => {
  const dir = tmpdir();
  const python = executable(path.join(dir, 'py', 'python3'));
  fakeVenv(path.join(dir, 'ws'));
  const r = resolveServer({ configuredPython: python, workspaceFolders: [path.join(dir, 'ws')], extensionPath: dir, env: noPath });
  assert.ok(r.found);
  assert.equal(r.source, 'setting');
  assert.equal(r.executable.command, python);
  assert.deepEqual(r.executable.args, ['-m', 'xpiler_lsp']);
  assert.equal(r.executable.options.cwd, path.join(dir, 'ws'));
  assert.equal(r.executable.options.env.PYTHONUNBUFFERED, '1');
});

test('a bare interpreter name in the setting is looked up on PATH', () => {
  const dir = tmpdir();
  const python = executable(path.join(dir, 'bin', 'python3.11'));
  const r = resolveServer({ configuredPython: 'python3.11', workspaceFolders: [], extensionPath: dir, env: { PATH: path.join(dir, 'bin') } });
  assert.ok(r.found);
  assert.equal(r.executable.command, python);
});

test('a setting that points nowhere is reported, with the install hint', () => {
  const r = resolveServer({ configuredPython: '/nowhere/python', workspaceFolders: [], extensionPath: tmpdir(), env: noPath });
  assert.ok(!r.found);
  assert.match(r.message, /xpiler\.server\.python.*\/nowhere\/python/);
  assert.equal(r.detail.includes(INSTALL_HINT), true);
});

test('a workspace folder .venv with Xpiler installed comes next', () => {
  const dir = tmpdir();
  const unrelated = path.join(dir, 'other');
  executable(path.join(unrelated, '.venv', 'bin', 'python')); // no xpiler-lsp: some other project
  const python = fakeVenv(path.join(dir, 'xp'));
  const r = resolveServer({ workspaceFolders: [unrelated, path.join(dir, 'xp')], extensionPath: tmpdir(), env: noPath });
  assert.ok(r.found);
  assert.equal(r.source, 'workspace');
  assert.equal(r.executable.command, python);
});

test("the extension's own repository checkout (run from source) comes next", () => {
  const repo = tmpdir();
  const python = fakeVenv(repo);
  const ext = path.join(repo, 'vscode-extension');
  for (const extensionPath of [ext, path.join(ext, 'dist')]) {
    const r = resolveServer({ workspaceFolders: [], extensionPath, env: noPath });
    assert.ok(r.found, extensionPath);
    assert.equal(r.source, 'repository');
    assert.equal(r.executable.command, python);
  }
});

test('then xpiler-lsp on PATH, with no arguments', () => {
  const dir = tmpdir();
  const lsp = executable(path.join(dir, 'bin', 'xpiler-lsp'));
  const r = resolveServer({ workspaceFolders: [], extensionPath: tmpdir(), env: { PATH: `/nonexistent:${path.join(dir, 'bin')}` } });
  assert.ok(r.found);
  assert.equal(r.source, 'path');
  assert.equal(r.executable.command, lsp);
  assert.deepEqual(r.executable.args, []);
});

test('nothing found: says how to install and configure', () => {
  const r = resolveServer({ workspaceFolders: [tmpdir()], extensionPath: tmpdir(), env: noPath });
  assert.ok(!r.found);
  assert.match(r.message, /not found/);
  assert.match(r.detail, /make setup/);
  assert.match(r.detail, /pip install xpiler/);
  assert.match(r.detail, /xpiler\.server\.python/);
});

test('Windows layout: .venv\\Scripts\\python.exe and PATHEXT', () => {
  const files = new Set(['C:\\ws\\.venv\\Scripts\\python.exe', 'C:\\ws\\.venv\\Scripts\\xpiler-lsp.exe', 'C:\\tools\\xpiler-lsp.EXE']);
  const isExecutable = (p: string) => files.has(p.split(path.sep).join('\\').replace(/^\/+/, ''));
  // Paths are joined with the host's separator; compare in a separator-neutral way.
  const r = resolveServer({ workspaceFolders: ['C:\\ws'], extensionPath: 'C:\\ext', env: { Path: 'C:\\tools' }, platform: 'win32', isExecutable });
  assert.ok(r.found);
  assert.equal(r.source, 'workspace');
  assert.ok(r.executable.command.endsWith('python.exe'));
  const w = findOnPath('xpiler-lsp', { Path: 'C:\\tools', PATHEXT: '.EXE' }, 'win32', isExecutable);
  assert.ok(w && w.endsWith('xpiler-lsp.EXE'));
});
