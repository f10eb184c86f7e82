/** A submitted pipeline larger than this is refused with 413: pipelines are text, not payloads. */
export const requestBodyBytesMax = 1024 * 1024;
/** History pages are bounded so one request cannot walk the whole repository. */
export const historyLimitMax = 1000;
export const historyLimitDefault = 50;
