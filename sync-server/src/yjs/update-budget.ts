/**
 * Strict, bounded decoding of the binary messages a client may send, done before anything is
 * applied to a document.
 *
 * Yjs's own decoder trusts its input: it preallocates arrays of the length a message declares and
 * reads past the end of a buffer as `undefined`, so a few bytes can declare millions of structs
 * (yjs issue 687, "update bomb"), and a message that fails half-way can leave a document with its
 * structs integrated but its delete set unread. This walker reads the same format (update v1,
 * state vector, awareness update) with a decoder that throws at the end of the buffer, checks every
 * declared count against the bytes that remain, and adds up what applying the message would cost.
 * Only a message that decodes completely and costs no more than the budget reaches Yjs.
 */

/** Why a message was refused; `reason` is short enough for a log line. */
export class MessageRejectedError extends Error {
  override name = 'MessageRejectedError';
  constructor(
    /** `malformed`: it does not decode. `over-budget`: it decodes but costs too much to apply. */
    readonly kind: 'malformed' | 'over-budget',
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** What applying an update would cost, counted while walking it. */
export interface UpdateCost {
  /** Structs (items, GC and skip ranges) across all clients. */
  readonly structs: number;
  /** Values inside content (array elements, JSON values, nested `any` values, sub-documents × 1000). */
  readonly contentValues: number;
  /** Ranges in the delete set. */
  readonly deleteRanges: number;
  /** `structs + contentValues + deleteRanges`: compared with the budget. */
  readonly total: number;
}

/**
 * 2^32: no real client reaches a clock, a length or a client id this large, while a bogus one makes
 * Yjs reason about ranges of billions of items.
 */
const MAX_DECLARED_NUMBER = 2 ** 32;
/** Nesting depth of `any` values (objects in arrays in objects …) before recursion becomes a risk. */
const MAX_ANY_DEPTH = 64;
/** A sub-document allocates a whole Y.Doc; weigh it like that many plain values. */
const SUBDOCUMENT_WEIGHT = 1000;

/** Reads lib0's encoding strictly: every read is bounds-checked. */
class StrictDecoder {
  pos = 0;
  private readonly text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  constructor(private readonly bytes: Uint8Array) {}

  get remaining(): number {
    return this.bytes.length - this.pos;
  }

  peek(): number | undefined {
    return this.bytes[this.pos];
  }

  uint8(): number {
    if (this.pos >= this.bytes.length) throw malformed('unexpected end of message');
    return this.bytes[this.pos++]!;
  }

  varUint(): number {
    let num = 0;
    let mult = 1;
    for (let i = 0; i < 8; i++) {
      const r = this.uint8();
      num += (r & 0x7f) * mult;
      if (r < 0x80) {
        if (num > Number.MAX_SAFE_INTEGER) throw malformed('integer out of range');
        return num;
      }
      mult *= 128;
    }
    throw malformed('integer out of range');
  }

  /** A varUint used as a count, clock or length: bounded by {@link MAX_DECLARED_NUMBER}. */
  declared(what: string): number {
    const n = this.varUint();
    if (n > MAX_DECLARED_NUMBER) throw overBudget(`${what} ${n} is absurdly large`);
    return n;
  }

  /** A count of things that each take at least `minBytes` bytes: more than fit is a lie. */
  count(what: string, minBytes: number): number {
    const n = this.declared(what);
    if (n * minBytes > this.remaining) {
      throw overBudget(`declares ${n} ${what} but only ${this.remaining} bytes follow`);
    }
    return n;
  }

  varInt(): void {
    // First byte: continuation bit, sign bit, 6 bits of value; then 7 bits per byte (as lib0).
    let r = this.uint8();
    let num = r & 0x3f;
    let mult = 64;
    while (r & 0x80) {
      r = this.uint8();
      num += (r & 0x7f) * mult;
      mult *= 128;
      if (num > Number.MAX_SAFE_INTEGER) throw malformed('integer out of range');
    }
  }

  skip(n: number): void {
    if (n > this.remaining) throw malformed('unexpected end of message');
    this.pos += n;
  }

  varBytes(): Uint8Array {
    const len = this.varUint();
    if (len > this.remaining) throw malformed('unexpected end of message');
    const out = this.bytes.subarray(this.pos, this.pos + len);
    this.pos += len;
    return out;
  }

  varString(): string {
    try {
      return this.text.decode(this.varBytes());
    } catch (e) {
      if (e instanceof MessageRejectedError) throw e;
      throw malformed('string is not valid UTF-8');
    }
  }

  /**
   * A JSON string, as `JSON.parse` reads it. Only ContentJSON also allows the bare word
   * `undefined` (Yjs special-cases it there and nowhere else).
   */
  json(allowUndefined = false): void {
    const s = this.varString();
    if (allowUndefined && s === 'undefined') return;
    try {
      JSON.parse(s);
    } catch {
      throw malformed('content is not valid JSON');
    }
  }

  end(what: string): void {
    if (this.remaining !== 0) throw malformed(`${this.remaining} unexpected bytes after the ${what}`);
  }
}

function malformed(reason: string): MessageRejectedError {
  return new MessageRejectedError('malformed', reason);
}
function overBudget(reason: string): MessageRejectedError {
  return new MessageRejectedError('over-budget', reason);
}

/** Walks one lib0 `any` value; returns how many values it holds. */
function walkAny(d: StrictDecoder, depth: number): number {
  if (depth > MAX_ANY_DEPTH) throw overBudget(`values nested deeper than ${MAX_ANY_DEPTH}`);
  const tag = d.uint8();
  switch (tag) {
    case 127: // undefined
    case 126: // null
    case 121: // false
    case 120: // true
      return 1;
    case 125:
      d.varInt();
      return 1;
    case 124:
      d.skip(4);
      return 1;
    case 123:
    case 122:
      d.skip(8);
      return 1;
    case 119:
      d.varString();
      return 1;
    case 118: {
      const len = d.count('object keys', 2);
      let n = 1;
      for (let i = 0; i < len; i++) {
        d.varString();
        n += walkAny(d, depth + 1);
      }
      return n;
    }
    case 117: {
      const len = d.count('array elements', 1);
      let n = 1;
      for (let i = 0; i < len; i++) n += walkAny(d, depth + 1);
      return n;
    }
    case 116:
      d.varBytes();
      return 1;
    default:
      throw malformed(`unknown value tag ${tag}`);
  }
}

/** What one item's content costs, and how many clock ticks (its length) it takes. */
interface ContentCost {
  values: number;
  length: number;
}

/** Walks an item's content by its content ref (the low 5 bits of `info`). */
function walkContent(d: StrictDecoder, ref: number): ContentCost {
  switch (ref) {
    case 1: // deleted: a length only
      return { values: 1, length: d.declared('deleted length') };
    case 2: {
      // JSON: a list of JSON strings
      const len = d.count('JSON values', 1);
      for (let i = 0; i < len; i++) d.json(true);
      return { values: len, length: len };
    }
    case 3: // binary
      d.varBytes();
      return { values: 1, length: 1 };
    case 4: // string: its length is in UTF-16 code units, as JavaScript counts
      return { values: 1, length: d.varString().length };
    case 5: // embed
      d.json();
      return { values: 1, length: 1 };
    case 6: // format: key + JSON value
      d.varString();
      d.json();
      return { values: 1, length: 1 };
    case 7: {
      // type
      const typeRef = d.varUint();
      if (typeRef > 6) throw malformed(`unknown type ref ${typeRef}`);
      if (typeRef === 3 || typeRef === 5) d.varString(); // XmlElement and XmlHook carry a name
      return { values: 1, length: 1 };
    }
    case 8: {
      // any[]
      const len = d.count('values', 1);
      let values = 0;
      for (let i = 0; i < len; i++) values += walkAny(d, 0);
      return { values, length: len };
    }
    case 9: {
      // sub-document: guid + an options object (Yjs reads fields of it, so it must be one)
      d.varString();
      if (d.peek() !== 118) throw malformed('sub-document options must be an object');
      walkAny(d, 0);
      return { values: SUBDOCUMENT_WEIGHT, length: 1 };
    }
    default:
      throw malformed(`unknown content ref ${ref}`);
  }
}

/**
 * Walks a Yjs update (v1 encoding) and returns what applying it costs.
 * @throws MessageRejectedError if it does not decode completely, or if it costs more than `budget`.
 */
export function measureUpdate(update: Uint8Array, budget: number): UpdateCost {
  const d = new StrictDecoder(update);
  let structs = 0;
  let contentValues = 0;
  let deleteRanges = 0;
  const check = (): void => {
    const total = structs + contentValues + deleteRanges;
    if (total > budget) throw overBudget(`update costs more than the budget of ${budget}`);
  };

  // Structs, grouped by client. Every struct takes at least 2 bytes (info + a length or content).
  const clients = d.count('clients', 3);
  for (let c = 0; c < clients; c++) {
    const n = d.count('structs', 2);
    const client = d.declared('client id');
    let clock = d.declared('clock');
    /**
     * An item may point at an earlier item of its own client in this update, never at its own
     * clock or later: Yjs resolves such a reference before the item exists and throws half-way.
     */
    const reference = (what: string): void => {
      const refClient = d.declared(`${what} client`);
      const refClock = d.declared(`${what} clock`);
      if (refClient === client && refClock >= clock) {
        throw malformed(`${what} (${refClient}, ${refClock}) points at or after its own item`);
      }
    };
    for (let i = 0; i < n; i++) {
      const info = d.uint8();
      const ref = info & 0x1f;
      if (ref === 0 || ref === 10) {
        clock += d.declared(ref === 0 ? 'GC length' : 'skip length');
      } else {
        const hasOrigin = (info & 0x80) !== 0;
        const hasRightOrigin = (info & 0x40) !== 0;
        if (hasOrigin) reference('origin');
        if (hasRightOrigin) reference('right origin');
        if (!hasOrigin && !hasRightOrigin) {
          const parentIsRootType = d.varUint() === 1;
          if (parentIsRootType) d.varString();
          else reference('parent');
          if (info & 0x20) d.varString(); // key within a map
        }
        const content = walkContent(d, ref);
        contentValues += content.values;
        clock += content.length;
      }
      if (clock > MAX_DECLARED_NUMBER)
        throw overBudget(`clock ${clock} of client ${client} is absurdly large`);
      structs++;
    }
    check();
  }

  // Delete set: per client, ranges of (clock, length).
  const dsClients = d.count('delete-set clients', 2);
  for (let c = 0; c < dsClients; c++) {
    d.declared('client id');
    const ranges = d.count('delete ranges', 2);
    for (let i = 0; i < ranges; i++) {
      const end = d.declared('delete clock') + d.declared('delete length');
      if (end > MAX_DECLARED_NUMBER) throw overBudget(`delete range ending at ${end} is absurdly large`);
    }
    deleteRanges += ranges;
    check();
  }
  d.end('update');
  return { structs, contentValues, deleteRanges, total: structs + contentValues + deleteRanges };
}

/**
 * Checks an encoded state vector (sync step 1).
 * @throws MessageRejectedError if it does not decode completely.
 */
export function checkStateVector(stateVector: Uint8Array): void {
  const d = new StrictDecoder(stateVector);
  const n = d.count('state vector entries', 2);
  for (let i = 0; i < n; i++) {
    d.declared('client id');
    d.declared('clock');
  }
  d.end('state vector');
}

/** One entry of an awareness update. */
export interface AwarenessEntry {
  readonly clientId: number;
  /** True when the entry removes the client's state (`null`). */
  readonly removes: boolean;
}

/**
 * Checks an awareness update and returns the entries it holds.
 * @throws MessageRejectedError if it does not decode completely or a state is not JSON.
 */
export function checkAwarenessUpdate(update: Uint8Array): AwarenessEntry[] {
  const d = new StrictDecoder(update);
  const n = d.count('awareness states', 3);
  const entries: AwarenessEntry[] = [];
  for (let i = 0; i < n; i++) {
    const clientId = d.declared('client id');
    d.declared('clock');
    const state = d.varString();
    try {
      JSON.parse(state);
    } catch {
      throw malformed('awareness state is not valid JSON');
    }
    entries.push({ clientId, removes: state === 'null' });
  }
  d.end('awareness update');
  return entries;
}
