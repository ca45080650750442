import { z } from 'zod';
import { DEFAULT_SCRYPT_PARAMS, hashPassword, parsePasswordHash, verifyPassword } from './password.js';

/** A moderator who may sign in. `id` is what decisions record. */
export interface User {
  id: string;
  name: string;
  passwordHash: string;
}

const userSchema = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9._@-]{1,64}$/, 'expected 1-64 characters of letters, digits, ".", "_", "@" or "-"'),
  name: z.string().trim().min(1).max(200).optional(),
  password_hash: z.string().superRefine((hash, context) => {
    const parsed = parsePasswordHash(hash);
    if (typeof parsed === 'string') context.addIssue({ code: 'custom', message: parsed });
  }),
});

const usersFileSchema = z.object({ users: z.array(userSchema).min(1, 'at least one user') });

/**
 * The users file: `{"users": [{"id": "alice", "name": "Alice", "password_hash": "scrypt$..."}]}`, mounted
 * from a Secret. Every problem is reported; password hashes are never echoed.
 */
export function parseUsersFile(
  content: string,
): { ok: true; users: User[] } | { ok: false; problems: string[] } {
  let json: unknown;
  try {
    json = JSON.parse(content);
  } catch (error) {
    return { ok: false, problems: [`not JSON (${(error as Error).message})`] };
  }
  const parsed = usersFileSchema.safeParse(json);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map(
        (issue) => `${issue.path.map(String).join('.') || '(file)'}: ${issue.message}`,
      ),
    };
  }
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const user of parsed.data.users) {
    if (seen.has(user.id)) problems.push(`users: duplicate id ${user.id}`);
    seen.add(user.id);
  }
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    users: parsed.data.users.map((user) => ({
      id: user.id,
      name: user.name ?? user.id,
      passwordHash: user.password_hash,
    })),
  };
}

/** Checks sign-ins against the configured users. */
export class UserDirectory {
  readonly #users: Map<string, User>;
  /** Verified for unknown names, so that a wrong name costs as long as a wrong password. */
  #decoyHash: Promise<string> | undefined;

  constructor(users: readonly User[]) {
    this.#users = new Map(users.map((user) => [user.id, user]));
  }

  get size(): number {
    return this.#users.size;
  }

  get(id: string): User | undefined {
    return this.#users.get(id);
  }

  /** The user when the name and password match, otherwise undefined (same cost either way). */
  async authenticate(username: string, password: string): Promise<User | undefined> {
    const user = this.#users.get(username);
    if (user === undefined) {
      this.#decoyHash ??= hashPassword('decoy password', DEFAULT_SCRYPT_PARAMS);
      await verifyPassword(password, await this.#decoyHash);
      return undefined;
    }
    return (await verifyPassword(password, user.passwordHash)) ? user : undefined;
  }
}
