/**
 * Retrieved documents: LangChain's `Document` ({page_content, metadata, id}), MLflow's own
 * ({page_content or content, metadata: {doc_uri, chunk_id}, id}) and LlamaIndex's nodes with a
 * score ({node: {text, metadata, id_}, score}), as a list or under `documents`.
 */
import type { JsonValue } from '../../mlflow/types';
import { isRecord, str, without, type JsonRecord, type RetrievedDocument } from './model';

const SOURCE_KEYS = ['doc_uri', 'source', 'url', 'uri', 'file_path', 'file_name'];
const SCORE_KEYS = ['score', 'relevance_score', 'similarity', 'distance'];
const ID_KEYS = ['chunk_id', 'id', 'doc_id'];

export function readDocuments(value: JsonValue | undefined): RetrievedDocument[] | undefined {
  try {
    const list = isRecord(value) && Array.isArray(value.documents) ? value.documents : value;
    if (!Array.isArray(list) || list.length === 0) return undefined;
    const documents: RetrievedDocument[] = [];
    for (const item of list) {
      const document = readDocument(item);
      if (!document) return undefined;
      documents.push(document);
    }
    return documents;
  } catch {
    return undefined;
  }
}

function readDocument(item: JsonValue): RetrievedDocument | undefined {
  if (!isRecord(item)) return undefined;
  // LlamaIndex: NodeWithScore.
  if (isRecord(item.node)) {
    const node = item.node;
    const content = node.text ?? node.content;
    if (content === undefined) return undefined;
    return build(content, node.metadata, item.score, str(node.id_) ?? str(node.id), {
      ...without(node, ['text', 'content', 'metadata', 'id_', 'class_name']),
    });
  }
  const content = item.page_content ?? item.content;
  const hasMetadata = isRecord(item.metadata);
  if (typeof content !== 'string') return undefined;
  if (
    item.page_content === undefined &&
    !hasMetadata &&
    item.doc_uri === undefined &&
    typeof item.score !== 'number'
  )
    return undefined;
  return build(
    content,
    item.metadata,
    item.score,
    str(item.id),
    without(item, ['page_content', 'content', 'metadata', 'score', 'id', 'type']),
  );
}

function build(
  content: JsonValue,
  metadata: JsonValue | undefined,
  score: JsonValue | undefined,
  id: string | undefined,
  more: JsonRecord | undefined,
): RetrievedDocument {
  const meta: JsonRecord = { ...(isRecord(metadata) ? metadata : {}), ...more };
  const used: string[] = [];
  const pick = (keys: readonly string[], want: 'string' | 'number') => {
    for (const key of keys) {
      const v = meta[key];
      if (typeof v === want) {
        used.push(key);
        return v;
      }
    }
    return undefined;
  };
  const source = pick(SOURCE_KEYS, 'string');
  const foundScore = typeof score === 'number' ? score : pick(SCORE_KEYS, 'number');
  const foundId = id ?? pick(ID_KEYS, 'string');
  const rest = without(meta, used);
  return {
    content,
    ...(typeof source === 'string' ? { source } : {}),
    ...(typeof foundScore === 'number' ? { score: foundScore } : {}),
    ...(typeof foundId === 'string' ? { id: foundId } : {}),
    ...(rest ? { metadata: rest } : {}),
  };
}
