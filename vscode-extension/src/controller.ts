/**
 * The extension's logic: find and start the server, keep the status bar and settings in step,
 * and the commands. The LanguageClient comes from a factory (extension.ts passes the real one,
 * the unit tests a stand-in).
 */
import * as vscode from 'vscode';
import {
  CodeAction,
  CodeActionParams,
  CodeActionRequest,
  CodeActionResolveRequest,
  CodeActionTriggerKind,
  Command,
  ConfigurationParams,
  DidChangeConfigurationNotification,
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  RevealOutputChannelOn,
  State,
} from 'vscode-languageclient/node';
import { CHECK_ACTION_KIND, COMMANDS, DOCUMENT_SELECTOR, LANGUAGES, SERVER_COMMANDS } from './languages';
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
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('xpiler.server')) {
          this.output.appendLine('xpiler.server.python changed: restarting the server');
          void this.restart();
        }
      }),
    );
    void vscode.commands.executeCommand('setContext', 'xpiler.languages', [...LANGUAGES]);
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
  /** "Xpiler: Check Kernel at Cursor": the server's Check code action at the cursor, resolved
   * and executed (as choosing it from the light bulb does). */
  async checkKernelAtCursor(): Promise<RunJobResult | undefined> {
    const editor = vscode.window.activeTextEditor;
    if (!editor || !(LANGUAGES as readonly string[]).includes(editor.document.languageId)) {
      void vscode.window.showWarningMessage('Xpiler: open a CUDA, HIP, BANG C or C file and put the cursor in a kernel.');
      return undefined;
    }
    const client = await this.readyClient();
    if (!client) return undefined;
    const doc = editor.document;
    const pos = editor.selection.active;
    const params: CodeActionParams = {
      textDocument: { uri: client.code2ProtocolConverter.asUri(doc.uri) },
      range: { start: { line: pos.line, character: pos.character }, end: { line: pos.line, character: pos.character } },
      context: { diagnostics: [], only: [CHECK_ACTION_KIND], triggerKind: CodeActionTriggerKind.Invoked },
    };
    let checks: CodeAction[] = [];
    // Just opened: the server answers once its first parse is done.
    for (const end = Date.now() + this.firstParseWaitMs; ; ) {
      const actions = (await client.sendRequest(CodeActionRequest.type, params)) ?? [];
      // CodeActions (not bare Commands) of the Check kind; unresolved, so no edit or command yet.
      checks = actions.filter((a): a is CodeAction => typeof a.command !== 'string' && (a as CodeAction).kind === CHECK_ACTION_KIND);
      if (checks.length > 0 || actions.length > 0 || Date.now() >= end) break;
      await sleep(200);
    }
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
    const resolved = action.command ? action : await client.sendRequest(CodeActionResolveRequest.type, action);
    const command: Command | undefined = resolved.command;
    if (!command) {
      void vscode.window.showErrorMessage(`Xpiler: the server gave no command for "${action.title}".`);
      return undefined;
    }
    this.output.appendLine(`${action.title}: ${command.command} ${JSON.stringify(command.arguments ?? [])}`);
    const result = await vscode.commands.executeCommand<RunJobResult>(command.command, ...(command.arguments ?? []));
    if (result && 'jobId' in result) this.output.appendLine(`  job ${result.jobId} ${result.state}`);
    return result;
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
