/**
 * The feedback and expectation forms' logic: drafts, and turning a draft into what the client
 * sends, with a message per field when something does not fit. Used by the webview (to show
 * errors before anything is sent) and by the host (which checks again: the webview is not
 * trusted). Pure: no `vscode`, no DOM.
 */
import type { AssessmentUpdate, FeedbackValue, JsonValue, SourceType } from '../mlflow';
import type { AssessmentView } from './protocol/common';
import { checkLabelAnswer, parseNumberAnswer, type LabelCheck } from './label-validation';
import type { FormDraft, FormMode, FormQuestion } from './protocol/form';
import {
  describeBadName,
  formatForInput,
  parseFeedbackValue,
  parseValue,
  valueTypeOf,
} from './value-input';

export type FieldErrors = Partial<Record<keyof FormDraft | 'form', string>>;

export interface FeedbackToLog {
  kind: 'feedback';
  name: string;
  value?: FeedbackValue;
  error?: { errorCode: string; errorMessage?: string; stackTrace?: string };
  rationale?: string;
  source: { sourceType: SourceType; sourceId: string };
  metadata: Record<string, string>;
  spanId?: string;
}

export interface ExpectationToLog {
  kind: 'expectation';
  name: string;
  value: JsonValue;
  source: { sourceType: SourceType; sourceId: string };
  metadata: Record<string, string>;
  spanId?: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

export function emptyDraft(reviewer: string, spanId = ''): FormDraft {
  return {
    name: '',
    valueType: 'boolean',
    valueText: 'true',
    rationale: '',
    sourceType: 'HUMAN',
    sourceId: reviewer,
    metadata: [],
    spanId,
    errorMode: false,
    errorCode: '',
    errorMessage: '',
    stackTrace: '',
  };
}

/** A draft prefilled from an assessment: for editing it, or (value left to the person) overriding it. */
export function draftFrom(assessment: AssessmentView, mode: FormMode, reviewer: string): FormDraft {
  const base = emptyDraft(reviewer, assessment.spanId ?? '');
  const valueType = assessment.value === null ? 'boolean' : valueTypeOf(assessment.value);
  if (mode === 'override') {
    return {
      ...base,
      name: assessment.name,
      valueType,
      valueText: valueType === 'boolean' ? 'true' : '',
    };
  }
  return {
    ...base,
    name: assessment.name,
    valueType,
    valueText: assessment.value === null ? '' : formatForInput(valueType, assessment.value),
    rationale: assessment.rationale ?? '',
    sourceType:
      assessment.source.sourceType === 'SOURCE_TYPE_UNSPECIFIED'
        ? 'HUMAN'
        : assessment.source.sourceType,
    sourceId: assessment.source.sourceId ?? '',
    metadata: Object.entries(assessment.metadata).map(([key, value]) => ({ key, value })),
  };
}

/** The question the draft's name is, if it is one. */
export function questionFor(
  questions: readonly FormQuestion[] | undefined,
  name: string,
): FormQuestion | undefined {
  const trimmed = name.trim();
  return questions?.find((q) => q.name === trimmed);
}

/**
 * The draft's value as the question's answer: the text read as the question takes it (pass/fail
 * "true" or "false", an option, a JSON list of options, a number, text), then checked against
 * it. Never clamped or changed.
 */
export function answerFromDraft(question: FormQuestion, valueText: string): LabelCheck {
  const { input } = question;
  switch (input.type) {
    case 'passFail':
      return checkLabelAnswer(
        input,
        valueText === 'true' ? true : valueText === 'false' ? false : valueText,
      );
    case 'categorical': {
      if (!input.multiSelect) return checkLabelAnswer(input, valueText);
      let picked: unknown = [];
      try {
        picked = valueText.trim() === '' ? [] : JSON.parse(valueText);
      } catch {
        picked = valueText;
      }
      return checkLabelAnswer(input, picked);
    }
    case 'numeric': {
      const parsed = parseNumberAnswer(valueText);
      return parsed.ok ? checkLabelAnswer(input, parsed.value) : parsed;
    }
    default:
      return checkLabelAnswer(input, valueText);
  }
}

/** The value of the draft: as its question says when its name is one, else by its value type. */
function draftValue<T>(
  draft: FormDraft,
  questions: readonly FormQuestion[] | undefined,
  parse: (
    type: FormDraft['valueType'],
    text: string,
  ) => { ok: true; value: T } | { ok: false; message: string },
): { ok: true; value: T } | { ok: false; message: string } {
  const question = questionFor(questions, draft.name);
  if (!question) return parse(draft.valueType, draft.valueText);
  const checked = answerFromDraft(question, draft.valueText);
  // Every answer a question takes is a JSON value, and a feedback value too.
  return checked.ok ? { ok: true, value: checked.value as T } : checked;
}

export function checkFeedback(
  draft: FormDraft,
  questions?: readonly FormQuestion[],
): Checked<FeedbackToLog> {
  const errors: FieldErrors = {};
  const common = checkCommon(draft, errors);
  let value: FeedbackValue | undefined;
  let error: FeedbackToLog['error'];
  if (draft.errorMode) {
    if (!draft.errorCode.trim()) errors.errorCode = 'Enter an error code, e.g. RATE_LIMIT_EXCEEDED';
    else {
      error = {
        errorCode: draft.errorCode.trim(),
        ...(draft.errorMessage.trim() ? { errorMessage: draft.errorMessage } : {}),
        ...(draft.stackTrace.trim() ? { stackTrace: draft.stackTrace } : {}),
      };
    }
  } else {
    const parsed = draftValue(draft, questions, parseFeedbackValue);
    if (parsed.ok) value = parsed.value;
    else errors.valueText = parsed.message;
  }
  if (!common || Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    value: {
      kind: 'feedback',
      ...common,
      ...(value !== undefined ? { value } : {}),
      ...(error ? { error } : {}),
      ...(draft.rationale.trim() ? { rationale: draft.rationale } : {}),
    },
  };
}

export function checkExpectation(
  draft: FormDraft,
  questions?: readonly FormQuestion[],
): Checked<ExpectationToLog> {
  const errors: FieldErrors = {};
  const common = checkCommon(draft, errors);
  const parsed = draftValue(draft, questions, parseValue);
  if (!parsed.ok) errors.valueText = parsed.message;
  if (!common || !parsed.ok || Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, value: { kind: 'expectation', ...common, value: parsed.value } };
}

/** The update that turns `original` into what the draft says; only what changed is sent. */
export function checkEdit(
  original: AssessmentView,
  draft: FormDraft,
  questions?: readonly FormQuestion[],
): Checked<AssessmentUpdate> {
  const checked =
    original.kind === 'feedback'
      ? checkFeedback({ ...draft, errorMode: false }, questions)
      : checkExpectation(draft, questions);
  if (!checked.ok) return checked;
  const next = checked.value;
  const update: AssessmentUpdate = {};
  if (next.name !== original.name) update.name = next.name;
  if (JSON.stringify(next.value) !== JSON.stringify(original.value)) {
    if (original.kind === 'feedback') update.feedback = { value: next.value as FeedbackValue };
    else update.expectation = { value: next.value ?? null };
  }
  if (next.kind === 'feedback' && (next.rationale ?? '') !== (original.rationale ?? '')) {
    update.rationale = next.rationale ?? '';
  }
  const changedMetadata = Object.fromEntries(
    Object.entries(next.metadata).filter(
      // Own keys only: `constructor` is not there just because every object has one.
      ([key, value]) => !Object.hasOwn(original.metadata, key) || original.metadata[key] !== value,
    ),
  );
  if (Object.keys(changedMetadata).length > 0) update.metadata = changedMetadata;
  if (Object.keys(update).length === 0)
    return { ok: false, errors: { form: 'Nothing has changed.' } };
  return { ok: true, value: update };
}

function checkCommon(
  draft: FormDraft,
  errors: FieldErrors,
): Omit<ExpectationToLog, 'kind' | 'value'> | undefined {
  const nameProblem = describeBadName(draft.name);
  if (nameProblem) errors.name = nameProblem;
  if (!draft.sourceId.trim()) {
    errors.sourceId =
      draft.sourceType === 'HUMAN'
        ? 'Enter who assessed: your name or email'
        : 'Name the judge or the code, e.g. gpt-4o or my_scorer.py';
  }
  if (draft.spanId && !/^[0-9a-f]{16}$/.test(draft.spanId))
    errors.spanId = 'Choose a span of this trace';
  // A Map: keys such as `constructor` or `__proto__` are metadata like any other.
  const metadata = new Map<string, string>();
  for (const row of draft.metadata) {
    const key = row.key.trim();
    if (!key && !row.value) continue;
    if (!key) errors.metadata = 'Every metadata row needs a key';
    else if (metadata.has(key)) errors.metadata = `The key "${key}" appears twice`;
    else metadata.set(key, row.value);
  }
  if (Object.keys(errors).length > 0) return undefined;
  return {
    name: draft.name.trim(),
    source: { sourceType: draft.sourceType, sourceId: draft.sourceId.trim() },
    metadata: Object.fromEntries(metadata),
    ...(draft.spanId ? { spanId: draft.spanId } : {}),
  };
}
