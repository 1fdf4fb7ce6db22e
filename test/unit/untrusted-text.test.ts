/**
 * Trace content is untrusted: written by LLMs and by anyone with access to an experiment. These
 * tests hold the formatting in src/shared/format.ts (and what builds on it) to showing such text
 * as text: never cut in half, never as links, images, icons or reordered by bidi controls.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  asAssessmentId,
  asTraceId,
  MlflowApiError,
  type Feedback,
  type Span,
  type TraceInfo,
} from '../../src/mlflow';
import { codeBlock, codeSpan, describeAssessment, plain, truncate } from '../../src/shared/format';
import { assessmentTooltip, spanTooltip, traceTooltip } from '../../src/tree/tooltips';
import { parseValue } from '../../src/shared/value-input';

/** True when `text` holds a lone surrogate: half an emoji, drawn as �. */
function hasLoneSurrogate(text: string): boolean {
  return /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

describe('truncation', () => {
  it('never splits a surrogate pair', () => {
    const text = 'ab😀cd';
    for (let max = 1; max <= text.length; max++) {
      const cut = truncate(text, max);
      assert.ok(!hasLoneSurrogate(cut), `cut at ${max}: ${JSON.stringify(cut)}`);
      assert.ok(cut.length <= max, `cut at ${max} is at most ${max} long`);
    }
    assert.equal(truncate('ab😀cd', 4), 'ab…');
    assert.equal(truncate('ab😀cd', 5), 'ab😀…');
  });
  it('keeps emoji whole in the value parser’s messages', () => {
    const parsed = parseValue('number', `${'x'.repeat(38)}😀😀`);
    assert.ok(!parsed.ok && !hasLoneSurrogate(parsed.message), JSON.stringify(parsed));
  });
  it('keeps emoji whole in a long server message', () => {
    const said = `${'x'.repeat(299)}😀 and more`;
    const error = new MlflowApiError(500, undefined, said, 'GET', 'http://h/api');
    assert.ok(!hasLoneSurrogate(error.message), error.message);
  });
});

/** Breaks out of a code span at each line terminator, then shows a remote image and links. */
const BREAKOUTS = ['\r', '\r\n', '\n', '\u0085', '\u2028', '\u2029'].map(
  (br) =>
    `x${br}${br}![i](https://evil.example/i.png) [a](https://evil.example) <img src=x> ` +
    `https://evil.example www.evil.example me@evil.example &lt;b&gt;`,
);
const BIDI = 'is \u202Eeslaf\u202C \u2066\u2069\u200E\u200F\u061C\u202A\u202B\u202D\u2067\u2068';

/**
 * What a Markdown renderer would read as markup in `markdown`: its prose, with fenced blocks,
 * code spans and backslash escapes taken out. Lines end where CommonMark ends them (\n, \r) and
 * where some renderers do (U+0085, U+2028, U+2029).
 */
function markupOutsideCode(markdown: string): string {
  const prose: string[] = [];
  let fence: string | undefined;
  for (const line of markdown.split(/\r\n|[\n\r\u0085\u2028\u2029]/)) {
    if (fence) {
      if (new RegExp(`^ {0,3}${fence}\`*\\s*$`).test(line)) fence = undefined;
      continue;
    }
    const open = /^ {0,3}(`{3,})/.exec(line);
    if (open) {
      fence = open[1];
      continue;
    }
    prose.push(
      line
        .replace(/(?<!`)(`+)(?!`)(.*?[^`])\1(?!`)/g, '')
        .replace(/\\[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]/g, ''),
    );
  }
  assert.equal(fence, undefined, 'every fenced block is closed by its own fence');
  return prose.join('\n');
}

/** Holds a hover to showing untrusted text as text: no link, image, HTML, entity or bidi. */
function assertInert(markdown: string): void {
  assert.doesNotMatch(markdown, /[\r\u0085\u2028\u2029\v\f]/, 'only \\n ends a line');
  assert.doesNotMatch(markdown, /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/, 'bidi shown');
  const markup = markupOutsideCode(markdown);
  assert.doesNotMatch(markup, /[[\]<>&!]|:\/\/|www\.|@/, `markup in ${JSON.stringify(markup)}`);
}

