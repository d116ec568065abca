import { isMainThread, threadId } from 'node:worker_threads';

/** `current.thread.name` of the digest line: Node has one JS thread per isolate. */
export const THREAD_NAME: string = isMainThread ? 'main' : `worker-${threadId}`;
