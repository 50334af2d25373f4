/**
 * Server-initiated work-done progress (one per check or compile job) as a cancellable
 * notification. vscode-languageclient's own handler shows it in the status bar only
 * (ProgressLocation.Window), where it cannot be cancelled; this feature, registered after the
 * built-in ones, takes over `window/workDoneProgress/create` and wires the notification's Cancel
 * button to `window/workDoneProgress/cancel`, which the server honours by stopping the job.
 */
import * as vscode from 'vscode';
import {
  ClientCapabilities,
  Disposable,
  FeatureState,
  NotificationType,
  ProgressToken,
  ProgressType,
  RequestType,
  StaticFeature,
  WorkDoneProgress,
  WorkDoneProgressBegin,
  WorkDoneProgressCancelNotification,
  WorkDoneProgressCancelParams,
  WorkDoneProgressCreateParams,
  WorkDoneProgressCreateRequest,
  WorkDoneProgressEnd,
  WorkDoneProgressReport,
} from 'vscode-languageclient/node';

/** The part of a LanguageClient this feature uses. */
export interface ProgressClient {
  onRequest(type: RequestType<WorkDoneProgressCreateParams, void, void>, handler: (params: WorkDoneProgressCreateParams) => void): Disposable;
  onProgress<P>(type: ProgressType<P>, token: ProgressToken, handler: (params: P) => void): Disposable;
  sendNotification(type: NotificationType<WorkDoneProgressCancelParams>, params: WorkDoneProgressCancelParams): Promise<void>;
}

export interface ActiveJob {
  token: ProgressToken;
  title: string;
  message?: string;
}

class NotificationProgress {
  title = '';
  message?: string;
  begun = false;
  private ended = false;
  private reported = 0;
  private progress?: vscode.Progress<{ message?: string; increment?: number }>;
  private resolve?: () => void;
  private subscription?: Disposable;
  private cancelSubscription?: vscode.Disposable;

  constructor(
    private readonly client: ProgressClient,
    readonly token: ProgressToken,
    private readonly onChange: () => void,
    private readonly onEnd: (part: NotificationProgress) => void,
  ) {
    this.subscription = client.onProgress(WorkDoneProgress.type, token, (value: WorkDoneProgressBegin | WorkDoneProgressReport | WorkDoneProgressEnd) => {
      if (value.kind === 'begin') this.begin(value);
      else if (value.kind === 'report') this.report(value);
      else if (value.kind === 'end') this.end(value);
    });
  }

  private begin(params: WorkDoneProgressBegin): void {
    if (this.begun || this.ended) return;
    this.begun = true;
    this.title = params.title;
    this.message = params.message;
    this.onChange();
    void vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Xpiler: ${params.title}`, cancellable: params.cancellable === true },
      (progress, cancellation) => {
        if (this.ended) return Promise.resolve();
        this.progress = progress;
        this.cancelSubscription = cancellation.onCancellationRequested(() => {
          this.client
            .sendNotification(WorkDoneProgressCancelNotification.type, { token: this.token })
            .catch(() => undefined); // the server is gone: nothing left to cancel
        });
        this.report(params);
        return new Promise<void>((resolve) => (this.resolve = resolve));
      },
    );
  }

  private report(params: WorkDoneProgressBegin | WorkDoneProgressReport): void {
    if (params.message !== undefined) this.message = params.message;
    if (this.progress === undefined) return;
    let increment: number | undefined;
    if (typeof params.percentage === 'number') {
      const percentage = Math.max(0, Math.min(params.percentage, 100));
      increment = Math.max(0, percentage - this.reported);
      this.reported += increment;
    }
    this.progress.report({ message: params.message, increment });
    this.onChange();
  }

  end(params?: WorkDoneProgressEnd): void {
    if (this.ended) return;
    this.ended = true;
    this.message = params?.message;
    this.subscription?.dispose();
    this.cancelSubscription?.dispose();
    this.resolve?.();
    this.onEnd(this);
  }
}

export class NotificationProgressFeature implements StaticFeature {
  private readonly parts = new Map<ProgressToken, NotificationProgress>();
  private readonly changed = new vscode.EventEmitter<readonly ActiveJob[]>();
  /** Fires with the jobs in progress whenever one starts, reports or ends. */
  readonly onDidChange = this.changed.event;
  /** Fires with the end message of each finished job (e.g. "finished", "cancelled"). */
  private readonly ended = new vscode.EventEmitter<ActiveJob>();
  readonly onDidEnd = this.ended.event;

  constructor(private readonly client: ProgressClient) {}

  getState(): FeatureState {
    return { kind: 'static' };
  }

  fillClientCapabilities(capabilities: ClientCapabilities): void {
    capabilities.window = capabilities.window ?? {};
    capabilities.window.workDoneProgress = true;
  }

  initialize(): void {
    // Registered after vscode-languageclient's ProgressFeature: this handler replaces its own.
    this.client.onRequest(WorkDoneProgressCreateRequest.type, (params) => {
      this.parts.get(params.token)?.end();
      const part = new NotificationProgress(
        this.client,
        params.token,
        () => this.fire(),
        (p) => {
          this.parts.delete(p.token);
          this.ended.fire({ token: p.token, title: p.title, message: p.message });
          this.fire();
        },
      );
      this.parts.set(params.token, part);
    });
  }

  /** Jobs with a progress begun and not ended. */
  active(): ActiveJob[] {
    return [...this.parts.values()].filter((p) => p.begun).map((p) => ({ token: p.token, title: p.title, message: p.message }));
  }

  clear(): void {
    for (const part of [...this.parts.values()]) part.end();
    this.parts.clear();
    this.fire();
  }

  dispose(): void {
    this.clear();
    this.changed.dispose();
    this.ended.dispose();
  }

  private fire(): void {
    this.changed.fire(this.active());
  }
}
