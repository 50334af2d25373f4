/**
 * Where the Xpiler language server comes from, and how it is started. No `vscode` import: the
 * smoke test starts the real server with exactly these options.
 *
 * Order: the `xpiler.server.python` setting; a `.venv` with Xpiler installed in a workspace
 * folder; the same in the repository this extension was built from (when it runs from a checkout
 * of the xpiler repository: the repository root is one level above `vscode-extension/`, two
 * above `vscode-extension/dist/extension.js`); `xpiler-lsp` on PATH.
 */
import * as fs from 'fs';
import * as path from 'path';

/** What vscode-languageclient's `Executable` needs (stdio transport, the default). */
export interface ServerExecutable {
  command: string;
  args: string[];
  options: { cwd?: string; env: NodeJS.ProcessEnv };
}

export type ServerSource = 'setting' | 'workspace' | 'repository' | 'path';

export type ServerResolution =
  | { found: true; source: ServerSource; executable: ServerExecutable; description: string }
  | { found: false; message: string; detail: string };

export interface ServerLookup {
  /** `xpiler.server.python` (empty or undefined: not set). */
  configuredPython?: string;
  /** File-system paths of the workspace folders. */
  workspaceFolders: readonly string[];
  /** The extension's folder (`context.extensionPath`). */
  extensionPath: string;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** For tests: is there an executable file at this path? */
  isExecutable?: (p: string) => boolean;
}

export const INSTALL_HINT =
  'Install it with `make setup` in the xpiler repository (it creates .venv/) or `pip install xpiler`, ' +
  'then set "xpiler.server.python" to that environment\'s Python, e.g. /path/to/xpiler/.venv/bin/python.';

function defaultIsExecutable(p: string): boolean {
  try {
    const st = fs.statSync(p);
    if (!st.isFile()) return false;
    if (process.platform === 'win32') return true;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function venvBin(platform: NodeJS.Platform): { dir: string; python: string; lsp: string } {
  return platform === 'win32'
    ? { dir: path.join('.venv', 'Scripts'), python: 'python.exe', lsp: 'xpiler-lsp.exe' }
    : { dir: path.join('.venv', 'bin'), python: 'python', lsp: 'xpiler-lsp' };
}

/** A PATH lookup like `which`. */
export function findOnPath(
  name: string,
  env: NodeJS.ProcessEnv,
  platform: NodeJS.Platform = process.platform,
  isExecutable: (p: string) => boolean = defaultIsExecutable,
): string | undefined {
  const dirs = (env.PATH ?? env.Path ?? '').split(platform === 'win32' ? ';' : ':').filter(Boolean);
  const exts = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT').split(';').concat(['']) : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + ext);
      if (isExecutable(candidate)) return candidate;
    }
  }
  return undefined;
}

/** The Python of a `.venv` under `root` that has Xpiler installed (its `xpiler-lsp` script is
 * next to it), if any. A `.venv` of some unrelated project is passed over. */
export function venvPython(root: string, platform: NodeJS.Platform, isExecutable: (p: string) => boolean): string | undefined {
  const v = venvBin(platform);
  const python = path.join(root, v.dir, v.python);
  return isExecutable(python) && isExecutable(path.join(root, v.dir, v.lsp)) ? python : undefined;
}

export function resolveServer(lookup: ServerLookup): ServerResolution {
  const env = { ...(lookup.env ?? process.env) };
  const platform = lookup.platform ?? process.platform;
  const isExecutable = lookup.isExecutable ?? defaultIsExecutable;
  const cwd = lookup.workspaceFolders[0];
  // The server talks over stdout: no buffering, so nothing waits in a pipe.
  const options = { cwd, env: { ...env, PYTHONUNBUFFERED: '1' } };
  const viaPython = (python: string, source: ServerSource, where: string): ServerResolution => ({
    found: true,
    source,
    executable: { command: python, args: ['-m', 'xpiler_lsp'], options },
    description: `${python} -m xpiler_lsp (${where})`,
  });

  const configured = (lookup.configuredPython ?? '').trim();
  if (configured) {
    const expanded = configured.replace(/^~(?=$|[\\/])/, env.HOME ?? env.USERPROFILE ?? '~');
    const python = /[\\/]/.test(expanded) ? expanded : findOnPath(expanded, env, platform, isExecutable);
    if (python && isExecutable(python)) return viaPython(python, 'setting', 'the xpiler.server.python setting');
    return {
      found: false,
      message: `Xpiler: "xpiler.server.python" is set to ${configured}, which is not an executable file.`,
      detail: `Point it at the Python of an environment with Xpiler installed. ${INSTALL_HINT}`,
    };
  }

  for (const folder of lookup.workspaceFolders) {
    const python = venvPython(folder, platform, isExecutable);
    if (python) return viaPython(python, 'workspace', `the workspace folder ${folder}`);
  }

  // Run from a checkout of the xpiler repository: <repo>/vscode-extension (or .../dist).
  const ext = path.resolve(lookup.extensionPath);
  for (const root of [path.dirname(ext), path.dirname(path.dirname(ext))]) {
    const python = venvPython(root, platform, isExecutable);
    if (python) return viaPython(python, 'repository', `the xpiler checkout ${root}`);
  }

  const onPath = findOnPath('xpiler-lsp', env, platform, isExecutable);
  if (onPath) {
    return {
      found: true,
      source: 'path',
      executable: { command: onPath, args: [], options },
      description: `${onPath} (on PATH)`,
    };
  }

  return {
    found: false,
    message: 'Xpiler: the language server was not found.',
    detail: INSTALL_HINT,
  };
}
