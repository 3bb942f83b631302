/**
 * The subset of MongoDB query and update semantics that projections' write ops use, evaluated on
 * plain in-memory documents. A rebuild folds a projection's whole history in memory with it and
 * only then writes finished documents (inserts, which the view store takes fast), instead of
 * sending every guarded update to the store.
 *
 * Supported: equality (a scalar also matches an array element), `$eq $ne $lt $lte $gt $gte $in
 * $nin $exists`, `$and $or` in filters; `$set $unset $inc $push ($each) $setOnInsert` in updates,
 * on top-level or dotted paths. Anything else throws {@link UnsupportedOperationError} rather than
 * silently diverging from what the store would do.
 */

/** A document as the view store holds it. */
export type Doc = Record<string, unknown>;

/** A filter or update uses an operator this evaluator does not implement. Not retriable. */
export class UnsupportedOperationError extends Error {
  override readonly name = 'UnsupportedOperationError';
  readonly code = 'UNSUPPORTED_IN_MEMORY';
  readonly retriable = false;
}

/** An update cannot apply to a document (e.g. `$inc` on a string), as the store would reject it. */
export class InvalidUpdateError extends Error {
  override readonly name = 'InvalidUpdateError';
  readonly code = 'INVALID_UPDATE';
  readonly retriable = false;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

const isOperatorObject = (v: unknown): v is Record<string, unknown> => isPlainObject(v) && Object.keys(v).some((k) => k.startsWith('$'));

/**
 * Deep copy of a value as the driver would store it: `undefined` becomes `null` (the driver's
 * default `ignoreUndefined: false`), dates are copied, everything else is JSON-like.
 */
export function storedValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v !== 'object' || v === null) return v;
  if (v instanceof Date) return new Date(v.getTime());
  if (Array.isArray(v)) {
    const out: unknown[] = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = storedValue(v[i]);
    return out;
  }
  const out: Record<string, unknown> = {};
  const from = v as Record<string, unknown>;
  for (const k of Object.keys(from)) out[k] = storedValue(from[k]);
  return out;
}

/** Reads a (dotted) path; `undefined` when any step is missing. */
export function getPath(doc: Doc, path: string): unknown {
  if (!path.includes('.')) return doc[path];
  let cur: unknown = doc;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function parentOf(doc: Doc, path: string, create: boolean): { parent: Record<string, unknown>; key: string } | undefined {
  if (!path.includes('.')) return { parent: doc, key: path };
  const parts = path.split('.');
  const key = parts.pop() ?? path;
  let cur: Record<string, unknown> = doc;
  for (const part of parts) {
    const next = cur[part];
    if (isPlainObject(next)) cur = next;
    else if (next === undefined && create) {
      const fresh: Record<string, unknown> = {};
      cur[part] = fresh;
      cur = fresh;
    } else if (next === undefined) return undefined;
    else throw new InvalidUpdateError(`cannot create field in element ${JSON.stringify(part)} of ${path}`);
  }
  return { parent: cur, key };
}

/** Structural equality of stored values; sub-documents compare field by field in order, as the store compares them. */
export function valuesEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => valuesEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k, i) => k === kb[i] && valuesEqual(a[k], b[k]));
  }
  return false;
}

function compare(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  return undefined; // different type brackets never compare
}

/** Equality as a filter sees it: a scalar also matches any element of an array field. */
function equalsForQuery(value: unknown, wanted: unknown): boolean {
  if (valuesEqual(value, wanted)) return true;
  if (wanted === null && value === undefined) return true;
  return Array.isArray(value) && !Array.isArray(wanted) && value.some((x) => valuesEqual(x, wanted));
}

function matchOperator(value: unknown, op: string, arg: unknown): boolean {
  const ordered = (test: (c: number) => boolean) => {
    const values = Array.isArray(value) ? value : [value];
    return values.some((x) => {
      const c = compare(x, arg);
      return c !== undefined && test(c);
    });
  };
  switch (op) {
    case '$eq':
      return equalsForQuery(value, arg);
    case '$ne':
      return !equalsForQuery(value, arg);
    case '$lt':
      return ordered((c) => c < 0);
    case '$lte':
      return ordered((c) => c <= 0);
    case '$gt':
      return ordered((c) => c > 0);
    case '$gte':
      return ordered((c) => c >= 0);
    case '$in':
      if (!Array.isArray(arg)) throw new UnsupportedOperationError('$in needs an array');
      return arg.some((x) => equalsForQuery(value, x));
    case '$nin':
      if (!Array.isArray(arg)) throw new UnsupportedOperationError('$nin needs an array');
      return !arg.some((x) => equalsForQuery(value, x));
    case '$exists':
      return (value !== undefined) === Boolean(arg);
    default:
      throw new UnsupportedOperationError(`filter operator ${op} is not supported in memory`);
  }
}

