/** The trace panel and the forms in the real workbench, each result checked with MLflow's SDK. */
import assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { ExtensionApi } from '../../src/extension';
import type { TraceRendered } from '../../src/panels/panel-context';
import { asTraceId } from '../../src/mlflow/ids';
import { FaultProxy } from '../support/fault-proxy';
import { PythonSdk, type PyAssessment } from '../support/python-sdk';
import {
  closeAllTabs,
  dialogCount,
  env,
  extensionApi,
  inWebview,
  keys,
  panelTabs,
  rows,
  screenshot,
  seed,
  setSetting,
  showView,
  waitFor,
  run,
} from './support/harness';

const REVIEWER = 'reviewer@example.com';

const field = (name: string) => `[data-field="${name}"] input, [data-field="${name}"] textarea`;

describe('the trace panel', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  const { traces } = seed();

  before(async () => {
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
  });
  after(async () => {
    sdk.close();
    await setSetting('colorTheme', undefined);
  });
  beforeEach(closeAllTabs);

  it('shows the header, the conversation, the span tree and the assessments of a seeded trace', async () => {
    await run('openTrace', { traceId: traces.chat });
    const [title, messages, spans] = await inWebview(
      'trace',
      { waitFor: true, selector: 'h1', hasText: 'chat_app' },
      { text: true, selector: 'h1' },
      { text: true, selector: '[data-testid="request"] .chat-message' },
      { text: true, selector: '.span-row .span-name' },
    );
    assert.match(title?.[0] ?? '', /^chat_app/);
    assert.deepEqual(messages, ['userHi there']);
    const python = await sdk.call<{ name: string }[]>('span_summaries', { trace_id: traces.chat });
    assert.deepEqual([...(spans ?? [])].sort(), python.map((s) => s.name).sort());
    const [errorText] = await inWebview('trace', { text: true, selector: '.assessment .error' });
    assert.match(errorText?.[0] ?? '', /Error RATE_LIMIT_EXCEEDED: Judge rate limit exceeded/);
  });

  it('shows a selected span’s inputs and outputs, and an override behind an "edited" marker', async () => {
    await run('openTrace', { traceId: traces.agent });
    const [details] = await inWebview(
      'trace',
      { waitFor: true, selector: '.span-row', hasText: 'get_weather' },
      { click: true, selector: '.span-row:has-text("get_weather")' },
      { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'get_weather' },
      { text: true, selector: '[data-testid="span-details"]' },
    );
    assert.match(details?.[0] ?? '', /Paris/);
    const [before] = await inWebview('trace', {
      text: true,
      selector: '.feedback-group[data-name="correctness"] .assessment',
    });
    assert.equal(before?.length, 1, 'only the override shows at first');
    const [history] = await inWebview(
      'trace',
      { click: true, selector: '.feedback-group[data-name="correctness"] [data-testid="history"]' },
      { waitFor: true, selector: '.history .assessment' },
      { text: true, selector: '.history .assessment' },
    );
    assert.match(history?.[0] ?? '', /false.*overridden/s);
    await setSetting('colorTheme', undefined);
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
    await screenshot('panel-trace-light');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Dark Modern', vscode.ConfigurationTarget.Global);
    await screenshot('panel-trace-dark');
  });

  it('after a write sends only the trace’s info and assessments, and keeps the span selected', async () => {
    const renders: TraceRendered[] = [];
    const subscription = api.onDidRenderTrace((event) => renders.push(event));
    try {
      await run('openTrace', { traceId: traces.agent });
      await inWebview(
        'trace',
        { waitFor: true, selector: '.span-row', hasText: 'get_weather' },
        { click: true, selector: '.span-row:has-text("get_weather")' },
        { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'get_weather' },
      );
      const whole = await waitFor('the trace drawn whole', () =>
        renders.find((r) => r.traceId === traces.agent && !r.partial),
      );
      assert.ok(whole.spans > 0);
      await run('logFeedback', { traceId: traces.agent, name: 'partial_update', value: true });
      const partial = await waitFor('a partial update drawn', () =>
        renders.find((r) => r.traceId === traces.agent && r.partial),
      );
      // The header and the assessments, not the page: the list and the details stay.
      assert.ok(
        !partial.redrawn.includes('page') && !partial.redrawn.includes('details'),
        partial.redrawn.join(', '),
      );
      const [names, selected] = await inWebview(
        'trace',
        { waitFor: true, selector: '.feedback-group', hasText: 'partial_update' },
        { text: true, selector: '.feedback-group' },
        { text: true, selector: '[data-testid="span-details"] h3' },
      );
      assert.ok(
        names?.some((n) => n.includes('partial_update')),
        'the new feedback shows',
      );
      assert.match(selected?.[0] ?? '', /get_weather/, 'the span stays selected');
    } finally {
      subscription.dispose();
    }
  });

  it('draws a trace of 32 000 spans a window of rows at a time; a selection sends and redraws that span only', async function () {
    this.timeout(240_000);
    const SPANS = 32_000;
    // A trace logged by MLflow's SDK, given 32 000 spans on the way from the server (logging
    // that many through the SDK takes minutes): steps of ten tool calls, 300 bytes of inputs each.
    const { trace_id: traceId } = await sdk.call<{ trace_id: string }>('create_trace', {
      experiment: 'Big traces',
      input: 'many spans',
    });
    const proxy = await FaultProxy.start(env('MLFLOW_TRACKING_URI'));
    proxy.set({
      match: new RegExp(`get-trace-artifact\\?request_id=${traceId}`),
      fault: {
        kind: 'transform',
        change: (json) => {
          type Wire = Record<string, unknown>;
          const data = json as { spans: Wire[] };
          const root = data.spans.find((span) => !span.parent_span_id);
          const child = data.spans.find((span) => span.parent_span_id);
          if (!root || !child) return data;
          const id = (n: number) => {
            const bytes = Buffer.alloc(8);
            bytes.writeUInt32BE(0xabcdef01, 0);
            bytes.writeUInt32BE(n, 4);
            return bytes.toString('base64');
          };
          const spans: Wire[] = [root];
          let step = '';
          for (let i = 1; i < SPANS; i++) {
            const isStep = i % 10 === 1;
            if (isStep) step = id(i);
            spans.push({
              ...child,
              span_id: id(i),
              parent_span_id: isStep ? root.span_id : step,
              name: isStep ? `step_${i}` : `tool_${i}`,
              attributes: {
                ...(child.attributes as Wire),
                'mlflow.spanInputs': JSON.stringify({ query: 'x'.repeat(300), i }),
              },
            });
          }
          return { ...data, spans };
        },
      },
    });
    const renders: TraceRendered[] = [];
    const subscription = api.onDidRenderTrace((event) => renders.push(event));
    try {
      await run('selectServer', proxy.url);
      await waitFor('connected through the proxy', () => api.connection.state.kind === 'connected');
      await run('openTrace', { traceId });
      const first = await waitFor(
        'the trace drawn',
        () => renders.find((r) => r.traceId === traceId && r.cause === 'trace'),
        120_000,
      );
      assert.equal(first.spans, SPANS);
      assert.deepEqual(first.redrawn, ['page']);
      assert.ok(first.rows > 0 && first.rows <= 120, `${first.rows} rows drawn`);
      // The summaries, not the 9.6 MB of inputs: under 250 bytes a span.
      assert.ok(first.messageBytes < SPANS * 250, `${first.messageBytes} bytes`);
      const [heading, names] = await inWebview(
        'trace',
        { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'my_app' },
        { text: true, selector: '.spans h2' },
        { text: true, selector: '.span-row .span-name' },
      );
      assert.deepEqual(heading, [`Spans (${SPANS})`]);
      assert.ok((names?.length ?? 0) <= 120, `${names?.length} rows in the page`);
      assert.equal(names?.[0], 'my_app');

      // The keyboard reaches the end of the list: its last rows are drawn, the first ones not.
      const target = `.span-row[aria-posinset="${SPANS - 2}"]`;
      const [before, last, name] = await inWebview(
        'trace',
        { press: 'End', selector: '.span-row' },
        { waitFor: true, selector: `.span-row[aria-posinset="${SPANS}"]` },
        { waitFor: true, selector: target },
        { text: true, selector: '.span-row .span-name' },
        { text: true, selector: '.span-row:focus .span-name' },
        { text: true, selector: `${target} .span-name` },
      );
      assert.ok((before?.length ?? 0) <= 120, `${before?.length} rows drawn at the end`);
      assert.ok(!before?.includes('my_app'), 'the first row is no longer drawn');
      assert.deepEqual(last, [`tool_${SPANS - 1}`], 'the last row has the focus');
      const chosen = name?.[0] ?? '';
      assert.match(chosen, /^tool_/);

      // A selection: that span's data comes, the details and the selection mark are redrawn.
      const sinceClick = renders.length;
      const [after, selected, details] = await inWebview(
        'trace',
        { click: true, selector: target },
        { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: chosen },
        { text: true, selector: '.span-row .span-name' },
        { text: true, selector: '.span-row.selected .span-name' },
        { text: true, selector: '[data-testid="span-details"]' },
      );
      assert.match(details?.[0] ?? '', /x{300}/, 'its inputs');
      const answer = await waitFor('the span’s details drawn', () =>
        renders.find((r) => r.traceId === traceId && r.cause === 'spanDetails'),
      );
      // That span's inputs and outputs, not the trace's.
      assert.ok(
        answer.messageBytes > 300 && answer.messageBytes < 5_000,
        `${answer.messageBytes} bytes`,
      );
      const since = renders.slice(sinceClick);
      for (const r of since) {
        assert.ok(['select', 'spanDetails'].includes(r.cause), r.cause);
        assert.ok(
          r.redrawn.every((part) => part === 'selection' || part === 'details'),
          `redrawn: ${r.redrawn.join(', ')}`,
        );
        assert.equal(r.messageBytes, r.cause === 'spanDetails' ? answer.messageBytes : 0);
        assert.equal(r.scroll.list, answer.scroll.list);
      }
      // The list did not move: the same rows are drawn, scrolled as before, the chosen one marked.
      assert.deepEqual(after, before);
      assert.deepEqual(selected, [chosen]);
      assert.ok(answer.scroll.list > 0, 'the list is still scrolled to its end');

      // The raw JSON toggle redraws the values, nothing of the list, and asks the host nothing.
      const beforeRaw = renders.length;
      const [raw, rows] = await inWebview(
        'trace',
        { click: true, selector: '[data-testid="raw-toggle"]' },
        { waitFor: true, selector: '[data-testid="span-details"] pre.raw' },
        { text: true, selector: '[data-testid="span-details"] h3' },
        { text: true, selector: '.span-row .span-name' },
      );
      assert.deepEqual(raw, [chosen]);
      assert.deepEqual(rows, before);
      const toggled = await waitFor('the raw values drawn', () =>
        renders.slice(beforeRaw).find((r) => r.cause === 'raw'),
      );
      assert.ok(!toggled.redrawn.includes('list') && !toggled.redrawn.includes('page'));
      assert.equal(toggled.messageBytes, 0);
      assert.equal(toggled.scroll.list, answer.scroll.list);
      await screenshot('panel-big-trace');
    } finally {
      subscription.dispose();
      await closeAllTabs();
      await run('selectServer', env('MLFLOW_TRACKING_URI'));
      await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
      await proxy.close();
    }
  });

  it('shows untrusted output as text and runs none of it', async () => {
    await run('openTrace', { traceId: traces.untrusted });
    const [response, images, links] = await inWebview(
      'trace',
      { waitFor: true, selector: '[data-testid="response"]', hasText: '<script>' },
      { text: true, selector: '[data-testid="response"]' },
      { text: true, selector: 'main img' },
      { text: true, selector: 'main a' },
    );
    assert.match(
      response?.[0] ?? '',
      /<script>alert\('xss'\)<\/script><img src=x onerror=alert\(1\)><a href="javascript:alert\(2\)">click<\/a>/,
    );
    assert.deepEqual(images, [], 'no <img> element was made');
    assert.deepEqual(links, [], 'no link was made');
    assert.equal(await dialogCount(), 0, 'no alert ran');
    await screenshot('panel-untrusted');
  });

  it('meets WCAG AA contrast for its badges, error text and focus ring in every theme', async () => {
    const themes = [
      'Default Light Modern',
      'Default Dark Modern',
      'Default High Contrast',
      'Default High Contrast Light',
    ];
    const failures: string[] = [];
    const check = (theme: string, what: string, measured: string[] | undefined, min: number) => {
      const [ratio = '0', fg, bg] = measured ?? [];
      console.log(`contrast ${theme} · ${what}: ${ratio}:1 (${fg} on ${bg})`);
      if (Number(ratio) < min) failures.push(`${theme} · ${what}: ${ratio}:1 < ${min}:1`);
    };
    try {
      for (const theme of themes) {
        await vscode.workspace
          .getConfiguration('workbench')
          .update('colorTheme', theme, vscode.ConfigurationTarget.Global);
        await closeAllTabs();
        await run('openTrace', { traceId: traces.error });
        const [error, failedSpan] = await inWebview(
          'trace',
          { waitFor: true, selector: '.state-error' },
          { contrast: true, selector: '.state-error' },
          { contrast: true, selector: '.span-row.failed:not(.selected) .span-name' },
        );
        check(theme, 'ERROR badge', error, 4.5);
        check(theme, 'failed span name', failedSpan, 4.5);
        await run('openTrace', { traceId: traces.chat });
        const [judgeError] = await inWebview(
          'trace',
          { waitFor: true, selector: '.assessment .error' },
          { contrast: true, selector: '.assessment .error' },
        );
        check(theme, 'judge error text', judgeError, 4.5);
        await run('openTrace', { traceId: traces.agent });
        const [ok, overridden, heading, focus, hovered] = await inWebview(
          'trace',
          { waitFor: true, selector: '.state-ok' },
          {
            click: true,
            selector: '.feedback-group[data-name="correctness"] [data-testid="history"]',
          },
          { waitFor: true, selector: '.overridden-badge' },
          { contrast: true, selector: '.state-ok' },
          { contrast: true, selector: '.overridden-badge' },
          { contrast: true, selector: 'h1' },
          { contrast: true, selector: 'h1', color: 'var(--vscode-focusBorder)' },
          // The mouse is still on the button it clicked.
          { contrast: true, selector: '[data-testid="history"]' },
        );
        check(theme, 'OK badge', ok, 4.5);
        check(theme, 'overridden badge', overridden, 4.5);
        check(theme, 'heading text', heading, 4.5);
        // A focus ring is not text: WCAG 1.4.11 asks 3:1 against what is next to it.
        check(theme, 'focus ring', focus, 3);
        check(theme, 'hovered secondary button', hovered, 4.5);
        if (theme.startsWith('Default High Contrast'))
          await screenshot(`panel-trace-${theme.toLowerCase().replaceAll(' ', '-')}`);
      }
    } finally {
      await vscode.workspace
        .getConfiguration('workbench')
        .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    }
    assert.deepEqual(failures, []);
  });

  it('previews traces clicked in the tree in one panel, unless it was pinned, opened twice or named', async () => {
    const first = await run<vscode.WebviewPanel>('openTrace', {
      traceId: traces.chat,
      preview: true,
    });
    await inWebview('trace', { waitFor: true, selector: 'h1', hasText: 'chat_app' });
    const second = await run<vscode.WebviewPanel>('openTrace', {
      traceId: traces.rag,
      preview: true,
    });
    assert.equal(second, first, 'the preview panel is reused');
    assert.equal(panelTabs('trace'), 1);
    await inWebview('trace', { waitFor: true, selector: 'h1', hasText: 'rag_app' });

    // Pinned: the next preview opens its own panel.
    await vscode.commands.executeCommand('workbench.action.pinEditor');
    const third = await run<vscode.WebviewPanel>('openTrace', {
      traceId: traces.agent,
      preview: true,
    });
    assert.notEqual(third, first);
    await waitFor('a second trace tab', () => panelTabs('trace') === 2);

    // Opened twice in a row (a double-click): kept, so the next preview opens beside it.
    await run('openTrace', { traceId: traces.agent, preview: true });
    await run('openTrace', { traceId: traces.error, preview: true });
    await waitFor('a third trace tab', () => panelTabs('trace') === 3);
    assert.equal(panelTabs('trace'), 3);

    // Opened by name (the palette, a link): never a preview.
    await closeAllTabs();
    const named = await run<vscode.WebviewPanel>('openTrace', { traceId: traces.chat });
    const preview = await run<vscode.WebviewPanel>('openTrace', {
      traceId: traces.rag,
      preview: true,
    });
    const last = await run<vscode.WebviewPanel>('openTrace', {
      traceId: traces.agent,
      preview: true,
    });
    assert.notEqual(preview, named);
    assert.equal(last, preview, 'the preview, not the named panel, shows the next trace');
    await inWebview('trace', { waitFor: true, selector: 'h1', hasText: 'weather_agent' });
    assert.equal(panelTabs('trace'), 2, 'the named one, and one preview');
  });

  it('says its trace is on another server after a switch, with its actions off, and comes back', async () => {
    const seeded = env('MLFLOW_TRACKING_URI');
    await run('openTrace', { traceId: traces.chat });
    await inWebview('trace', { waitFor: true, selector: 'h1', hasText: 'chat_app' });
    try {
      await run('selectServer', env('MTR_STOPPED_URL'));
      const [banner, disabled] = await inWebview(
        'trace',
        { waitFor: true, selector: '[data-testid="elsewhere"]' },
        { text: true, selector: '[data-testid="elsewhere"]' },
        { text: true, selector: '[data-testid="add-feedback"][disabled]' },
      );
      assert.match(
        banner?.[0] ?? '',
        new RegExp(`on ${seeded}.*now reads ${env('MTR_STOPPED_URL')}`),
      );
      assert.equal(disabled?.length, 1, 'Add Feedback is off');
      const [still] = await inWebview('trace', { text: true, selector: 'h1' });
      assert.match(still?.[0] ?? '', /^chat_app/, 'the trace stays readable');
      await screenshot('panel-trace-elsewhere');
    } finally {
      await run('selectServer', seeded);
    }
    await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
    const [banner, enabled] = await inWebview(
      'trace',
      { waitFor: true, selector: '[data-testid="add-feedback"]:not([disabled])' },
      { text: true, selector: '[data-testid="elsewhere"]' },
      { text: true, selector: '[data-testid="add-feedback"]' },
    );
    assert.deepEqual(banner, [], 'no banner once back on its server');
    assert.equal(enabled?.length, 1);
  });

  it('flags a record the server sent that did not fit, and shows each span of a repeated id', async () => {
    const seeded = env('MLFLOW_TRACKING_URI');
    type Wire = Record<string, unknown>;
    const broken = { feedback: '', expectation: '' };
    /** The rag trace as a faulty server could send it: its duration and two assessments bad. */
    const breakTrace = (info: Wire) => {
      if (info.trace_id !== traces.rag) return;
      info.execution_duration = 'soon';
      const onTrace = (info.assessments as Wire[]).filter((a) => !a.span_id && a.valid !== false);
      const feedback = onTrace.find((a) => 'feedback' in a);
      const expectation = onTrace.find((a) => 'expectation' in a);
      // An assertion here would end in the proxy, not the test: checked below instead.
      if (!feedback || !expectation) return;
      feedback.create_time = 7;
      delete expectation.assessment_id;
      broken.feedback = String(feedback.assessment_name);
      broken.expectation = String(expectation.assessment_name);
    };
    const proxy = await FaultProxy.start(seeded);
    proxy.set(
      {
        // The trace's own answer, and the search that lists it in the tree.
        match: /\/api\/3\.0\/mlflow\/traces\/(search|tr-[0-9a-f]+)(\?|$)/,
        fault: {
          kind: 'transform',
          change: (json) => {
            const data = json as { trace?: { trace_info: Wire }; traces?: Wire[] };
            if (data.trace) breakTrace(data.trace.trace_info);
            for (const info of data.traces ?? []) breakTrace(info);
            return data;
          },
        },
      },
      {
        match: new RegExp(`get-trace-artifact\\?request_id=${traces.rag}`),
        fault: {
          kind: 'transform',
          change: (json) => {
            // A second span with the id of one that is there, under a name of its own.
            const data = json as { spans: Wire[] };
            const child = data.spans.find((span) => span.parent_span_id);
            if (child) data.spans.push({ ...child, name: 'repeated span id' });
            return data;
          },
        },
      },
    );
    try {
      await run('selectServer', proxy.url);
      await waitFor('connected through the proxy', () => api.connection.state.kind === 'connected');
      await run('openTrace', { traceId: traces.rag });
      await waitFor('the rag trace read through the proxy', () => broken.expectation);
      const feedbackCard = `.feedback-group[data-name="${broken.feedback}"] .assessment.flagged`;
      const expectationCard = `.assessment.flagged[aria-label="expectation ${broken.expectation}"]`;
      const [header, feedback, feedbackEdit, expectation, expectationButtons, contrast] =
        await inWebview(
          'trace',
          { waitFor: true, selector: 'header [data-testid="problem"]' },
          { text: true, selector: 'header [data-testid="problem"]' },
          { text: true, selector: `${feedbackCard} [data-testid="problem"]` },
          { text: true, selector: `${feedbackCard} [data-testid="edit"]` },
          { text: true, selector: `${expectationCard} [data-testid="problem"]` },
          { text: true, selector: `${expectationCard} vscode-button` },
          { contrast: true, selector: `${feedbackCard} [data-testid="problem"]` },
        );
      assert.match(
        header?.[0] ?? '',
        /^Unexpected record from the server: execution_duration: "soon" is not a duration$/,
      );
      assert.match(feedback?.[0] ?? '', /^Unexpected record from the server: create_time: /);
      assert.deepEqual(feedbackEdit, ['Edit'], 'a flagged record with its own id can be edited');
      assert.match(expectation?.[0] ?? '', /assessment_id: /);
      assert.deepEqual(
        expectationButtons,
        ['Delete', 'Copy ID'],
        'a made-up id offers no Edit or Override',
      );
      assert.ok(Number(contrast?.[0]) >= 4.5, `problem text contrast ${contrast?.[0] ?? ''}:1`);

      // Each row of a repeated span id selects its own span.
      const [rowProblem, title, details] = await inWebview(
        'trace',
        { text: true, selector: '.span-row:has-text("repeated span id") [data-testid="problem"]' },
        { click: true, selector: '.span-row:has-text("repeated span id")' },
        { waitFor: true, selector: '.span-row.selected', hasText: 'repeated span id' },
        // The details come from the extension a moment after the selection mark moves.
        { waitFor: true, selector: '[data-testid="span-details"] h3', hasText: 'repeated span id' },
        { text: true, selector: '[data-testid="span-details"] h3' },
        { text: true, selector: '[data-testid="span-details"] [data-testid="problem"]' },
      );
      assert.deepEqual(rowProblem, ['span_id: the same as an earlier span']);
      assert.deepEqual(title, ['repeated span id'], 'the details of the row clicked');
      assert.match(details?.[0] ?? '', /span_id: the same as an earlier span/);
      await screenshot('panel-flagged-record');

      // The tree's menus leave out Edit and Override on the record whose id was made up.
      const experiment = (await api.store.experiments()).find(
        (e) => e.experimentId === seed().experiments.samples,
      );
      assert.ok(experiment);
      await api.store.ensureList(experiment);
      const traceRow = await waitFor('the rag trace’s row', () => api.tree.traceNode(traces.rag));
      const contexts = (await rows(api, traceRow))
        .filter((r) => r.node.kind === 'assessment')
        .map((r) => r.contextValue);
      assert.ok(
        contexts.includes('assessment expectation valid flagged unidentified'),
        contexts.join(', '),
      );
      assert.ok(contexts.includes('assessment feedback valid flagged'), contexts.join(', '));
    } finally {
      proxy.set();
      await run('selectServer', seeded);
      await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
      await proxy.close();
    }
  });

  it('has a form say at once that its trace is on another server, and stop saying so once back', async () => {
    const seeded = env('MLFLOW_TRACKING_URI');
    const other = env('MTR_STOPPED_URL');
    await run('openFeedbackForm', { traceId: traces.chat });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_notice', selector: field('name') },
    );
    try {
      await run('selectServer', other);
      // Nothing submitted: the switch alone brings the notice.
      const [notice] = await inWebview(
        'form',
        { waitFor: true, selector: '[data-testid="server-error"]', hasText: 'again to submit' },
        { text: true, selector: '[data-testid="server-error"]' },
      );
      assert.match(notice?.[0] ?? '', new RegExp(`on ${seeded}.*now reads ${other}`));
    } finally {
      await run('selectServer', seeded);
    }
    await waitFor('the notice gone', async () => {
      const [notice] = await inWebview('form', {
        text: true,
        selector: '[data-testid="server-error"]',
      });
      return notice?.[0] === '';
    });
    const [name] = await inWebview('form', { value: true, selector: field('name') });
    assert.deepEqual(name, ['form_notice'], 'the draft stays');
    await waitFor('the seeded server again', () => api.connection.state.kind === 'connected');
  });
});

