/**
 * The webview bundle's entry: registers the web components it uses, then renders the trace
 * panel or the form, as the page's `data-view` says, from the messages of the extension host.
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
import { formInit, type ToWebview } from '../src/shared/protocol';
import { clear, el } from './dom';
import {
  installFormShortcuts,
  onSubmitFailed,
  onSubmitted,
  onSubmitting,
  showForm,
} from './form-view';
import { onMessage, savedState, saveState, send } from './host';
import { renderTrace } from './trace-view';

const root = document.getElementById('app');
const view = document.body.dataset.view;

if (root) {
  if (view === 'form') installFormShortcuts();
  onMessage((message: ToWebview, receivedAt: number) => {
    switch (message.type) {
      case 'trace':
        saveState({ traceId: message.trace.traceId });
        renderTrace(root, message.trace, receivedAt);
        return;
      case 'form': {
        // After a reload the saved draft wins over the empty one the host sends.
        const saved = formInit.safeParse((savedState() as { form?: unknown } | undefined)?.form);
        const sameForm =
          saved.success &&
          saved.data.traceId === message.form.traceId &&
          saved.data.mode === message.form.mode &&
          saved.data.assessment?.assessmentId === message.form.assessment?.assessmentId;
        showForm(root, message.form, sameForm ? saved.data.draft : undefined);
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
      case 'error':
        clear(root);
        root.appendChild(el('p', { class: 'error', role: 'alert' }, message.message));
        return;
    }
  });
  send({ type: 'ready' });
}