const now = '2026-01-01T00:00:00Z';
function hostileTrace(text: string): TraceInfo {
  return {
    traceId: asTraceId('tr-1'),
    requestTime: now,
    state: 'OK',
    requestPreview: text,
    responsePreview: `\`\`\`\r${text}`,
    metadata: {},
    tags: { 'mlflow.traceName': text },
    assessments: [],
  };
}
function hostileFeedback(text: string): Feedback {
  return {
    kind: 'feedback',
    assessmentId: asAssessmentId(`a-${text}`),
    traceId: asTraceId('tr-1'),
    name: text,
    value: text,
    rationale: `\`\`\`\u2028${text}`,
    source: { sourceType: 'HUMAN', sourceId: text },
    spanId: text,
    createTime: now,
    lastUpdateTime: now,
    metadata: { [text]: text },
    valid: false,
  };
}
function hostileSpan(text: string): Span {
  return {
    traceId: asTraceId('tr-1'),
    spanId: text,
    parentSpanId: null,
    name: text,
    startTimeUnixNano: 0n,
    endTimeUnixNano: 1n,
    status: { code: 'STATUS_CODE_ERROR', message: text },
    inputs: { text },
    outputs: text,
    spanType: text,
    // The model's name is the app's to choose: untrusted like the rest.
    attributes: { 'mlflow.llm.model': text, 'mlflow.chat.tokenUsage': { input_tokens: 1 } },
    events: [],
  };
}

describe('hovers', () => {
  it('keep code spans on one line, whatever line terminator the text holds', () => {
    for (const text of BREAKOUTS) {
      assertInert(codeSpan(text));
      assert.ok(codeSpan(text).includes('⏎'), 'a line break is shown');
    }
  });
  it('keep fenced blocks closed by their own fence only', () => {
    for (const text of BREAKOUTS) {
      assertInert(codeBlock(`\`\`\`\r${text}\u2028\`\`\`\`\u2029`, 'json'));
    }
  });
  it('show trace, assessment and span content as text', () => {
    for (const text of [...BREAKOUTS, BIDI, 'https://evil.example', '](x) $(icon) \\']) {
      assertInert(traceTooltip(hostileTrace(text)));
      const feedback = hostileFeedback(text);
      assertInert(assessmentTooltip(feedback, { ...hostileFeedback(text), valid: true }));
      assertInert(
        assessmentTooltip({
          ...feedback,
          value: null,
          error: { errorCode: text, errorMessage: text, stackTrace: text },
        }),
      );
      assertInert(spanTooltip(hostileSpan(text)));
    }
  });
  it('make bidirectional controls visible', () => {
    assert.ok(codeSpan(BIDI).includes('⟪U+202E⟫eslaf⟪U+202C⟫'));
    assert.ok(traceTooltip(hostileTrace(BIDI)).includes('⟪U\\+202E⟫eslaf'));
  });
});

/** How VS Code finds links in a notification's message (notificationsViewer's LINK_REGEX). */
const NOTIFICATION_LINK =
  /\[([^\]]+)\]\(((?:https?:\/\/|command:|file:)[^)\s]+)(?: (["'])(.+?)(\3))?\)/gi;
/** How VS Code finds `$(icon)` in labels, quick picks and the status bar (iconLabels). */
const CODICON = /\$\(([a-z.]+\/)?([a-z-]+)(~[a-z]+)?\)/gi;

describe('notifications, quick picks and the status bar', () => {
  const hostile =
    '[Sign in](command:workbench.action.openSettings) [docs](https://evil.example) ' +
    '[log](file:///etc/passwd) $(check) $(sync~spin) $(alert)';
  it('neutralise link and icon syntax in untrusted text', () => {
    const shown = plain(hostile);
    assert.doesNotMatch(shown, NOTIFICATION_LINK);
    assert.doesNotMatch(shown, CODICON);
    assert.equal(shown.replaceAll('\u200B', ''), hostile, 'the text reads the same');
    assert.equal(plain(shown), shown, 'applying it twice changes nothing');
  });
  it('keep our own icons around untrusted names', () => {
    const message = `$(check) Logged feedback "${plain('$(error) x')}"`;
    assert.equal([...message.matchAll(CODICON)].length, 1);
    assert.doesNotMatch(describeAssessment({ kind: 'feedback', name: hostile }), CODICON);
    assert.doesNotMatch(describeAssessment({ kind: 'feedback', name: hostile }), NOTIFICATION_LINK);
  });
  it('make bidirectional controls visible', () => {
    assert.equal(plain('ok: \u202Eeslaf'), 'ok: ⟪U+202E⟫eslaf');
    for (const control of BIDI.replace(/[a-z ]/g, '')) {
      assert.match(plain(control), /^⟪U\+[0-9A-F]{3,4}⟫$/, JSON.stringify(control));
    }
    assert.ok(describeAssessment({ kind: 'feedback', name: '\u2067x' }).includes('⟪U+2067⟫'));
  });
});
