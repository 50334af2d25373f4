/** The server's settings (section `xpiler`, see docs/editors.md), built from VS Code's
 * configuration. No `vscode` import: the smoke test sends exactly these. */

export interface XpilerServerSettings {
  toolchain: { nvcc: string; hipcc: string; gcc: string; gxx: string };
  gpuArch: string;
  hipArch: string;
  mluArch: string;
  jobs: { concurrency: number; timeout: number; queueLimit: number };
  debounce: number;
}

/** Defaults: the same as the server's (server/xpiler_lsp/settings.py) and package.json's. */
export const DEFAULTS: XpilerServerSettings = {
  toolchain: { nvcc: '', hipcc: '', gcc: '', gxx: '' },
  gpuArch: 'sm_80',
  hipArch: 'gfx90a',
  mluArch: 'mtp_372',
  jobs: { concurrency: 2, timeout: 120, queueLimit: 16 },
  debounce: 250,
};

/** Settings read by key within the section `xpiler` (`toolchain.nvcc`, `jobs.timeout`, ...), as
 * `vscode.workspace.getConfiguration('xpiler').get` does. */
export type SettingGetter = (key: string) => unknown;

function str(get: SettingGetter, key: string, fallback: string): string {
  const v = get(key);
  return typeof v === 'string' ? v : fallback;
}

function num(get: SettingGetter, key: string, fallback: number, integer: boolean): number {
  const v = get(key);
  if (typeof v !== 'number' || !Number.isFinite(v)) return fallback;
  return integer ? Math.trunc(v) : v;
}

/** What the server reads: everything in section `xpiler` except the client's own `server.*`. */
export function serverSettings(get: SettingGetter): XpilerServerSettings {
  const d = DEFAULTS;
  return {
    toolchain: {
      nvcc: str(get, 'toolchain.nvcc', d.toolchain.nvcc),
      hipcc: str(get, 'toolchain.hipcc', d.toolchain.hipcc),
      gcc: str(get, 'toolchain.gcc', d.toolchain.gcc),
      gxx: str(get, 'toolchain.gxx', d.toolchain.gxx),
    },
    gpuArch: str(get, 'gpuArch', d.gpuArch) || d.gpuArch,
    hipArch: str(get, 'hipArch', d.hipArch) || d.hipArch,
    mluArch: str(get, 'mluArch', d.mluArch) || d.mluArch,
    jobs: {
      concurrency: num(get, 'jobs.concurrency', d.jobs.concurrency, true),
      timeout: num(get, 'jobs.timeout', d.jobs.timeout, false),
      queueLimit: num(get, 'jobs.queueLimit', d.jobs.queueLimit, true),
    },
    debounce: num(get, 'debounce', d.debounce, true),
  };
}

/** `initializationOptions` and the `didChangeConfiguration` payload: `{xpiler: {...}}`. */
export function initializationOptions(get: SettingGetter): { xpiler: XpilerServerSettings } {
  return { xpiler: serverSettings(get) };
}
