/**
 * A review answer as typed, checked against its question (for the review webview as it is typed,
 * and for the host before anything is written). Never changed into something that fits: an
 * answer that does not fit is refused with label-validation.ts's message. No `vscode`, no DOM.
 */
import type { LabelInput } from '../mlflow/review-types';
import { checkLabelAnswer, parseNumberAnswer, type LabelCheck } from './label-validation';
import type { AnswerDraft } from './protocol/review';

/** Whether the reviewer gave the question an answer (a comment alone is none). */
export function isAnswered(draft: AnswerDraft | undefined): boolean {
  if (!draft) return false;
  if (draft.text !== undefined) return draft.text.trim() !== '';
  if (Array.isArray(draft.value)) return draft.value.length > 0;
  return draft.value !== undefined;
}

/** A draft's value, checked against the question's input: numbers are parsed from what was typed. */
export function checkDraft(input: LabelInput, draft: AnswerDraft): LabelCheck {
  if (input.type === 'numeric') {
    const parsed = parseNumberAnswer(draft.text ?? '');
    return parsed.ok ? checkLabelAnswer(input, parsed.value) : parsed;
  }
  if (input.type === 'text') return checkLabelAnswer(input, draft.text ?? '');
  return checkLabelAnswer(input, draft.value);
}
