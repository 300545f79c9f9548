import type { LayerLogger, LayerMetrics } from '../../shared/internal';

/** A logger that keeps every entry, for assertions. */
export class RecordingLogger implements LayerLogger {
  readonly entries: { level: string; message: string; fields: Record<string, unknown> }[] = [];
  debug(message: string, ...extra: Record<string, unknown>[]): void {
    this.push('debug', message, extra);
  }
  info(message: string, ...extra: Record<string, unknown>[]): void {
    this.push('info', message, extra);
  }
  warn(message: string, ...extra: Record<string, unknown>[]): void {
    this.push('warn', message, extra);
  }
  error(message: string, ...extra: Record<string, unknown>[]): void {
    this.push('error', message, extra);
  }
  /** Entries whose `action` field equals the given value. */
  withAction(action: string): { level: string; message: string; fields: Record<string, unknown> }[] {
    return this.entries.filter((e) => e.fields.action === action);
  }
  private push(level: string, message: string, extra: Record<string, unknown>[]): void {
    this.entries.push({ level, message, fields: Object.assign({}, ...extra) });
  }
}

/** A metrics client that sums every metric, for assertions. */
export class RecordingMetrics implements LayerMetrics {
  readonly totals = new Map<string, number>();
  published = 0;
  addMetric(name: string, _unit: 'Count' | 'Milliseconds', value: number): void {
    this.totals.set(name, (this.totals.get(name) ?? 0) + value);
  }
  publishStoredMetrics(): void {
    this.published += 1;
  }
  /** Sum of a metric, 0 when never emitted. */
  count(name: string): number {
    return this.totals.get(name) ?? 0;
  }
}
