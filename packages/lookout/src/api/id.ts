/** The tag that selects a metric's reporting step: `high` 2 s, `normal` 30 s, `low` 60 s. */
export const PRIORITY_TAG = 'priority';

/** Values of the {@link PRIORITY_TAG} tag. */
export type Priority = 'high' | 'normal' | 'low';

/** All priorities, highest first. */
export const PRIORITIES: readonly Priority[] = ['high', 'normal', 'low'];

/** A tag value accepted by {@link Id}; `null`/`undefined` become `""`. */
export type TagInput = string | number | boolean | null | undefined;

/** Tags accepted by {@link Id.withTags}: a plain object or a Map. */
export type TagsInput = Readonly<Record<string, TagInput>> | ReadonlyMap<string, TagInput>;

// Lookout reserves keys shaped `_x_` (e.g. `_type_`) for its own record fields.
const RESERVED_KEY = /^_.+_$/;

function toValue(v: TagInput): string {
  return v === null || v === undefined ? '' : String(v);
}

function parsePriority(v: string | undefined): Priority {
  return v === 'high' || v === 'low' ? v : 'normal';
}

/**
 * A metric identity: a name plus an immutable tag set sorted by key (Lookout's Metrics 2.0 Id).
 * Two Ids with the same name and tags are equal (`key` is equal); `withTag`/`withTags` return new
 * Ids. Tag keys shaped `_x_` are reserved by Lookout and dropped.
 */
export class Id {
  /** `name` + sorted tags in one string: equal Ids have equal keys. */
  readonly key: string;
  /** The reporting priority read from the `priority` tag (default `normal`). */
  readonly priority: Priority;
  private readonly tagMap: ReadonlyMap<string, string>;

  /** Prefer `registry.createId(name, tags)`. */
  constructor(
    readonly name: string,
    tags?: TagsInput,
  ) {
    if (typeof name !== 'string' || name.length === 0)
      throw new TypeError('Lookout metric name must be a non-empty string');
    const entries: [string, string][] = [];
    const add = (k: string, v: TagInput): void => {
      if (typeof k !== 'string' || k.length === 0 || RESERVED_KEY.test(k)) return;
      const i = entries.findIndex((e) => e[0] === k);
      if (i >= 0) entries[i] = [k, toValue(v)];
      else entries.push([k, toValue(v)]);
    };
    if (tags instanceof Map) for (const [k, v] of tags) add(k, v);
    else if (tags) for (const k of Object.keys(tags)) add(k, (tags as Record<string, TagInput>)[k]);
    entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
    this.tagMap = new Map(entries);
    let key = name;
    for (const [k, v] of entries) key += '\u0000' + k + '\u0001' + v;
    this.key = key;
    this.priority = parsePriority(this.tagMap.get(PRIORITY_TAG));
    Object.freeze(this);
  }

  /** The tags, sorted by key. */
  get tags(): ReadonlyMap<string, string> {
    return this.tagMap;
  }

  /** The value of one tag, or undefined. */
  tag(key: string): string | undefined {
    return this.tagMap.get(key);
  }

  /** A new Id with one more (or replaced) tag. */
  withTag(key: string, value: TagInput): Id {
    const next = new Map<string, TagInput>(this.tagMap);
    next.set(key, value);
    return new Id(this.name, next);
  }

  /** A new Id with these tags added (or replaced). */
  withTags(tags: TagsInput): Id {
    const next = new Map<string, TagInput>(this.tagMap);
    if (tags instanceof Map) for (const [k, v] of tags) next.set(k, v);
    else for (const k of Object.keys(tags)) next.set(k, (tags as Record<string, TagInput>)[k]);
    return new Id(this.name, next);
  }

  /** A new Id with the `priority` tag set. */
  withPriority(priority: Priority): Id {
    return this.withTag(PRIORITY_TAG, priority);
  }

  /** True when both Ids have the same name and tags. */
  equals(other: Id): boolean {
    return other instanceof Id && other.key === this.key;
  }

  /** `name{k=v,…}` for messages. */
  toString(): string {
    const parts: string[] = [];
    for (const [k, v] of this.tagMap) parts.push(k + '=' + v);
    return parts.length ? this.name + '{' + parts.join(',') + '}' : this.name;
  }
}
