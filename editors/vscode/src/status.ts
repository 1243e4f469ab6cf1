// What the status bar item shows: server state, $/progress work-done reports and koreo/status.
// Pure, unit-tested; extension.ts renders `view()` into a StatusBarItem.
import { KoreoStatus } from './protocol';

export type ServerState = 'starting' | 'running' | 'stopped' | 'missing' | 'failed';

interface Progress {
  title: string;
  message?: string;
  percentage?: number;
}

export interface StatusView {
  text: string;
  tooltip: string;
  severity: 'normal' | 'warning' | 'error';
}

export class StatusModel {
  private server: ServerState = 'stopped';
  private serverDetail?: string;
  private status?: KoreoStatus;
  private readonly progress = new Map<string, Progress>();

  setServer(state: ServerState, detail?: string): void {
    this.server = state;
    this.serverDetail = detail;
    if (state !== 'running') {
      this.progress.clear();
      this.status = undefined;
    }
  }

  setStatus(status: KoreoStatus): void {
    this.status = status;
  }

  /** A `$/progress` value (WorkDoneProgressBegin/Report/End) for `token`. */
  onProgress(token: string | number, value: { kind?: string; title?: string; message?: string; percentage?: number }): void {
    const key = String(token);
    if (value.kind === 'begin') {
      this.progress.set(key, { title: value.title ?? 'Working', message: value.message, percentage: value.percentage });
    } else if (value.kind === 'report') {
      const p = this.progress.get(key);
      if (!p) return;
      if (value.message !== undefined) p.message = value.message;
      if (value.percentage !== undefined) p.percentage = value.percentage;
    } else if (value.kind === 'end') {
      this.progress.delete(key);
    }
  }

  view(): StatusView {
    switch (this.server) {
      case 'missing':
        return { text: '$(error) Koreo: koreo-ls not found', tooltip: this.serverDetail ?? 'koreo-ls was not found', severity: 'error' };
      case 'failed':
        return { text: '$(error) Koreo', tooltip: `koreo-ls is not running: ${this.serverDetail ?? 'it failed to start'}`, severity: 'error' };
      case 'stopped':
        return { text: '$(circle-slash) Koreo', tooltip: 'koreo-ls is stopped', severity: 'normal' };
      case 'starting':
        return { text: '$(sync~spin) Koreo', tooltip: 'Starting koreo-ls…', severity: 'normal' };
    }
    const tips: string[] = [];
    let text: string;
    const active = [...this.progress.values()].at(-1);
    if (active) {
      const pct = active.percentage !== undefined ? ` ${Math.round(active.percentage)}%` : '';
      text = `$(sync~spin) Koreo: ${active.title}${pct}`;
      tips.push(active.message ? `${active.title}: ${active.message}` : active.title);
    } else if (this.status?.indexing) {
      text = '$(sync~spin) Koreo: indexing';
      tips.push('Indexing the workspace');
    } else {
      text = '$(check) Koreo';
      tips.push('koreo-ls is running');
    }
    let severity: StatusView['severity'] = 'normal';
    switch (this.status?.cluster) {
      case 'connected':
        text += ' $(cloud)';
        tips.push('Cluster: connected');
        break;
      case 'offline':
        text += ' $(cloud-offline)';
        tips.push('Cluster: offline (built-in kinds, workspace CRDs and cached schemas only)');
        break;
      case 'error':
        text += ' $(warning)';
        tips.push('Cluster: error');
        severity = 'warning';
        break;
    }
    if (this.status?.message) tips.push(this.status.message);
    return { text, tooltip: tips.join('\n'), severity };
  }
}
