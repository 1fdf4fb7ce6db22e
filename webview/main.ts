/**
 * The webview bundle's entry: registers the web components it uses, then runs the trace panel or
 * the form, as the page's `data-view` says, each on its own protocol's channel.
 */
import '@vscode-elements/elements/dist/vscode-badge/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-label/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-radio/index.js';
import '@vscode-elements/elements/dist/vscode-radio-group/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import { assertNever } from '../src/shared/protocol/common';
import { formInit } from '../src/shared/protocol/form';
import { clear, el } from './dom';
import {
  formChannel,
  installFormShortcuts,
  onElsewhere,
  onSubmitFailed,
  onSubmitted,
  onSubmitting,
  showForm,
} from './form/form-view';
import { savedState, saveState } from './host';
import { runReview } from './review/review-view';
import { runSession } from './session-view';
import {
  forgetTrace,
  receiveDetails,
  setElsewhere,
  showSourceCommit,
  showQueues,
  showTrace,
  traceChannel,
  updateTrace,
} from './trace-view';

const root = document.getElementById('app');

if (root) {
  if (document.body.dataset.view === 'form') runForm(root);
  else if (document.body.dataset.view === 'session') runSession(root);
  else if (document.body.dataset.view === 'review') runReview(root);
  else runTrace(root);
}

function runTrace(root: HTMLElement): void {
  traceChannel.onMessage((message, receivedAt) => {
    switch (message.type) {
      case 'trace':
        saveState({ traceId: message.trace.traceId, server: message.server });
        showTrace(root, message.trace, message.details, receivedAt);
        return;
      case 'traceUpdate':
        updateTrace(message.trace, receivedAt);
        return;
      case 'spanDetails':
        receiveDetails(message.traceId, message.details, receivedAt);
        return;
      case 'elsewhere':
        setElsewhere(root, { server: message.server, current: message.current });
        return;
      case 'sourceCommit':
        showSourceCommit(message.traceId, message.text);
        return;
      case 'queues':
        showQueues(message, receivedAt);
        return;
      case 'error':
        forgetTrace();
        showError(root, message.message);
        return;
      default:
        assertNever(message);
    }
  });
  traceChannel.send({ type: 'ready' });
}

function runForm(root: HTMLElement): void {
  installFormShortcuts();
  formChannel.onMessage((message) => {
    switch (message.type) {
      case 'form': {
        // After a reload the saved draft wins over the empty one the host sends.
        const saved = formInit.safeParse((savedState() as { form?: unknown } | undefined)?.form);
        const sameForm =
          saved.success &&
          saved.data.traceId === message.form.traceId &&
          saved.data.server === message.form.server &&
          saved.data.mode === message.form.mode &&
          saved.data.assessment?.assessmentId === message.form.assessment?.assessmentId;
        showForm(root, message.form, message.generation, sameForm ? saved.data.draft : undefined);
        if (!sameForm) saveState({ form: message.form });
        return;
      }
      case 'submitting':
        onSubmitting();
        return;
      case 'submitFailed':
        onSubmitFailed(message.message, message.field);
        return;
      case 'submitted':
        onSubmitted();
        return;
      case 'elsewhere':
        onElsewhere(message.message);
        return;
      case 'error':
        showError(root, message.message);
        return;
      default:
        assertNever(message);
    }
  });
  formChannel.send({ type: 'ready' });
}

function showError(root: HTMLElement, message: string): void {
  clear(root);
  root.appendChild(el('p', { class: 'error', role: 'alert' }, message));
}
