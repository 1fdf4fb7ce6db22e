/**
 * Every id the extension shares with package.json: commands, when-clause context keys, the view
 * and the webview panel types. Nothing else in the code spells one out; a unit test checks that
 * package.json's commands, menus, keybindings and when-clauses use exactly these.
 */
const PREFIX = 'mlflowTraceReview';

export const COMMANDS = {
  refresh: `${PREFIX}.refresh`,
  setFilter: `${PREFIX}.setFilter`,
  clearFilter: `${PREFIX}.clearFilter`,
  quickFilter: `${PREFIX}.quickFilter`,
  loadMore: `${PREFIX}.loadMore`,
  selectServer: `${PREFIX}.selectServer`,
  selectExperiments: `${PREFIX}.selectExperiments`,
  signIn: `${PREFIX}.signIn`,
  signOut: `${PREFIX}.signOut`,
  setClientKeyPassphrase: `${PREFIX}.setClientKeyPassphrase`,
  startLocalServer: `${PREFIX}.startLocalServer`,
  stopLocalServer: `${PREFIX}.stopLocalServer`,
  choosePythonInterpreter: `${PREFIX}.choosePythonInterpreter`,
  showLog: `${PREFIX}.showLog`,
  openSettings: `${PREFIX}.openSettings`,
  logFeedback: `${PREFIX}.logFeedback`,
  logExpectation: `${PREFIX}.logExpectation`,
  editAssessment: `${PREFIX}.editAssessment`,
  overrideFeedback: `${PREFIX}.overrideFeedback`,
  deleteAssessment: `${PREFIX}.deleteAssessment`,
  reviewLatestTrace: `${PREFIX}.reviewLatestTrace`,
  copyTraceId: `${PREFIX}.copyTraceId`,
  copyAssessmentId: `${PREFIX}.copyAssessmentId`,
  openInMlflowUi: `${PREFIX}.openInMlflowUi`,
  revealAssessment: `${PREFIX}.revealAssessment`,
  openTrace: `${PREFIX}.openTrace`,
  openFeedbackForm: `${PREFIX}.openFeedbackForm`,
  openExpectationForm: `${PREFIX}.openExpectationForm`,
  openAssessmentForm: `${PREFIX}.openAssessmentForm`,
  filterSession: `${PREFIX}.filterSession`,
  groupBySession: `${PREFIX}.groupBySession`,
  ungroupBySession: `${PREFIX}.ungroupBySession`,
  openSession: `${PREFIX}.openSession`,
  rateSession: `${PREFIX}.rateSession`,
  refreshQueues: `${PREFIX}.refreshQueues`,
  createMyQueue: `${PREFIX}.createMyQueue`,
  addToReviewQueue: `${PREFIX}.addToReviewQueue`,
  showSpanTraces: `${PREFIX}.showSpanTraces`,
  goToSource: `${PREFIX}.goToSource`,
  startReview: `${PREFIX}.startReview`,
  startLocalReview: `${PREFIX}.startLocalReview`,
  reviewSubmit: `${PREFIX}.reviewSubmit`,
  reviewDecline: `${PREFIX}.reviewDecline`,
  reviewReopen: `${PREFIX}.reviewReopen`,
  reviewNext: `${PREFIX}.reviewNext`,
  reviewPrevious: `${PREFIX}.reviewPrevious`,
  reviewNextUnreviewed: `${PREFIX}.reviewNextUnreviewed`,
  reviewShowKeys: `${PREFIX}.reviewShowKeys`,
  openInMlflowReview: `${PREFIX}.openInMlflowReview`,
  addMatchingToQueue: `${PREFIX}.addMatchingToQueue`,
  createQueue: `${PREFIX}.createQueue`,
  createQuestion: `${PREFIX}.createQuestion`,
  addToEvaluationDataset: `${PREFIX}.addToEvaluationDataset`,
  reviewRunTraces: `${PREFIX}.reviewRunTraces`,
} as const;
export type CommandName = keyof typeof COMMANDS;
export type CommandId = (typeof COMMANDS)[CommandName];

/** Keys set with `setContext` and read by when-clauses in package.json. */
export const CONTEXT_KEYS = {
  /** The connection state's kind (connecting, connected, unreachable, ...): the welcome views. */
  state: `${PREFIX}.state`,
  filtered: `${PREFIX}.filtered`,
  signedIn: `${PREFIX}.signedIn`,
  assessmentSelected: `${PREFIX}.assessmentSelected`,
  noExperiments: `${PREFIX}.noExperiments`,
  /** A local server started by the extension is running. */
  localServerRunning: `${PREFIX}.localServerRunning`,
  /** The tree lists traces under their sessions ("Group by Session" is on). */
  groupedBySession: `${PREFIX}.groupedBySession`,
} as const;
export type ContextKey = (typeof CONTEXT_KEYS)[keyof typeof CONTEXT_KEYS];

export const VIEW_CONTAINER_ID = PREFIX;
export const VIEW_ID = `${PREFIX}.traces`;
/** The Review Queues view, in the same container. */
export const QUEUES_VIEW_ID = `${PREFIX}.queues`;
export const WEBVIEW_TYPES = {
  trace: `${PREFIX}.trace`,
  form: `${PREFIX}.form`,
  session: `${PREFIX}.session`,
  /** The review panel: one queue's items, worked with the keyboard. */
  review: `${PREFIX}.review`,
} as const;
export const STATUS_BAR_ID = `${PREFIX}.status`;
/** The settings section (package.json `configuration`). */
export const SETTINGS_SECTION = PREFIX;
