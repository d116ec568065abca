import { basename, extname, sep } from 'node:path';
import { traceFunction, type Tracer } from '@sofa-tracer/core';
import { setContextSpan } from './egg-tracer';

/** One task as egg-schedule (egg 3) / @eggjs/schedule (egg 4) keep it in `app.scheduleWorker`. */
interface ScheduleItem {
  /** The schedule's file path. */
  key?: unknown;
  task?: unknown;
  schedule?: { type?: unknown };
}

/** What this module reads from an egg app. */
export interface ScheduleAppLike {
  scheduleWorker?: { scheduleItems?: Record<string, ScheduleItem> };
}

type Task = (this: unknown, ctx: object, ...args: unknown[]) => unknown;

const kTraced: unique symbol = Symbol.for('sofa-tracer.egg.scheduleTraced');

/**
 * The span name of a schedule: its file path under `schedule/` without the extension
 * (`app/schedule/report/daily.js` → `report/daily`), else the file's base name.
 */
export function scheduleName(key: string): string {
  const marker = sep + 'schedule' + sep;
  const at = key.lastIndexOf(marker);
  const rel = at >= 0 ? key.slice(at + marker.length) : basename(key);
  const ext = extname(rel);
  return (ext.length > 0 ? rel.slice(0, -ext.length) : rel).split(sep).join('/');
}

/**
 * Wraps every registered schedule task once: each run is a root span named after the schedule
 * (`biz-digest.log`, result `00`, or `99` with the error, which is re-thrown unchanged), current
 * while the task runs and recorded as the span of the task's anonymous context — so `ctx.tracer`
 * and egg-logger lines written by the task carry its trace id. Both the timer-driven runs and
 * `app.runSchedule()` go through `scheduleItems[key].task`. Returns how many tasks were wrapped.
 */
export function traceScheduleTasks(app: ScheduleAppLike, tracer: Tracer): number {
  const items = app.scheduleWorker?.scheduleItems;
  if (items === undefined || items === null) return 0;
  let count = 0;
  for (const key of Object.keys(items)) {
    const item = items[key]!;
    const task = item.task as (Task & { [kTraced]?: true }) | undefined;
    if (typeof task !== 'function' || task[kTraced] === true) continue;
    const name = scheduleName(typeof item.key === 'string' ? item.key : key);
    const type = typeof item.schedule?.type === 'string' ? item.schedule.type : undefined;
    const traced: Task & { [kTraced]?: true } = function sofaTracedSchedule(this: unknown, ctx, ...args) {
      // a root span whatever is current where the schedule fires
      return tracer.withSpan(undefined, () =>
        traceFunction(
          name,
          (span) => {
            if (ctx !== null && typeof ctx === 'object') setContextSpan(ctx, span);
            return task.call(this, ctx, ...args);
          },
          { tracer, tags: type !== undefined ? { 'schedule.type': type } : undefined },
        ),
      );
    };
    traced[kTraced] = true;
    item.task = traced;
    count++;
  }
  return count;
}
