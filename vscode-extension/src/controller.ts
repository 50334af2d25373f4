/**
 * The extension's logic: find and start the server, keep the status bar and settings in step,
 * and the commands. The LanguageClient comes from a factory (extension.ts passes the real one,
 * the unit tests a stand-in).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  CancellationToken,
  CodeAction,
  CodeActionParams,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  Command,
  ConfigurationParams,
  DidChangeConfigurationNotification,
  DocumentSymbol,
  DocumentSymbolRequest,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  ShowDocumentResult,
  State,
} from 'vscode-languageclient/node';
import {
  CHECK_ACTION_KIND,
  COMMANDS,
  CONTEXT_KEYS,
  DOCUMENT_SELECTOR,
  LANGUAGES,
  SERVER_COMMANDS,
  TRANSLATE_ACTION_KIND,
} from './languages';
import { KERNEL_EXTENSIONS, kernelsIn, portOfAt, portOfComments, resolvePortOf, TARGETS } from './ports';
import { NotificationProgressFeature } from './progress';
import { resolveServer, ServerExecutable, ServerResolution } from './serverOptions';
import { initializationOptions, serverSettings, SettingGetter } from './settings';
import { StatusItem } from './status';

/** The part of vscode-languageclient's LanguageClient the extension uses. */
export type XpilerClient = Pick<
  LanguageClient,
  | 'start'
  | 'dispose'
  | 'state'
  | 'onDidChangeState'
  | 'sendRequest'
  | 'sendNotification'
  | 'onRequest'
  | 'onProgress'
  | 'registerFeature'
  | 'code2ProtocolConverter'
>;

export interface Deps {
  createClient(executable: ServerExecutable, options: LanguageClientOptions): XpilerClient;
}

/** A job as `xpiler.listJobs` describes it. */
export interface JobInfo {
  jobId: number;
  job: string;
  title: string;
  state: string;
  token?: string;
  pid?: number | null;
}

/** What `xpiler.runJob` answers. */
export type RunJobResult = { jobId: number; token: string; state: string } | { error: string };

/** What `xpiler.translationReport` answers for a result made in this session. */
export interface TranslationReport {
  uri: string;
  source: string;
  status: string;
  verdict: string;
  report?: Record<string, unknown>;
}

/** What "Xpiler: Review Translation" opened: the diff of `source` (left) and `result` (right). */
export interface ReviewOpened {
  source: vscode.Uri;
  result: vscode.Uri;
  title: string;
  from: 'server' | 'port-of';
}

/** The argument of `xpiler.translateKernel` (palette: none; keybindings, other extensions: a
 * target, as `"hip"` or `{ "target": "hip" }`). */
export type TranslateArg = string | { target?: string } | undefined;

/** The arguments of a review job, as `xpiler.runJob` takes them. */
export interface ReviewJobArgs {
  uri: string;
  version: number;
  job: 'review';
  kernel: string;
  against: { path: string; kernel: string };
}

const isLanguage = (doc: vscode.TextDocument) => (LANGUAGES as readonly string[]).includes(doc.languageId);
const errorOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export const OUTPUT_CHANNEL = 'Xpiler Language Server';

