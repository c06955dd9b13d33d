// The log viewer's memory: the newest lines of a container's log, capped by a line count and
// a byte budget, in a ring (append and evict are O(1); nothing is ever shifted). Lines keep
// their raw text; the ANSI segments are parsed only when a line is drawn, and the last few
// thousand drawn are cached. Not reactive: the viewer bumps a version counter per batch.

import { parseAnsi, stripAnsi, type Segment } from "../../../ansi";
import type { LogLine, LogStream } from "./types";
import type { LogBatch } from "../../../ipc/bindings";

/** The most of one line that is drawn (UTF-16 code units, ~64 KiB); the rest is cut off. */
export const DISPLAY_MAX = 64 * 1024;
/** What a line costs beyond its text: the object, its fields, the ring slot (an estimate). */
export const LINE_OVERHEAD = 96;
export const MIB = 1024 * 1024;
export const DEFAULT_MAX_LINES = 200_000;
export const DEFAULT_MAX_BYTES = 64 * MIB;
/** How many lines' parsed segments are kept (the lines drawn most recently). */
const SEGMENT_CACHE = 4096;

export interface BufferedLine {
  /** Increases by one per appended line, never reused (not even after `clear()`). */
  readonly id: number;
  readonly stream: LogStream;
  readonly timestamp: string | null;
  /** The raw text, escape sequences and all. */
  readonly text: string;
  /** The bytes this line counts for against `maxBytes` (see `lineCost`). */
  readonly cost: number;
  /** True when the text has control characters (ANSI escapes…): its plain text differs. */
  readonly controls: boolean;
  /** The text without escape sequences, once searched (the same string when `!controls`). */
  plain?: string;
  /** The text's size in UTF-8, once needed (for the truncation marker). */
  utf8?: number;
}

/** A control character other than tab and newline (a batch's lines are joined by newlines). */
// eslint-disable-next-line no-control-regex -- finding control characters is the point
const BATCH_CONTROLS = /[\x00-\x08\x0b-\x1f\x7f-\x9f]/;

function hasControls(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || (c >= 0x7f && c <= 0x9f)) return true;
  }
  return false;
}

/**
 * The memory a line is counted for: JS strings are UTF-16, so 2 bytes per code unit of the
 * text and the timestamp, plus `LINE_OVERHEAD`. A line with control characters counts its text
 * twice, for the plain copy kept once it is searched. An estimate of the heap, not exact.
 */
export function lineCost(text: string, timestamp: string | null, controls: boolean): number {
  return (text.length * (controls ? 2 : 1) + (timestamp?.length ?? 0)) * 2 + LINE_OVERHEAD;
}

/** The size of `s` in UTF-8 (lone surrogates count 3, as U+FFFD). */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}

export interface BufferLimits {
  /** Lines kept at most (default 200,000). */
  maxLines?: number;
  /** Bytes kept at most, as `lineCost` counts them (default 64 MiB). */
  maxBytes?: number;
}

export class LogBuffer {
  readonly maxLines: number;
  readonly maxBytes: number;
  /** Lines evicted to stay within the caps since the last `clear()`. */
  dropped = 0;
  /** The sum of the kept lines' `cost`. */
  bytes = 0;

  private ring: (BufferedLine | undefined)[] = [];
  private head = 0;
  private len = 0;
  private nextId = 1;
  private segments_ = new Map<number, Segment[]>();

  constructor(limits: BufferLimits = {}) {
    this.maxLines = Math.max(1, Math.floor(limits.maxLines ?? DEFAULT_MAX_LINES));
    this.maxBytes = Math.max(1, limits.maxBytes ?? DEFAULT_MAX_BYTES);
  }

  get length(): number {
    return this.len;
  }

  /** The id of the oldest kept line (of the next line when empty). */
  get firstId(): number {
    return this.len === 0 ? this.nextId : this.ring[this.head]!.id;
  }

  /** The id of the newest line ever appended (0 before the first). */
  get lastId(): number {
    return this.nextId - 1;
  }

  /** The line at `i` (0 = oldest kept). */
  get(i: number): BufferedLine | undefined {
    if (!(i >= 0 && i < this.len)) return undefined;
    return this.ring[(this.head + i) % this.ring.length];
  }

  /** Where the line with this id is now, or -1 once it was evicted or cleared. */
  indexOfId(id: number): number {
    const i = id - this.firstId;
    return i >= 0 && i < this.len ? i : -1;
  }

  /**
   * Keeps a line, evicting the oldest ones to stay within both caps. A single line larger than
   * `maxBytes` is still kept (alone): the newest line is always there to see.
   */
  append(line: LogLine): BufferedLine {
    return this.push(line.stream, line.timestamp, line.text);
  }

