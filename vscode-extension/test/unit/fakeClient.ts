/** A stand-in LanguageClient: records what the extension sends and plays a scripted server. */
/* eslint-disable @typescript-eslint/no-explicit-any */
import { State } from 'vscode-languageclient/node';
import type { Deps, XpilerClient } from '../../src/controller';
import type { ServerExecutable } from '../../src/serverOptions';
import { commands, EventEmitter } from './vscode-stub';

const method = (type: any): string => (typeof type === 'string' ? type : type.method);

export class FakeClient {
  state: State = State.Stopped;
  readonly stateChanges = new EventEmitter<{ oldState: State; newState: State }>();
  readonly onDidChangeState = this.stateChanges.event;
  readonly features: any[] = [];
  /** Server -> client request handlers the extension registered (window/workDoneProgress/create, ...). */
  readonly requestHandlers = new Map<string, (params: any) => any>();
  readonly progressHandlers = new Map<string | number, (value: any) => void>();
  readonly requests: { method: string; params: any }[] = [];
  readonly notifications: { method: string; params: any }[] = [];
  /** The scripted server: client -> server requests by method. */
  readonly server = new Map<string, (params: any) => any>();
  startError?: Error;
  disposed = false;
  private commandDisposables: { dispose(): void }[] = [];
  readonly code2ProtocolConverter = { asUri: (uri: any) => uri.toString() };

  constructor(
    readonly executable: ServerExecutable,
    readonly options: any,
  ) {}

  registerFeature(feature: any): void {
    this.features.push(feature);
  }

  private setState(newState: State): void {
    const oldState = this.state;
    this.state = newState;
    this.stateChanges.fire({ oldState, newState });
  }

  async start(): Promise<void> {
    this.setState(State.Starting);
    if (this.startError) {
      this.setState(State.Stopped);
      throw this.startError;
    }
    const caps: any = {};
    for (const f of this.features) f.fillClientCapabilities?.(caps);
    (this as any).capabilities = caps;
    for (const f of this.features) f.initialize?.({}, undefined);
    // As vscode-languageclient's ExecuteCommandFeature does with the server's commands.
    for (const id of ['xpiler.runJob', 'xpiler.cancelJob', 'xpiler.listJobs', 'xpiler.translationReport']) {
      this.commandDisposables.push(
        commands.registerCommand(id, (...args: any[]) => this.sendRequest('workspace/executeCommand', { command: id, arguments: args })),
      );
    }
    this.setState(State.Running);
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const f of this.features) f.clear?.();
    this.commandDisposables.forEach((d) => d.dispose());
    this.commandDisposables = [];
    this.setState(State.Stopped);
  }

  async sendRequest(type: any, params?: any): Promise<any> {
    const m = method(type);
    this.requests.push({ method: m, params });
    const key = m === 'workspace/executeCommand' ? `command:${params.command}` : m;
    const handler = this.server.get(key);
    if (!handler) throw new Error(`fake server: no handler for ${key}`);
    // As pygls does for a command handler taking one argument.
    if (m === 'workspace/executeCommand' && Array.isArray(params.arguments) && params.arguments.length !== 1) {
      throw new Error(`Invalid Params: Expected 1 arguments, got ${params.arguments.length}`);
    }
    return handler(m === 'workspace/executeCommand' ? (params.arguments ?? [])[0] : params);
  }

  async sendNotification(type: any, params?: any): Promise<void> {
    this.notifications.push({ method: method(type), params });
  }

  onRequest(type: any, handler: (params: any) => any): { dispose(): void } {
    this.requestHandlers.set(method(type), handler);
    return { dispose: () => this.requestHandlers.delete(method(type)) };
  }

  onProgress(_type: any, token: string | number, handler: (value: any) => void): { dispose(): void } {
    this.progressHandlers.set(token, handler);
    return { dispose: () => this.progressHandlers.delete(token) };
  }

  /** The server sends window/workDoneProgress/create then $/progress values. */
  serverProgress(token: string, ...values: any[]): void {
    if (!this.progressHandlers.has(token)) this.requestHandlers.get('window/workDoneProgress/create')?.({ token });
    for (const v of values) this.progressHandlers.get(token)?.(v);
  }
}

/** Deps whose clients are FakeClients (all kept in `clients`), set up by `script`. */
export function fakeDeps(script: (c: FakeClient) => void = () => undefined): Deps & { clients: FakeClient[] } {
  const clients: FakeClient[] = [];
  return {
    clients,
    createClient(executable, options) {
      const c = new FakeClient(executable, options);
      script(c);
      clients.push(c);
      return c as unknown as XpilerClient;
    },
  };
}
