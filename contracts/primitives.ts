import { z } from 'zod';

/** ISO-4217 currency code: three upper-case letters. */
export const Currency = z.string().regex(/^[A-Z]{3}$/, 'currency must be 3 upper-case letters');

/** Integer minor units (cents), non-negative; `z.int()` also enforces Number.isSafeInteger. */
export const AmountMinor = z.int().nonnegative();

/** Money as stored in events: integer minor units + currency. Never floats. */
export const Money = z.object({ amountMinor: AmountMinor, currency: Currency });
export type Money = z.infer<typeof Money>;

/** A non-empty identifier string (ids are not re-validated as uuids on read: old data stays readable). */
export const Id = z.string().min(1);

/** Positive safe integer quantity. */
export const Quantity = z.int().positive();

/** ISO-8601 timestamp string (with offset or `Z`). */
export const Timestamp = z.iso.datetime({ offset: true });

/** Converts zod issues into contract issues with string paths. */
export function toIssues(error: z.ZodError): { path: string[]; message: string }[] {
  return error.issues.map((i) => ({ path: i.path.map((p) => String(p)), message: i.message }));
}