describe('the forms', () => {
  let api: ExtensionApi;
  let sdk: PythonSdk;
  const { traces } = seed();
  const onServer = (traceId: string) =>
    sdk.call<PyAssessment[]>('trace_assessments', { trace_id: traceId });
  const named = async (traceId: string, name: string) =>
    waitFor(`"${name}" on the server`, async () =>
      (await onServer(traceId)).find((a) => a.assessment_name === name),
    );

  before(async () => {
    api = await extensionApi();
    await showView();
    await setSetting('reviewer', REVIEWER);
    await waitFor('the reviewer', () => api.connection.settings.reviewer === REVIEWER);
    await waitFor('the connection', () => api.connection.state.kind === 'connected');
    sdk = new PythonSdk(env('MLFLOW_TRACKING_URI'));
  });
  after(() => {
    sdk.close();
  });
  beforeEach(closeAllTabs);

  it('logs feedback with a number, a rationale and metadata, submitted with Ctrl+Enter', async () => {
    await run('openFeedbackForm', { traceId: traces.error });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_score', selector: field('name') },
      { click: true, selector: '[data-value-type="number"]' },
      { fill: '3.5', selector: field('valueText') },
      { fill: 'handled the error politely', selector: field('rationale') },
      { click: true, selector: '[data-testid="add-metadata"]' },
      { fill: 'ticket', selector: '[data-field="metadata-key-0"] input' },
      { fill: 'ABC-1', selector: '[data-field="metadata-value-0"] input' },
    );
    await screenshot('form-feedback-dark');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
    await screenshot('form-feedback-light');
    await vscode.workspace
      .getConfiguration('workbench')
      .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
    await inWebview('form', { press: 'Control+Enter', selector: field('rationale') });
    const stored = await named(traces.error, 'form_score');
    assert.equal(stored.feedback?.value, 3.5);
    assert.equal(stored.rationale, 'handled the error politely');
    assert.deepEqual(stored.metadata, { ticket: 'ABC-1' });
    assert.deepEqual(stored.source, { source_type: 'HUMAN', source_id: REVIEWER });
  });

  for (const [type, text, expected] of [
    ['boolean', undefined, true],
    ['string', 'a plain answer', 'a plain answer'],
    ['labels', 'tone, accuracy', ['tone', 'accuracy']],
    ['json', '{"score": 1, "tags": ["a"]}', { score: 1, tags: ['a'] }],
  ] as const) {
    it(`logs a ${type} feedback value`, async () => {
      const name = `form_${type}`;
      await run('openFeedbackForm', { traceId: traces.error });
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: name, selector: field('name') },
        { click: true, selector: `[data-value-type="${type}"]` },
        ...(text === undefined ? [] : [{ fill: text, selector: field('valueText') }]),
        { click: true, selector: '[data-testid="submit"]' },
      );
      const stored = await named(traces.error, name);
      assert.deepEqual(stored.feedback?.value, expected);
    });
  }

  it('records a failed evaluation from an LLM judge, with its error', async () => {
    await run('openFeedbackForm', { traceId: traces.error });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_judge_failed', selector: field('name') },
      { click: true, selector: '[data-field="errorMode"]' },
      { fill: 'TIMEOUT', selector: field('errorCode') },
      { fill: 'the judge timed out', selector: field('errorMessage') },
      { click: true, selector: '[data-source-type="LLM_JUDGE"]' },
      { fill: 'gpt-4o', selector: field('sourceId') },
      { click: true, selector: '[data-testid="submit"]' },
    );
    const stored = await named(traces.error, 'form_judge_failed');
    assert.equal(stored.feedback?.error?.error_code, 'TIMEOUT');
    assert.equal(stored.feedback.error.error_message, 'the judge timed out');
    assert.deepEqual(stored.source, { source_type: 'LLM_JUDGE', source_id: 'gpt-4o' });
  });

  it('logs feedback on a span', async () => {
    const spans = await sdk.call<{ span_id: string; name: string }[]>('span_summaries', {
      trace_id: traces.rag,
    });
    const retriever = spans.find((s) => s.name === 'retrieve');
    assert.ok(retriever);
    await run('openFeedbackForm', { traceId: traces.rag, spanId: retriever.span_id });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_span', selector: field('name') },
      { click: true, selector: '[data-testid="submit"]' },
    );
    const stored = await named(traces.rag, 'form_span');
    assert.equal(stored.span_id, retriever.span_id);
  });

  it('refuses feedback on a span its trace does not have, and keeps the form', async () => {
    const spans = await sdk.call<{ span_id: string }[]>('span_summaries', { trace_id: traces.rag });
    const stranger = '0123456789abcdef';
    assert.ok(!spans.some((s) => s.span_id === stranger));
    // A command (or a restored draft) may name any span: the host checks it on submit.
    await run('openFeedbackForm', { traceId: traces.rag, spanId: stranger });
    const [message] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_stranger_span', selector: field('name') },
      { click: true, selector: '[data-testid="submit"]' },
      { waitFor: true, selector: '[data-testid="server-error"]', hasText: 'not one of the spans' },
      { text: true, selector: '[data-testid="server-error"]' },
    );
    assert.match(
      message?.[0] ?? '',
      new RegExp(
        `Span ${stranger} is not one of the spans of trace ${traces.rag}: nothing was sent`,
      ),
    );
    assert.equal(panelTabs('form'), 1, 'the form stays open with its draft');
    const stored = await onServer(traces.rag);
    assert.ok(!stored.some((a) => a.assessment_name === 'form_stranger_span'), 'nothing written');
  });

  it('logs an expectation with a JSON value, formatted by the editor', async () => {
    await run('openExpectationForm', { traceId: traces.chat });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_expected', selector: field('name') },
      { click: true, selector: '[data-value-type="json"]' },
      { fill: '{"facts":["greets"]}', selector: field('valueText') },
      { click: true, selector: '[data-testid="format-json"]' },
    );
    const [formatted] = await inWebview('form', { value: true, selector: field('valueText') });
    assert.equal(formatted?.[0], '{\n  "facts": [\n    "greets"\n  ]\n}');
    await screenshot('form-expectation');
    await inWebview('form', { click: true, selector: '[data-testid="submit"]' });
    const stored = await named(traces.chat, 'form_expected');
    const values = await sdk.call<Record<string, { value: unknown }>>('assessment_values', {
      trace_id: traces.chat,
    });
    assert.deepEqual(values[stored.assessment_id]?.value, { facts: ['greets'] });
  });

  for (const [type, text, expected] of [
    ['string', 'Use mlflow.log_feedback.', 'Use mlflow.log_feedback.'],
    ['number', '42', 42],
    ['boolean', undefined, true],
  ] as const) {
    it(`logs a ${type} expectation`, async () => {
      const name = `form_expected_${type}`;
      await run('openExpectationForm', { traceId: traces.chat });
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: name, selector: field('name') },
        { click: true, selector: `[data-value-type="${type}"]` },
        ...(text === undefined ? [] : [{ fill: text, selector: field('valueText') }]),
      );
      if (type === 'string') {
        await vscode.workspace
          .getConfiguration('workbench')
          .update('colorTheme', 'Default Light Modern', vscode.ConfigurationTarget.Global);
        await screenshot('form-expectation-light');
        await vscode.workspace
          .getConfiguration('workbench')
          .update('colorTheme', undefined, vscode.ConfigurationTarget.Global);
      }
      await inWebview('form', { click: true, selector: '[data-testid="submit"]' });
      const stored = await named(traces.chat, name);
      const values = await sdk.call<Record<string, { value: unknown }>>('assessment_values', {
        trace_id: traces.chat,
      });
      assert.deepEqual(values[stored.assessment_id]?.value, expected);
    });
  }

  it('shows no error before anything is typed, every error on a submit, and closes on Escape', async () => {
    await run('openFeedbackForm', { traceId: traces.error });
    const [before, shortcuts] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { text: true, selector: '[data-error-for="name"]' },
      { text: true, selector: '[data-testid="shortcuts"]' },
    );
    assert.deepEqual(before, ['']);
    assert.match(shortcuts?.[0] ?? '', /Enter submits .* Escape cancels/);
    const [after] = await inWebview(
      'form',
      { click: true, selector: '[data-testid="submit"]' },
      { waitFor: true, selector: '[data-error-for="name"]', hasText: 'Enter a name' },
      { text: true, selector: '[data-error-for="name"]' },
    );
    assert.deepEqual(after, ['Enter a name']);
    assert.equal(panelTabs('form'), 1);
    await inWebview('form', { press: 'Escape', selector: field('name') });
    await waitFor('the form closed by Escape', () => panelTabs('form') === 0);
  });

  it('gives the focus back to the trace panel it was opened from', async () => {
    const panel = await run<vscode.WebviewPanel>('openTrace', { traceId: traces.rag });
    // A document in the column beside: where VS Code alone would put the focus after the form.
    const document = await vscode.workspace.openTextDocument({ content: 'beside' });
    await vscode.window.showTextDocument(document, vscode.ViewColumn.Beside);
    panel.reveal(vscode.ViewColumn.One, false);
    await waitFor('the trace panel focused', () => panel.active);
    await inWebview(
      'trace',
      { waitFor: true, selector: '[data-testid="add-feedback"]' },
      { click: true, selector: '[data-testid="add-feedback"]' },
    );
    await waitFor('the form', () => panelTabs('form') === 1);
    await inWebview('form', { waitFor: true, selector: field('name') });
    await waitFor('the form focused', () => !panel.active);
    await inWebview('form', { press: 'Escape', selector: field('name') });
    await waitFor('the trace panel focused again', () => panelTabs('form') === 0 && panel.active);
  });

  it('gives the focus back to the tree row it was opened from', async () => {
    const samples = (await api.store.experiments()).find((e) => e.name === 'Sample apps');
    assert.ok(samples);
    await api.store.ensureList(samples);
    const row = await waitFor('the row', () => api.tree.traceNode(traces.rag));
    await api.view.reveal(row, { select: true, focus: true });
    await run('openFeedbackForm', row);
    await inWebview('form', { waitFor: true, selector: field('name') });
    await inWebview('form', { press: 'Escape', selector: field('name') });
    await waitFor('the form closed', () => panelTabs('form') === 0);
    // F2 works only while the tree has the focus (its keybinding's when clause).
    await keys({ press: 'F2' }, { waitForText: 'Edit Assessment' });
    await keys({ press: 'Escape' });
  });

  it('checks each field before sending, and says what is wrong next to it', async () => {
    await run('openFeedbackForm', { traceId: traces.error });
    const [error] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_invalid', selector: field('name') },
      { click: true, selector: '[data-value-type="number"]' },
      { fill: 'abc', selector: field('valueText') },
      { waitFor: true, selector: '[data-error-for="valueText"]', hasText: 'not a number' },
      { text: true, selector: '[data-error-for="valueText"]' },
    );
    assert.deepEqual(error, ['"abc" is not a number']);
    await screenshot('form-validation');
  });

  it('keeps the draft after a switch to another server, refuses to send it there, and sends it once back', async () => {
    const seeded = env('MLFLOW_TRACKING_URI');
    const other = env('MTR_STOPPED_URL');
    await run('openFeedbackForm', { traceId: traces.error });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_survivor', selector: field('name') },
      { click: true, selector: '[data-value-type="string"]' },
      { fill: 'typed before the switch', selector: field('valueText') },
    );
    await run('selectServer', other);
    try {
      await waitFor('unreachable', () => api.connection.state.kind === 'unreachable');
      const [message, kept] = await inWebview(
        'form',
        { click: true, selector: '[data-testid="submit"]' },
        { waitFor: true, selector: '[data-testid="server-error"]', hasText: 'again to submit' },
        { text: true, selector: '[data-testid="server-error"]' },
        { value: true, selector: field('valueText') },
      );
      // Written to neither server: the form belongs to the one it was opened for.
      assert.match(
        message?.[0] ?? '',
        new RegExp(`on ${seeded}.*now reads ${other}.*Connect to ${seeded} again to submit`),
      );
      assert.deepEqual(kept, ['typed before the switch']);
      await screenshot('form-elsewhere');
    } finally {
      await run('selectServer', seeded);
      await waitFor('connected again', () => api.connection.state.kind === 'connected');
    }
    await inWebview('form', { click: true, selector: '[data-testid="submit"]' });
    const stored = await named(traces.error, 'form_survivor');
    assert.equal(stored.feedback?.value, 'typed before the switch');
  });

  it('keeps the draft when the panel is hidden and shown again', async () => {
    const panel = await run<vscode.WebviewPanel>('openFeedbackForm', { traceId: traces.error });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_hidden', selector: field('name') },
    );
    // Another editor in the same group hides the form; its webview is destroyed (no retained context).
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    const appPy = await vscode.workspace.openTextDocument(
      vscode.Uri.joinPath(folder.uri, 'app.py'),
    );
    await vscode.window.showTextDocument(appPy, { viewColumn: panel.viewColumn });
    await waitFor('the form hidden', () => !panel.visible);
    panel.reveal();
    const [name] = await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { value: true, selector: field('name') },
    );
    assert.deepEqual(name, ['form_hidden']);
  });

  it('edits and overrides from the trace panel, and shows the history', async () => {
    // Edit: a feedback logged by the SDK, changed in place.
    const logged = await sdk.call<PyAssessment>('log_feedback', {
      trace_id: traces.rag,
      name: 'panel_edit',
      value: 'first',
    });
    await api.store.refreshTrace(asTraceId(traces.rag));
    await run('openTrace', { traceId: traces.rag });
    await inWebview(
      'trace',
      { waitFor: true, selector: `[data-assessment-id="${logged.assessment_id}"]` },
      {
        click: true,
        selector: `[data-assessment-id="${logged.assessment_id}"] [data-testid="edit"]`,
      },
    );
    await inWebview(
      'form',
      { waitFor: true, selector: field('valueText') },
      { fill: 'second', selector: field('valueText') },
      { click: true, selector: '[data-testid="submit"]' },
    );
    await waitFor(
      'the edit on the server',
      async () =>
        (
          await sdk.call<PyAssessment>('get_assessment', {
            trace_id: traces.rag,
            assessment_id: logged.assessment_id,
          })
        ).feedback?.value === 'second',
    );

    // Override: the judge's groundedness, with the judge's answer shown beside the new one.
    const judged = (await onServer(traces.rag)).find(
      (a) => a.assessment_name === 'groundedness' && a.valid !== false,
    );
    assert.ok(judged);
    await inWebview(
      'trace',
      {
        waitFor: true,
        selector: `[data-assessment-id="${judged.assessment_id}"] [data-testid="override"]`,
      },
      {
        click: true,
        selector: `[data-assessment-id="${judged.assessment_id}"] [data-testid="override"]`,
      },
    );
    const [original] = await inWebview(
      'form',
      { waitFor: true, selector: '.original' },
      { text: true, selector: '.original' },
      { click: true, selector: '[data-value-type="string"]' },
      { fill: 'partly', selector: field('valueText') },
      { fill: 'one claim is unsupported', selector: field('rationale') },
    );
    assert.match(original?.[0] ?? '', /The judge said.*yes.*Every claim is supported/s);
    await screenshot('form-override');
    await inWebview('form', { click: true, selector: '[data-testid="submit"]' });
    const override = await named(traces.rag, 'groundedness').then(async () =>
      waitFor('the override', async () =>
        (await onServer(traces.rag)).find((a) => a.overrides === judged.assessment_id),
      ),
    );
    assert.equal(override.feedback?.value, 'partly');
    assert.equal(
      (await onServer(traces.rag)).find((a) => a.assessment_id === judged.assessment_id)?.valid,
      false,
    );
    const [history] = await inWebview(
      'trace',
      {
        waitFor: true,
        selector: '.feedback-group[data-name="groundedness"] [data-testid="history"]',
      },
      {
        click: true,
        selector: '.feedback-group[data-name="groundedness"] [data-testid="history"]',
      },
      { waitFor: true, selector: '.history .assessment' },
      { text: true, selector: '.history .assessment' },
    );
    assert.match(history?.[0] ?? '', /yes.*overridden/s);
    await screenshot('panel-override-history');

    // Delete the override from the panel: it asks in place, then the judge's feedback is back.
    const [question] = await inWebview(
      'trace',
      {
        click: true,
        selector: `[data-assessment-id="${override.assessment_id}"] [data-testid="delete"]`,
      },
      { waitFor: true, selector: `[data-assessment-id="${override.assessment_id}"] .confirm` },
      { text: true, selector: `[data-assessment-id="${override.assessment_id}"] .confirm` },
    );
    assert.match(question?.[0] ?? '', /brings back the feedback it replaced/);
    await screenshot('panel-delete-confirm');
    await inWebview('trace', {
      click: true,
      selector: `[data-assessment-id="${override.assessment_id}"] [data-testid="confirm-delete"]`,
    });
    await waitFor('the original in force again', async () => {
      const now = await onServer(traces.rag);
      return (
        !now.some((a) => a.assessment_id === override.assessment_id) &&
        now.find((a) => a.assessment_id === judged.assessment_id)?.valid === true
      );
    });
  });

  it('takes the kind of value chosen with the arrow keys, and submits with the keyboard', async () => {
    await run('openFeedbackForm', { traceId: traces.chat });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'arrow_keys', selector: field('name') },
      { press: 'ArrowRight', selector: '[data-value-type="boolean"]' },
      { waitFor: true, selector: field('valueText') },
      { press: 'ArrowRight', selector: '[data-value-type="number"]' },
      { waitFor: true, selector: '[data-field="valueText"] textarea' },
      { fill: 'chosen by keys', selector: field('valueText') },
      { press: 'Control+Enter', selector: field('valueText') },
    );
    const stored = await named(traces.chat, 'arrow_keys');
    assert.equal(stored.feedback?.value, 'chosen by keys');
  });

  /** Two new traces in "Sample apps", the second the newer, loaded in the store. */
  const twoNewTraces = async (...inputs: [string, string]): Promise<[string, string]> => {
    const made: string[] = [];
    // One after the other: the second is the newer, the one "Submit and Next" goes to.
    for (const input of inputs)
      made.push(
        (await sdk.call<{ trace_id: string }>('create_trace', { experiment: 'Sample apps', input }))
          .trace_id,
      );
    const [first, second] = made;
    assert.ok(first && second);
    const samples = (await api.store.experiments()).find((e) => e.name === 'Sample apps');
    assert.ok(samples);
    await api.store.ensureList(samples);
    await api.store.pollNewest(samples.experimentId);
    return [first, second];
  };

  it('shows the trace being rated after "Submit and Next": its panel and its tree row', async () => {
    // Two new traces to rate, so that the other tests' traces stay as they were.
    const [first, second] = await twoNewTraces('to rate first', 'to rate next');
    await run('openTrace', { traceId: first });
    await run('openFeedbackForm', { traceId: first });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'follow_next', selector: field('name') },
      { click: true, selector: '[data-boolean="false"]' },
      { fill: 'rated the first', selector: field('rationale') },
      { click: true, selector: '[data-testid="submit-next"]' },
    );
    await named(first, 'follow_next');
    // The newest trace no person has rated: the other new one.
    const next = await waitFor('the next trace selected in the tree', () => {
      const selected = api.view.selection[0];
      return selected?.kind === 'trace' && selected.trace.traceId === second
        ? selected.trace
        : undefined;
    });
    // One trace panel, and it shows the trace the form now rates.
    await inWebview('trace', { waitFor: true, selector: 'dl.facts', hasText: next.traceId });
    assert.equal(panelTabs('trace'), 1);
    // The form starts afresh for it: the name kept, the value and rationale not.
    const [heading, rationale] = await inWebview(
      'form',
      { text: true, selector: 'h1' },
      { value: true, selector: field('rationale') },
    );
    assert.match(heading?.[0] ?? '', /^Log Feedback · /);
    assert.deepEqual(rationale, ['']);
    assert.deepEqual(await inWebview('form', { value: true, selector: field('name') }), [
      ['follow_next'],
    ]);
  });

  it('takes the next form’s submit at once, while its trace is still being shown beside it', async () => {
    const [first, second] = await twoNewTraces('rated quickly', 'rated quickly next');
    await run('openTrace', { traceId: first });
    await run('openFeedbackForm', { traceId: first });
    // Showing the next trace beside its form is held, as a slow server or a tree of thousands
    // of rows holds it: the form asks for the trace once, its panel a second time.
    const { store } = api;
    const getTrace = store.getTrace.bind(store);
    let asked = 0;
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    store.getTrace = async (traceId) => {
      if (traceId === second && ++asked >= 2) await held;
      return getTrace(traceId);
    };
    try {
      await inWebview(
        'form',
        { waitFor: true, selector: field('name') },
        { fill: 'quick_next', selector: field('name') },
        { click: true, selector: '[data-boolean="true"]' },
        { click: true, selector: '[data-testid="submit-next"]' },
      );
      // The next form is submitted as soon as it can be, its trace not shown yet: the form's
      // gate must not wait for that (it once did, and refused this submit).
      await inWebview(
        'form',
        { waitFor: true, selector: '[data-testid="submit"]:not([disabled])' },
        { click: true, selector: '[data-boolean="false"]' },
        { click: true, selector: '[data-testid="submit"]' },
      );
      await named(first, 'quick_next');
      await named(second, 'quick_next');
      assert.ok(asked >= 2, 'the trace panel was still waiting for the next trace');
    } finally {
      release();
      store.getTrace = getTrace;
    }
    await waitFor('the form closed after its submit', () =>
      api.openPanels().forms === 0 ? true : undefined,
    );
  });

  it('submits and moves on to the next trace without human feedback', async () => {
    await run('openFeedbackForm', { traceId: traces.untrusted });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'form_next', selector: field('name') },
      { click: true, selector: '[data-testid="submit-next"]' },
    );
    await named(traces.untrusted, 'form_next');
    // The same form, now for another trace, keeps the name for the next rating.
    const title = await waitFor('the form for the next trace', async () => {
      const [heading] = await inWebview('form', { text: true, selector: 'h1' });
      const text = heading?.[0] ?? '';
      return text && !text.includes('untrusted_output_app') ? text : undefined;
    });
    assert.match(title, /^Log Feedback · /);
    const [name] = await inWebview('form', { value: true, selector: field('name') });
    assert.deepEqual(name, ['form_next']);
  });

  it('holds no panel or form once it is closed, however it closed', async () => {
    const held = (what: string, expected: { traces: number; forms: number }) =>
      waitFor(what, () =>
        JSON.stringify(api.openPanels()) === JSON.stringify(expected) ? true : undefined,
      ).catch((error: unknown) => {
        throw new Error(`${String(error)}; held: ${JSON.stringify(api.openPanels())}`);
      });
    for (const traceId of [traces.chat, traces.rag, traces.error])
      await run('openTrace', { traceId });
    await held('three trace panels', { traces: 3, forms: 0 });

    await run('openFeedbackForm', { traceId: traces.chat });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { fill: 'released_after_submit', selector: field('name') },
      { click: true, selector: '[data-testid="submit"]' },
    );
    await named(traces.chat, 'released_after_submit');
    await held('the form released after Submit', { traces: 3, forms: 0 });

    await run('openFeedbackForm', { traceId: traces.rag });
    await inWebview(
      'form',
      { waitFor: true, selector: field('name') },
      { press: 'Escape', selector: field('name') },
    );
    await held('the form released after Escape', { traces: 3, forms: 0 });

    await run('openExpectationForm', { traceId: traces.error });
    await held('a form and three trace panels', { traces: 3, forms: 1 });
    // The tabs as the workbench lists them (its list follows a new panel a moment later).
    await waitFor('the form’s tab', () => panelTabs('form') === 1 && panelTabs('trace') === 3);
    await closeAllTabs();
    await held('nothing once the tabs are closed', { traces: 0, forms: 0 });
  });
});