  /**
   * Keeps a batch as it crossed IPC (see `LogBatch`), with no object per line on the way in.
   * The stderr indices are ascending, as Rust sends them. Returns how many lines it held.
   */
  appendBatch(b: LogBatch): number {
    const texts = b.text.split("\n");
    const stamps = b.timestamps.split("\n");
    const err = b.stderr;
    // Most batches hold no control character at all: one scan of the whole text says so.
    const controls = BATCH_CONTROLS.test(b.text) ? undefined : false;
    let k = 0;
    for (let i = 0; i < texts.length; i++) {
      while (k < err.length && err[k]! < i) k++;
      const ts = stamps[i];
      this.push(err[k] === i ? "stderr" : "stdout", ts ? ts : null, texts[i]!, controls);
    }
    return texts.length;
  }

  private push(
    stream: LogStream,
    timestamp: string | null,
    text: string,
    controls: boolean = hasControls(text),
  ): BufferedLine {
    const cost = lineCost(text, timestamp, controls);
    while (this.len > 0 && (this.len >= this.maxLines || this.bytes + cost > this.maxBytes))
      this.evictOldest();
    if (this.len === this.ring.length) this.grow();
    const entry: BufferedLine = {
      id: this.nextId++,
      stream,
      timestamp,
      text,
      cost,
      controls,
    };
    this.ring[(this.head + this.len) % this.ring.length] = entry;
    this.len++;
    this.bytes += cost;
    return entry;
  }

  appendMany(lines: readonly LogLine[]): void {
    for (const l of lines) this.append(l);
  }

  /** Forgets every line (ids go on from where they were). */
  clear(): void {
    this.ring = [];
    this.head = 0;
    this.len = 0;
    this.bytes = 0;
    this.dropped = 0;
    this.segments_.clear();
  }

  /** The line's text without escape sequences (what search looks at), cached. */
  plain(i: number): string {
    const e = this.get(i);
    if (!e) return "";
    if (e.plain === undefined) e.plain = e.controls ? stripAnsi(e.text) : e.text;
    return e.plain;
  }

  /** The styled segments of the drawn part of the line (its first `DISPLAY_MAX` units). */
  segments(i: number): Segment[] {
    const e = this.get(i);
    if (!e) return [];
    const cached = this.segments_.get(e.id);
    if (cached) {
      // Most recently used last, so the oldest is the first to go.
      this.segments_.delete(e.id);
      this.segments_.set(e.id, cached);
      return cached;
    }
    const s = parseAnsi(e.text.length > DISPLAY_MAX ? e.text.slice(0, DISPLAY_MAX) : e.text);
    this.segments_.set(e.id, s);
    if (this.segments_.size > SEGMENT_CACHE) {
      const oldest = this.segments_.keys().next().value;
      if (oldest !== undefined) this.segments_.delete(oldest);
    }
    return s;
  }

  /** True when only part of the line is drawn. */
  truncated(i: number): boolean {
    return (this.get(i)?.text.length ?? 0) > DISPLAY_MAX;
  }

  /** The line's size in UTF-8, cached. */
  utf8(i: number): number {
    const e = this.get(i);
    if (!e) return 0;
    if (e.utf8 === undefined) e.utf8 = utf8Length(e.text);
    return e.utf8;
  }

  /**
   * The indices (oldest first) of the lines at `from` and after whose whole plain text (escape
   * sequences stripped, not cut to `DISPLAY_MAX`) matches `re`. A `g` or `y` flag is ignored.
   */
  find(re: RegExp, from = 0): number[] {
    const r = re.global || re.sticky ? new RegExp(re.source, re.flags.replace(/[gy]/g, "")) : re;
    const out: number[] = [];
    for (let i = Math.max(0, from); i < this.len; i++) if (r.test(this.plain(i))) out.push(i);
    return out;
  }

  private evictOldest(): void {
    const e = this.ring[this.head]!;
    this.ring[this.head] = undefined;
    this.head = (this.head + 1) % this.ring.length;
    this.len--;
    this.bytes -= e.cost;
    this.dropped++;
    if (this.segments_.size > 0) this.segments_.delete(e.id);
  }

  /** Doubles the ring (up to `maxLines`), oldest line first at slot 0. */
  private grow(): void {
    const cap = Math.min(this.maxLines, Math.max(1024, this.ring.length * 2));
    const next: (BufferedLine | undefined)[] = new Array(cap);
    for (let i = 0; i < this.len; i++) next[i] = this.ring[(this.head + i) % this.ring.length];
    this.ring = next;
    this.head = 0;
  }
}
