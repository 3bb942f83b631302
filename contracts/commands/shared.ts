import { z } from 'zod';
import { Currency } from '../primitives.ts';

/** SKU as accepted from clients: 1..32 of `A-Z`, `0-9`, `-`. */
export const Sku = z.string().regex(/^[A-Z0-9-]{1,32}$/, 'sku must be 1-32 characters of A-Z, 0-9 or -');

/** A price from a client: positive integer minor units + currency. */
export const UnitPrice = z.object({ amountMinor: z.int().positive(), currency: Currency });
export type UnitPrice = z.infer<typeof UnitPrice>;

/** An RFC 9562 uuid. */
export const Uuid = z.uuid();

/** No NUL: Postgres stores neither it in text nor `\u0000` in jsonb, so it would fail the append as an internal error. */
const NO_NUL = /^[^\u0000]*$/;

/** Free text with bounded length (`min..max` characters), without NUL. */
export const text = (min: number, max: number) => z.string().min(min).max(max).regex(NO_NUL, 'must not contain NUL (U+0000)');
