/** The languages the Xpiler server handles in VS Code (no `vscode` import: shared with tests). */

/** VS Code's own ids (cuda-cpp, c, cpp), `cuda` (third-party CUDA extensions) and the two this
 * extension contributes: BANG C (`.mlu`) and HIP (`.hip`). */
export const LANGUAGES = ['cuda-cpp', 'cuda', 'c', 'cpp', 'bang', 'hip'] as const;

export const DOCUMENT_SELECTOR = LANGUAGES.flatMap((language) => [
  { scheme: 'file', language },
  { scheme: 'untitled', language },
]);

/** The server's commands (registered in VS Code by vscode-languageclient; not in the palette). */
export const SERVER_COMMANDS = {
  runJob: 'xpiler.runJob',
  cancelJob: 'xpiler.cancelJob',
  listJobs: 'xpiler.listJobs',
  translationReport: 'xpiler.translationReport',
} as const;

/** This extension's commands (package.json `contributes.commands`). */
export const COMMANDS = {
  restart: 'xpiler.restartServer',
  showLog: 'xpiler.showServerLog',
  checkAtCursor: 'xpiler.checkKernelAtCursor',
  cancelRunning: 'xpiler.cancelRunningJob',
  translate: 'xpiler.translateKernel',
  reviewTranslation: 'xpiler.reviewTranslation',
  compareWithOriginal: 'xpiler.compareWithOriginal',
} as const;

/** Context keys the extension sets for `when` clauses. */
export const CONTEXT_KEYS = {
  languages: 'xpiler.languages',
  /** The active editor's file carries a `// xpiler: port-of` comment (a translation or a port). */
  editorIsPort: 'xpiler.editorIsPort',
} as const;

/** Code action kinds the server gives its per-kernel actions. */
export const CHECK_ACTION_KIND = 'source.xpiler.check';
/** The server's "Translate `k` to X" actions. */
export const TRANSLATE_ACTION_KIND = 'refactor.rewrite';
/** The server's "Compare `k` with its original (FILE: KERNEL)" action (a port-of comment). */
export const REVIEW_ACTION_KIND = 'source.xpiler.review';
