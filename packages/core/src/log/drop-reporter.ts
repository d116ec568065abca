import type { SelfLog } from './self-log';

/** Id reports between two `discarded N logs` lines at most. */
const MAX_ID_REPORTS = 100;

/**
 * Reports lines dropped by a full queue to the self-log as Java does: `discarded 500 logs` every
 * `threshold` drops (0 = never), and optionally `discarded tracer: traceId[…];spanId[…]` per drop —
 * at most 100 of those per report window, so a flood of drops cannot flood the self-log.
 */
export class DropReporter {
  private pending = 0;
  private idReports = 0;
  private idsUnreported = 0;

  /**
   * @param name file name used in messages.
   * @param threshold drops per count report (Java `discard_out_threshold`); 0 disables them.
   * @param logIds also report each dropped line's ids (Java `is_out_discard_id`).
   */
  constructor(
    private readonly name: string,
    private readonly selfLog: SelfLog,
    private readonly threshold: number,
    private readonly logIds: boolean,
  ) {}

  /** Records one drop. Never throws. */
  dropped(traceId: string | undefined, spanId: string | undefined): void {
    this.pending++;
    try {
      if (this.logIds && (traceId !== undefined || spanId !== undefined)) {
        if (this.idReports < MAX_ID_REPORTS) {
          this.idReports++;
          this.selfLog.warn(
            `discarded tracer: traceId[${traceId ?? ''}];spanId[${spanId ?? ''}] of ${this.name}`,
          );
        } else {
          this.idsUnreported++;
        }
      }
      if (this.threshold > 0 && this.pending >= this.threshold) this.report();
    } catch {
      // A drop report is never worth an exception in the application.
    }
  }

  /** Reports drops not reported yet (at close), if any. */
  reportPending(): void {
    if (this.pending > 0) this.report();
  }

  private report(): void {
    let message = `discarded ${this.pending} logs of ${this.name}`;
    if (this.idsUnreported > 0) message += ` (ids of ${this.idsUnreported} not logged)`;
    this.pending = 0;
    this.idReports = 0;
    this.idsUnreported = 0;
    this.selfLog.warn(message);
  }
}
