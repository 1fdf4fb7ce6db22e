/** Who the person is, as the `source_id` of their assessments: git's user.email, else the OS user. */
import { execFile } from 'node:child_process';
import { homedir, userInfo } from 'node:os';

/** Known at once, without running anything. */
export function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'reviewer';
  }
}

/**
 * git's `user.email` for the workspace folder (or the user's global one), or undefined (git
 * missing, not set, or slow). git runs from the home folder with `-C`, never with the workspace
 * as its working folder: on Windows a `git.exe` committed at the workspace's root would run.
 * Call it for trusted workspaces only: the repository's own config is read.
 */
export function gitUserEmail(folder: string | undefined): Promise<string | undefined> {
  const args = folder
    ? ['-C', folder, 'config', 'user.email']
    : ['config', '--global', 'user.email'];
  return new Promise((resolve) => {
    execFile('git', args, { cwd: homedir(), timeout: 3000 }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}
