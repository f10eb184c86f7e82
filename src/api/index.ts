/** Front door of the REST API: the server, the client the CLI/REPL/bot share, and the service contract. */
export { createApiServer, type ApiServer, type ApiServerInit } from './server.js';
export { ApiClient, type ApiClientInit } from './client.js';
export type { ApiService, LogChunk, SubmitRequest, PipelineRegistration } from './service.js';
export { isLoopbackHost } from './auth.js';
