/** The one-line message of anything thrown (MLflow errors already say what to do). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'An unknown error occurred';
}
