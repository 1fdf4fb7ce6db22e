/**
 * The value step of Log Feedback and Log Expectation when the name is one of the experiment's
 * questions (an MLflow label schema): asked as the question says (pass/fail as two choices named
 * by its labels, categorical as its options, a number within its bounds, text within its maximum
 * length) and checked with label-validation.ts as typed. Nothing is clamped or changed.
 */
import type { FeedbackValue, JsonValue, LabelSchema } from '../mlflow';
import { plain } from '../shared/format';
import { checkLabelAnswer, parseNumberAnswer, type LabelAnswer } from '../shared/label-validation';
import { describeLabelInput } from '../shared/question-rules';
import { input, pick, pickMany, type StepInfo } from './prompts';

/** The answer to `schema`, the previous answer (a draft, or the last one on the trace) first. */
export async function enterAnswer(
  info: StepInfo,
  schema: LabelSchema,
  initial?: JsonValue,
): Promise<FeedbackValue & LabelAnswer> {
  const spec = schema.input;
  const prompt = schema.instruction
    ? `${plain(schema.instruction)} (${describeLabelInput(spec)})`
    : describeLabelInput(spec);
  switch (spec.type) {
    case 'passFail': {
      const rows = [
        { label: `$(pass) ${plain(spec.positiveLabel)}`, description: 'true', value: true },
        { label: `$(error) ${plain(spec.negativeLabel)}`, description: 'false', value: false },
      ];
      const chosen = await pick(info, rows, {
        placeHolder: prompt,
        activeIndex: initial === false ? 1 : 0,
      });
      return chosen.value;
    }
    case 'categorical': {
      const rows = spec.options.map((option) => ({ label: plain(option), option }));
      if (!spec.multiSelect) {
        const index = rows.findIndex((r) => r.option === initial);
        const chosen = await pick(info, rows, {
          placeHolder: prompt,
          activeIndex: Math.max(0, index),
        });
        return chosen.option;
      }
      const before = Array.isArray(initial) ? initial : [];
      const chosen = await pickMany(info, rows, {
        placeHolder: `${prompt}: Space ticks, Enter accepts`,
        picked: rows.filter((r) => before.includes(r.option)),
        atLeastOne: 'Tick at least one option (Space), then press Enter.',
      });
      return accepted(
        spec,
        chosen.map((r) => r.option),
      );
    }
    case 'numeric': {
      const check = (text: string) => {
        const parsed = parseNumberAnswer(text);
        return parsed.ok ? checkLabelAnswer(spec, parsed.value) : parsed;
      };
      const text = await input(info, {
        prompt,
        ...(typeof initial === 'number' ? { value: String(initial) } : {}),
        validate: (t) => {
          const checked = check(t);
          return checked.ok ? undefined : checked.message;
        },
      });
      const checked = check(text);
      if (!checked.ok) throw new Error(checked.message);
      return checked.value;
    }
    case 'text': {
      const text = await input(info, {
        prompt,
        ...(typeof initial === 'string' ? { value: initial } : {}),
        validate: (t) => {
          const checked = checkLabelAnswer(spec, t);
          return checked.ok ? undefined : checked.message;
        },
      });
      return accepted(spec, text);
    }
    case 'unsupported':
      return accepted(spec, undefined);
  }
}

function accepted(spec: LabelSchema['input'], value: unknown): LabelAnswer {
  const checked = checkLabelAnswer(spec, value);
  if (!checked.ok) throw new Error(checked.message);
  return checked.value;
}
