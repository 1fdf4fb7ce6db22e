/** Who the person is, as the `source_id` of their assessments: git's user.email, else the OS user. */
import { execFile } from 'node:child_process';
import { userInfo } from 'node:os';

export async function defaultReviewer(cwd: string | undefined): Promise<string> {
  const email = await gitUserEmail(cwd);
  if (email) return email;
  try {
    return userInfo().username;
  } catch {
    return 'reviewer';
  }
}

function gitUserEmail(cwd: string | undefined): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('git', ['config', 'user.email'], { cwd, timeout: 3000 }, (error, stdout) => {
      resolve(error ? undefined : stdout.trim() || undefined);
    });
  });
}
