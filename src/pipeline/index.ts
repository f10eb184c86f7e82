/** Front door of the pipeline model (pure: no I/O). */
export type * from './types.js';
