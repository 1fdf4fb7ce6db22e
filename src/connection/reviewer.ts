/** Who the person is, as the `source_id` of their assessments: git's user.email, else the OS user. */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

/** Known at once, without running anything. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'reviewer';
  }
}

/** git's `user.email` for the workspace, or undefined (git missing, not set, or slow). */
export function gitUserEmail(cwd: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.email'], { cwd, timeout: 3000 }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}
