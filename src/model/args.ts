/** The most user ids one bulk command may name. */
export const MAX_BULK_IDS = 1000;

/** Checks a bulk command's argument; returns the ids, or a sentence saying what is wrong. */
export function parseUserIds(value: unknown): string[] | string {
  if (!Array.isArray(value)) {
    return `userIds must be an array of user ids, not ${describe(value)}`;
  }
  if (value.length === 0) return 'userIds is empty; name at least one user';
  if (value.length > MAX_BULK_IDS) {
    return `userIds names ${value.length} users; send at most ${MAX_BULK_IDS} per call`;
  }
  for (let i = 0; i < value.length; i++) {
    const id: unknown = value[i];
    if (typeof id !== 'string' || id.length === 0) {
      return `userIds[${i}] must be a non-empty string, not ${describe(id)}`;
    }
  }
  return value as string[];
}

export function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return value.length === 0 ? 'an empty string' : 'a string';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`;
}
