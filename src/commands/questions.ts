/** The experiment's questions (label schemas) as the everyday flows use them. */
import type { JsonValue, LabelSchema } from '../mlflow';
import { plain } from '../shared/format';
import { checkLabelAnswer } from '../shared/label-validation';

/**
 * A value given without asking (by other code or a test) for a name that is one of the
 * questions must fit the question, as a typed one must: otherwise the message says why.
 */
export function checkAgainstQuestion(
  questions: LabelSchema[],
  name: string,
  value: JsonValue | undefined,
): void {
  const schema = questions.find((q) => q.name === name);
  if (!schema) return;
  const checked = checkLabelAnswer(schema.input, value);
  if (!checked.ok)
    throw new Error(`"${plain(name)}" is one of the experiment's questions: ${checked.message}`);
}
