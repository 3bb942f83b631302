/**
 * The stored idempotency key of a client key: scoped to the principal and the mutation, each part
 * length-prefixed (`<len>:<part>`) so no two (subject, mutation, key) triples can give the same
 * string, whatever characters a subject contains (`a:b` + `c` vs `a` + `b:c` used to collide).
 */
export function idempotencyScope(subject: string, mutation: string, key: string): string {
  return [subject, mutation, key].map((part) => `${part.length}:${part}`).join('|');
}