/**
 * True when `doc` matches `filter` as the store would decide it (for the supported operators).
 * @throws UnsupportedOperationError for any other operator.
 */
export function matches(doc: Doc, filter: Record<string, unknown>): boolean {
  for (const [key, cond] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(cond)) throw new UnsupportedOperationError(`${key} needs an array`);
      const parts = cond as Record<string, unknown>[];
      const ok = key === '$and' ? parts.every((f) => matches(doc, f)) : parts.some((f) => matches(doc, f));
      if (!ok) return false;
      continue;
    }
    if (key.startsWith('$')) throw new UnsupportedOperationError(`filter operator ${key} is not supported in memory`);
    const value = getPath(doc, key);
    if (isOperatorObject(cond)) {
      for (const [op, arg] of Object.entries(cond)) if (!matchOperator(value, op, arg)) return false;
    } else if (!equalsForQuery(value, cond)) return false;
  }
  return true;
}

/**
 * The fields an upsert's new document starts with: the filter's top-level equalities (plain values
 * and `$eq`), as the store seeds them before applying the update.
 */
export function upsertSeed(filter: Record<string, unknown>): Doc {
  const seed: Doc = {};
  if ('_id' in filter && !isOperatorObject(filter['_id'])) seed['_id'] = storedValue(filter['_id']);
  for (const [key, cond] of Object.entries(filter)) {
    if (key.startsWith('$') || key === '_id') continue;
    if (isOperatorObject(cond)) {
      if ('$eq' in cond) setPath(seed, key, cond['$eq']);
    } else setPath(seed, key, cond);
  }
  return seed;
}

function setPath(doc: Doc, path: string, value: unknown): void {
  const at = parentOf(doc, path, true);
  if (at) at.parent[at.key] = storedValue(value);
}

/**
 * Applies an update document to `doc` in place (`inserting` enables `$setOnInsert`).
 * @throws UnsupportedOperationError for replacement documents and unsupported operators;
 * InvalidUpdateError where the store would reject the update (e.g. `$inc` on a non-number).
 */
export function applyUpdate(doc: Doc, update: Record<string, unknown>, inserting: boolean): void {
  const entries = Object.entries(update);
  if (entries.length === 0 || entries.some(([k]) => !k.startsWith('$'))) throw new UnsupportedOperationError('replacement updates are not supported in memory');
  for (const [op, fields] of entries) {
    if (!isPlainObject(fields)) throw new InvalidUpdateError(`${op} needs a document`);
    for (const [path, arg] of Object.entries(fields)) {
      if (path === '_id' && op !== '$setOnInsert' && !(op === '$set' && valuesEqual(doc['_id'], arg))) {
        throw new InvalidUpdateError('the _id field cannot be changed');
      }
      switch (op) {
        case '$set':
          setPath(doc, path, arg);
          break;
        case '$setOnInsert':
          if (inserting) setPath(doc, path, arg);
          break;
        case '$unset': {
          const at = parentOf(doc, path, false);
          if (at) delete at.parent[at.key];
          break;
        }
        case '$inc': {
          if (typeof arg !== 'number') throw new InvalidUpdateError(`$inc of ${path} needs a number`);
          const current = getPath(doc, path);
          if (current === undefined || current === null) {
            if (current === null) throw new InvalidUpdateError(`cannot $inc null field ${path}`);
            setPath(doc, path, arg);
          } else if (typeof current === 'number') setPath(doc, path, current + arg);
          else throw new InvalidUpdateError(`cannot $inc non-number field ${path}`);
          break;
        }
        case '$push': {
          const modifiers = isPlainObject(arg) && '$each' in arg;
          const items = modifiers ? arg['$each'] : [arg];
          if (!Array.isArray(items)) throw new InvalidUpdateError('$each needs an array');
          if (modifiers && Object.keys(arg).some((k) => k !== '$each')) throw new UnsupportedOperationError('$push modifiers other than $each are not supported in memory');
          const current = getPath(doc, path);
          if (current === undefined) setPath(doc, path, items);
          else if (Array.isArray(current)) current.push(...items.map(storedValue));
          else throw new InvalidUpdateError(`cannot $push to non-array field ${path}`);
          break;
        }
        default:
          throw new UnsupportedOperationError(`update operator ${op} is not supported in memory`);
      }
    }
  }
}
