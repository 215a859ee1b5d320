/** The WebML SDK: runs in Node 20 and browsers (fetch only). The training worker is in ./worker. */
export { createClient, type WebMLClient } from './client.js';
export { WebMLError } from './errors.js';
export type { CallOptions, ClientOptions } from './http.js';
export type { ObjectMeta } from './object-meta.js';
export type { BatchOptions, BatchPart, BatchPartMeta, BatchResult } from './resources/batches.js';
export type { UploadDatasetOptions } from './resources/datasets.js';
export type { UploadModelOptions } from './resources/models.js';
export type { UploadParserOptions } from './resources/parsers.js';
export type { CreateSessionOptions, LossPageOptions, LossPoint, SessionJson, SessionStatus, SessionWeights } from './resources/sessions.js';
export { bytesToFloat32, float32ToBytes, parseShape, shapeSize } from './tensor-codec.js';
export type { UploadBody, UploadOptions, UploadResult } from './upload.js';