function getter(scope?: vscode.Uri | null): SettingGetter {
  const config = vscode.workspace.getConfiguration('xpiler', scope ?? undefined);
  return (key) => config.get(key);
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class XpilerController implements vscode.Disposable {
  readonly output: vscode.OutputChannel;
  readonly status: StatusItem;
  client?: XpilerClient;
  resolution?: ServerResolution;
  private starting?: Promise<void>;
  private stopping = false;
  /** How long Check Kernel at Cursor waits for a just-opened file's first parse. */
  firstParseWaitMs = 3000;
  /** Results the server created and showed (window/showDocument) since the client started: the
   * files `xpiler.translationReport` knows. */
  readonly results = new Set<string>();
  private readonly disposables: vscode.Disposable[] = [];
  private clientDisposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly deps: Deps,
  ) {
    this.output = vscode.window.createOutputChannel(OUTPUT_CHANNEL);
    this.status = new StatusItem();
    this.disposables.push(
      this.output,
      this.status,
      vscode.commands.registerCommand(COMMANDS.restart, () => this.restart()),
      vscode.commands.registerCommand(COMMANDS.showLog, () => this.output.show(true)),
      vscode.commands.registerCommand(COMMANDS.checkAtCursor, () => this.checkKernelAtCursor()),
      vscode.commands.registerCommand(COMMANDS.cancelRunning, () => this.cancelRunningJob()),
      vscode.commands.registerCommand(COMMANDS.translate, (arg?: TranslateArg) => this.translateKernel(arg)),
      vscode.commands.registerCommand(COMMANDS.reviewTranslation, (uri?: vscode.Uri) => this.reviewTranslation(uri)),
      vscode.commands.registerCommand(COMMANDS.compareWithOriginal, () => this.compareWithOriginal()),
      vscode.window.onDidChangeActiveTextEditor(() => this.updateEditorContext()),
      vscode.workspace.onDidChangeTextDocument((e) => {
        if (e.document === vscode.window.activeTextEditor?.document) this.updateEditorContext();
      }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('xpiler.server')) {
          this.output.appendLine('xpiler.server.python changed: restarting the server');
          void this.restart();
        }
      }),
    );
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.languages, [...LANGUAGES]);
    this.updateEditorContext();
  }

  private editorIsPort?: boolean;

  /** `xpiler.editorIsPort` for the active editor (Review Translation's `when` clause). */
  updateEditorContext(): void {
    const doc = vscode.window.activeTextEditor?.document;
    const isPort = !!doc && isLanguage(doc) && /\/\/[ \t]*xpiler:[ \t]*port-of[ \t]/.test(doc.getText());
    if (isPort === this.editorIsPort) return;
    this.editorIsPort = isPort;
    void vscode.commands.executeCommand('setContext', CONTEXT_KEYS.editorIsPort, isPort);
  }

  // ---------------------------------------------------------------- lifecycle
  start(): Promise<void> {
    if (!this.starting) this.starting = this.doStart().finally(() => (this.starting = undefined));
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
    const resolution = resolveServer({
      configuredPython: vscode.workspace.getConfiguration('xpiler').get<string>('server.python'),
      workspaceFolders: folders,
      extensionPath: this.context.extensionPath,
    });
    this.resolution = resolution;
    if (!resolution.found) {
      this.status.setState('error', 'server not found');
      this.output.appendLine(`${resolution.message} ${resolution.detail}`);
      void this.showNotFound(resolution);
      return;
    }
    this.output.appendLine(`Starting the Xpiler language server: ${resolution.description}`);
    this.status.setState('starting', resolution.description);
    let self: XpilerClient | undefined;
    const client = this.deps.createClient(resolution.executable, this.clientOptions(() => self));
    self = client;
    const progress = new NotificationProgressFeature(client);
    client.registerFeature(progress);
    this.client = client;
    this.results.clear(); // a new server knows none of the old one's results
    this.stopping = false;
    this.clientDisposables = [
      progress,
      progress.onDidChange((jobs) => this.status.setJobs(jobs)),
      client.onDidChangeState((e) => {
        if (this.client !== client) return;
        if (e.newState === State.Starting) this.status.setState('starting', resolution.description);
        else if (e.newState === State.Running) this.status.setState('ready', resolution.description);
        else if (this.stopping) this.status.setState('stopped');
        else this.status.setState('error', 'the server stopped: see the server log');
      }),
    ];
    try {
      await client.start();
      if (this.client === client) this.status.setState('ready', resolution.description);
    } catch (e) {
      if (this.client !== client) return;
      const msg = e instanceof Error ? e.message : String(e);
      this.status.setState('error', msg);
      this.output.appendLine(`The server did not start: ${msg}`);
      void vscode.window.showErrorMessage(`Xpiler: the language server did not start (${msg}).`, 'Show Server Log').then((a) => {
        if (a) this.output.show(true);
      });
    }
  }

  async stop(): Promise<void> {
    if (this.starting) await this.starting.catch(() => undefined);
    const client = this.client;
    if (!client) return;
    this.stopping = true;
    try {
      await client.dispose(3000);
    } catch (e) {
      this.output.appendLine(`Stopping the server: ${e instanceof Error ? e.message : String(e)}`);
    } finally {
      this.clientDisposables.forEach((d) => d.dispose());
      this.clientDisposables = [];
      if (this.client === client) {
        this.client = undefined;
        this.status.setState('stopped');
      }
    }
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  /** The options of a client; `client` gives that client (for the middleware) once created. */
  clientOptions(client: () => XpilerClient | undefined): LanguageClientOptions {
    return {
      documentSelector: DOCUMENT_SELECTOR,
      // A function: read again at every (re)start.
      initializationOptions: () => initializationOptions(getter()),
      synchronize: { configurationSection: 'xpiler' },
      outputChannel: this.output,
      revealOutputChannelOn: RevealOutputChannelOn.Never,
      middleware: {
        workspace: {
          // workspace/configuration: section `xpiler` without the client's own `server.*`.
          configuration: async (params: ConfigurationParams, token, next) => {
            const answer = await next(params, token);
            if (!Array.isArray(answer)) return answer;
            return params.items.map((item, i) =>
              item.section === 'xpiler'
                ? serverSettings(getter(item.scopeUri ? vscode.Uri.parse(item.scopeUri) : undefined))
                : answer[i],
            );
          },
          // didChangeConfiguration: the same settings the server reads at initialize.
          didChangeConfiguration: async (sections, next) => {
            const c = client();
            if (!c || !(sections ?? []).includes('xpiler')) return next(sections);
            await c.sendNotification(DidChangeConfigurationNotification.type, { settings: initializationOptions(getter()) });
          },
        },
        window: {
          // The server shows each translation it creates: remember it for Review Translation.
          showDocument: async (params, next) => {
            if (client() === this.client) this.results.add(params.uri);
            return (await next(params, CancellationToken.None)) as ShowDocumentResult;
          },
        },
      },
    };
  }

  private async showNotFound(r: Extract<ServerResolution, { found: false }>): Promise<void> {
    const open = 'Open Settings';
    const log = 'Show Server Log';
    const choice = await vscode.window.showErrorMessage(`${r.message} ${r.detail}`, open, log);
    if (choice === open) await vscode.commands.executeCommand('workbench.action.openSettings', 'xpiler.server.python');
    else if (choice === log) this.output.show(true);
  }

  /** The running client, waiting for one that is starting; undefined (and says why) otherwise. */
  private async readyClient(): Promise<XpilerClient | undefined> {
    if (this.starting) await this.starting;
    const client = this.client;
    if (client && client.state === State.Running) return client;
    if (this.resolution && !this.resolution.found) {
      void this.showNotFound(this.resolution);
    } else {
      void vscode.window.showWarningMessage('Xpiler: the language server is not running. Run "Xpiler: Restart Server".');
    }
    return undefined;
  }

  // ---------------------------------------------------------------- commands
  /** The active editor on a CUDA, HIP, BANG C or C file; else says so. */
  private kernelEditor(what: string): vscode.TextEditor | undefined {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !isLanguage(editor.document)) {
      void vscode.window.showWarningMessage(`Xpiler: open a CUDA, HIP, BANG C or C file and ${what}.`);
      return undefined;
    }
    return editor;
  }

  /** The server's code actions of `kind` at `pos` (not resolved: no edit or command yet),
   * waiting for a just-opened file's first parse. */
  private async codeActionsAt(client: XpilerClient, doc: vscode.TextDocument, pos: vscode.Position, kind: string): Promise<CodeAction[]> {
    const params: CodeActionParams = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
      range: { start: { line: pos.line, character: pos.character }, end: { line: pos.line, character: pos.character } },
      context: { diagnostics: [], only: [kind], triggerKind: CodeActionTriggerKind.Invoked },
    };
    let found: CodeAction[] = [];
    for (const end = Date.now() + this.firstParseWaitMs; ; ) {
      const actions = (await client.sendRequest(CodeActionRequest.type, params)) ?? [];
      // CodeActions (not bare Commands) of the kind.
      found = actions.filter((a): a is CodeAction => typeof a.command !== 'string' && (a as CodeAction).kind === kind);
      if (found.length > 0 || actions.length > 0 || Date.now() >= end) break;
      await sleep(200);
    }
    return found;
  }

  /** Resolve a code action and execute its command through VS Code, as choosing it from the
   * light bulb does. */
  private async runAction<R>(client: XpilerClient, action: CodeAction): Promise<R | undefined> {
    const resolved = action.command ? action : await client.sendRequest(CodeActionResolveRequest.type, action);
    const command: Command | undefined = resolved.command;
    if (!command) {
      void vscode.window.showErrorMessage(`Xpiler: the server gave no command for "${action.title}".`);
      return undefined;
    }
    return this.execute<R>(action.title, command.command, command.arguments ?? []);
  }

  private async execute<R>(label: string, command: string, args: unknown[]): Promise<R | undefined> {
    this.output.appendLine(`${label}: ${command} ${JSON.stringify(args)}`);
    const result = await vscode.commands.executeCommand<R>(command, ...args);
    const r = result as unknown as RunJobResult | undefined;
    if (r && typeof r === 'object' && 'jobId' in r) this.output.appendLine(`  job ${r.jobId} ${r.state}`);
    else if (r && typeof r === 'object' && 'error' in r) this.output.appendLine(`  refused: ${r.error}`);
    return result;
  }

  /** The kernels of a file the server has open, from its document symbols. */
  private async kernelSymbols(client: XpilerClient, doc: vscode.TextDocument): Promise<DocumentSymbol[]> {
    try {
      const symbols = (await client.sendRequest(DocumentSymbolRequest.type, {
        textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
      })) as DocumentSymbol[] | null;
      return (symbols ?? []).filter((s) => 'range' in s && /^kernel\b/.test(s.detail ?? ''));
    } catch (e) {
      this.output.appendLine(`document symbols of ${doc.uri.toString()}: ${errorOf(e)}`);
      return [];
    }
  }

  /** "Xpiler: Check Kernel at Cursor": the server's Check code action at the cursor, resolved
   * and executed (as choosing it from the light bulb does). */
  async checkKernelAtCursor(): Promise<RunJobResult | undefined> {
    const editor = this.kernelEditor('put the cursor in a kernel');
    if (!editor) return undefined;
    const client = await this.readyClient();
    if (!client) return undefined;
    const checks = await this.codeActionsAt(client, editor.document, editor.selection.active, CHECK_ACTION_KIND);
    if (checks.length === 0) {
      void vscode.window.showInformationMessage('Xpiler: no kernel to check here.');
      return undefined;
    }
    let action = checks[0];
    if (checks.length > 1) {
      const pick = await vscode.window.showQuickPick(
        checks.map((a) => ({ label: a.title, action: a })),
        { placeHolder: 'Check which kernel?' },
      );
      if (!pick) return undefined;
      action = pick.action;
    }
    return this.runAction<RunJobResult>(client, action);
  }

  /** "Xpiler: Translate Kernel to...": the server's "Translate `k` to X" action for the kernel at
   * the cursor (a pick of the file's kernels when the cursor is in none), the target picked among
   * those the server offers (every dialect but the file's own) unless given; resolved and
   * executed as the light bulb does. */
  async translateKernel(arg?: TranslateArg): Promise<RunJobResult | undefined> {
    const editor = this.kernelEditor('put the cursor in a kernel');
    if (!editor) return undefined;
    const client = await this.readyClient();
    if (!client) return undefined;
    const doc = editor.document;
    const wanted = typeof arg === 'string' ? arg : arg?.target;
    let actions = await this.codeActionsAt(client, doc, editor.selection.active, TRANSLATE_ACTION_KIND);
    if (actions.length === 0) {
      // Outside every kernel: the file's kernels, then the actions at the one picked.
      const kernels = await this.kernelSymbols(client, doc);
      if (kernels.length === 0) {
        void vscode.window.showInformationMessage('Xpiler: no kernel to translate here.');
        return undefined;
      }
      let kernel = kernels[0];
      if (kernels.length > 1) {
        const pick = await vscode.window.showQuickPick(
          kernels.map((k) => ({ label: k.name, description: k.detail, kernel: k })),
          { placeHolder: 'Translate which kernel?' },
        );
        if (!pick) return undefined;
        kernel = pick.kernel;
      }
      const at = kernel.selectionRange.start;
      actions = await this.codeActionsAt(client, doc, new vscode.Position(at.line, at.character), TRANSLATE_ACTION_KIND);
      if (actions.length === 0) {
        void vscode.window.showInformationMessage(`Xpiler: the server offers no translation of \`${kernel.name}\`.`);
        return undefined;
      }
    }
    const targetOf = (a: CodeAction): string | undefined => {
      const data = a.data as { target?: unknown } | undefined;
      if (typeof data?.target === 'string') return data.target;
      return TARGETS.find((t) => a.title.endsWith(` to ${t.title}`))?.id;
    };
    const kernelOf = (a: CodeAction) => /`([^`]+)`/.exec(a.title)?.[1] ?? '';
    const kernels = [...new Set(actions.map(kernelOf))];
    let action: CodeAction | undefined;
    if (wanted !== undefined) {
      const matching = actions.filter((a) => targetOf(a) === wanted);
      if (matching.length === 0) {
        const offered = actions.map(targetOf).filter((t) => t).join(', ');
        void vscode.window.showWarningMessage(`Xpiler: no translation to "${wanted}" here (offered: ${offered || 'none'}).`);
        return undefined;
      }
      action = matching[0];
    }
    if (!action && actions.length === 1) action = actions[0];
    if (!action) {
      const title = (id?: string) => TARGETS.find((t) => t.id === id)?.title;
      const pick = await vscode.window.showQuickPick(
        actions.map((a) => ({
          label: title(targetOf(a)) ?? a.title,
          description: kernels.length > 1 ? `\`${kernelOf(a)}\`` : TARGETS.find((t) => t.id === targetOf(a))?.suffix,
          detail: kernels.length > 1 ? undefined : a.title,
          action: a,
        })),
        { placeHolder: kernels.length === 1 ? `Translate \`${kernels[0]}\` to...` : 'Translate which kernel to...' },
      );
      if (!pick) return undefined;
      action = pick.action;
    }
    return this.runAction<RunJobResult>(client, action);
  }

  /** "Xpiler: Review Translation": a diff of a translation's source (left) and the translation
   * (right). The source from the server (`xpiler.translationReport`) for a result it made in this
   * session, else from the file's `// xpiler: port-of` comment. */
  async reviewTranslation(target?: vscode.Uri): Promise<ReviewOpened | undefined> {
    let uri = target instanceof vscode.Uri ? target : undefined;
    let text: string | undefined;
    let line = 0;
    const editor = vscode.window.activeTextEditor;
    if (!uri) {
      if (!editor || !isLanguage(editor.document)) {
        void vscode.window.showWarningMessage('Xpiler: open a translated file (one with a `// xpiler: port-of` comment) to review it.');
        return undefined;
      }
      uri = editor.document.uri;
    }
    if (editor && editor.document.uri.toString() === uri.toString()) {
      text = editor.document.getText();
      line = editor.selection.active.line;
    } else {
      text = (await vscode.workspace.openTextDocument(uri)).getText();
    }
    const name = path.basename(uri.fsPath);
    let opened: ReviewOpened | undefined;
    const client = this.client && this.client.state === State.Running ? this.client : undefined;
    const key = client ? client.code2ProtocolConverter.asUri(uri) : uri.toString();
    const comments = portOfComments(text);
    // Ask the server about its own results, or as the last resort (it then says why it cannot).
    if (client && (this.results.has(key) || comments.length === 0)) {
      let report: TranslationReport | { error: string } | undefined;
      try {
        report = (await client.sendRequest(ExecuteCommandRequest.type, {
          command: SERVER_COMMANDS.translationReport,
          arguments: [{ uri: key }],
        })) as TranslationReport | { error: string } | undefined;
      } catch (e) {
        this.output.appendLine(`${SERVER_COMMANDS.translationReport} ${key}: ${errorOf(e)}`);
      }
      if (report && 'source' in report && typeof report.source === 'string') {
        const source = vscode.Uri.parse(report.source);
        opened = { source, result: uri, title: `${path.basename(source.fsPath)} ↔ ${name} (Xpiler: ${report.status})`, from: 'server' };
      }
    }
    if (!opened) {
      if (comments.length === 0) {
        void vscode.window.showWarningMessage(
          `Xpiler: ${name} is not a translation made in this session and has no \`// xpiler: port-of\` comment naming its source.`,
        );
        return undefined;
      }
      const originals = [...new Set(comments.map((c) => resolvePortOf(uri!.fsPath, c)))];
      let original = resolvePortOf(uri.fsPath, portOfAt(comments, line)!);
      if (originals.length > 1) {
        const pick = await vscode.window.showQuickPick(
          originals.map((o) => ({ label: path.basename(o), description: o, original: o })),
          { placeHolder: `${name} names several sources: review against which?` },
        );
        if (!pick) return undefined;
        original = pick.original;
      }
      if (!fs.existsSync(original)) {
        void vscode.window.showErrorMessage(`Xpiler: the source named by ${name}'s port-of comment, ${original}, does not exist.`);
        return undefined;
      }
      opened = { source: vscode.Uri.file(original), result: uri, title: `${path.basename(original)} ↔ ${name} (Xpiler)`, from: 'port-of' };
    }
    this.output.appendLine(`Review Translation: ${opened.source.toString()} ↔ ${opened.result.toString()} (source from ${opened.from})`);
    await vscode.commands.executeCommand('vscode.diff', opened.source, opened.result, opened.title);
    return opened;
  }

  /** "Xpiler: Compare with Original...": the port's kernel (at the cursor, or picked), the
   * original's file (an open dialog) and kernel (picked when it has several), then the server's
   * review job, whose disagreements come back as diagnostics on the port. */
  async compareWithOriginal(): Promise<RunJobResult | undefined> {
    const editor = this.kernelEditor('put the cursor in the kernel to compare');
    if (!editor) return undefined;
    const client = await this.readyClient();
    if (!client) return undefined;
    const doc = editor.document;
    const line = editor.selection.active.line;
    // The port's kernel: the server's, else read off the text.
    const symbols = await this.kernelSymbols(client, doc);
    let kernels = symbols.map((s) => ({ name: s.name, start: s.range.start.line, end: s.range.end.line }));
    if (kernels.length === 0) kernels = kernelsIn(doc.getText()).map((k) => ({ name: k.name, start: k.line, end: k.line }));
    if (kernels.length === 0) {
      void vscode.window.showInformationMessage('Xpiler: no kernel in this file to compare.');
      return undefined;
    }
    let kernel = kernels.find((k) => k.start <= line && line <= k.end)?.name ?? (kernels.length === 1 ? kernels[0].name : undefined);
    if (!kernel) {
      const pick = await vscode.window.showQuickPick(kernels.map((k) => ({ label: k.name })), { placeHolder: 'Compare which kernel of this file?' });
      if (!pick) return undefined;
      kernel = pick.label;
    }
    // The original: a file picked, starting where the port-of comment points when there is one.
    const hint = doc.uri.scheme === 'file' ? portOfAt(portOfComments(doc.getText()), line) : undefined;
    const hinted = hint ? resolvePortOf(doc.uri.fsPath, hint) : undefined;
    const picked = await vscode.window.showOpenDialog({
      canSelectFiles: true,
      canSelectFolders: false,
      canSelectMany: false,
      defaultUri: hinted ? vscode.Uri.file(hinted) : doc.uri.scheme === 'file' ? vscode.Uri.file(path.dirname(doc.uri.fsPath)) : undefined,
      filters: { 'Kernel sources': KERNEL_EXTENSIONS, 'All files': ['*'] },
      openLabel: 'Compare with This Original',
      title: `Xpiler: the original of \`${kernel}\``,
    });
    const file = picked?.[0];
    if (!file) return undefined;
    if (file.scheme !== 'file') {
      void vscode.window.showWarningMessage('Xpiler: pick the original on this machine\'s file system.');
      return undefined;
    }
    let text: string;
    try {
      text = fs.readFileSync(file.fsPath, 'utf8');
    } catch (e) {
      void vscode.window.showErrorMessage(`Xpiler: cannot read ${file.fsPath}: ${errorOf(e)}`);
      return undefined;
    }
    const originals = kernelsIn(text);
    if (originals.length === 0) {
      void vscode.window.showWarningMessage(`Xpiler: found no kernel in ${path.basename(file.fsPath)}.`);
      return undefined;
    }
    let original = originals[0].name;
    if (originals.length > 1) {
      // The kernel the port-of comment names, or one of the port's name, first.
      const preferred = hint && path.resolve(hinted!) === path.resolve(file.fsPath) ? hint.kernel : kernel;
      const ordered = [...originals.filter((k) => k.name === preferred), ...originals.filter((k) => k.name !== preferred)];
      const pick = await vscode.window.showQuickPick(
        ordered.map((k) => ({ label: k.name, description: `${k.qualifier === 'function' ? 'function' : k.qualifier}, line ${k.line + 1}` })),
        { placeHolder: `Compare \`${kernel}\` with which kernel of ${path.basename(file.fsPath)}?` },
      );
      if (!pick) return undefined;
      original = pick.label;
    }
    const args: ReviewJobArgs = {
      uri: client.code2ProtocolConverter.asUri(doc.uri),
      version: doc.version,
      job: 'review',
      kernel,
      against: { path: file.fsPath, kernel: original },
    };
    return this.execute<RunJobResult>(`Compare \`${kernel}\` with ${path.basename(file.fsPath)}: ${original}`, SERVER_COMMANDS.runJob, [args]);
  }

  async listJobs(): Promise<JobInfo[]> {
    const client = await this.readyClient();
    if (!client) return [];
    // One (empty) argument: pygls refuses `arguments: []` for a handler that takes one.
    const jobs = await client.sendRequest(ExecuteCommandRequest.type, { command: SERVER_COMMANDS.listJobs, arguments: [{}] });
    return Array.isArray(jobs) ? (jobs as JobInfo[]) : [];
  }

  /** "Xpiler: Cancel Running Job": the one job, or a pick among several (or all of them). */
  async cancelRunningJob(): Promise<number[] | undefined> {
    const client = await this.readyClient();
    if (!client) return undefined;
    const active = (await this.listJobs()).filter((j) => j.state === 'queued' || j.state === 'running');
    if (active.length === 0) {
      void vscode.window.showInformationMessage('Xpiler: no job is running.');
      return [];
    }
    let target: { jobId?: number } = { jobId: active[0].jobId };
    if (active.length > 1) {
      const pick = await vscode.window.showQuickPick(
        [
          ...active.map((j) => ({ label: j.title, description: `${j.state}, job ${j.jobId}`, jobId: j.jobId as number | undefined })),
          { label: 'All jobs', description: `${active.length} jobs`, jobId: undefined },
        ],
        { placeHolder: 'Cancel which Xpiler job?' },
      );
      if (!pick) return undefined;
      target = pick.jobId === undefined ? {} : { jobId: pick.jobId };
    }
    const answer = (await client.sendRequest(ExecuteCommandRequest.type, {
      command: SERVER_COMMANDS.cancelJob,
      arguments: [target],
    })) as { cancelled?: number[] } | null;
    const cancelled = answer?.cancelled ?? [];
    vscode.window.setStatusBarMessage(`Xpiler: cancelled ${cancelled.length} job${cancelled.length === 1 ? '' : 's'}`, 4000);
    return cancelled;
  }

  dispose(): void {
    this.disposables.forEach((d) => d.dispose());
  }
}
