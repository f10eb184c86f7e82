/**
 * Front door of `cairn init`: finds the npm, maven and cargo projects in a folder and writes a
 * pipeline for them from cairn's templates/.
 */
export type { DetectedProject, Detection, InitJob, TemplateKind, TemplateSet } from './types.js';
export { templateKinds, manifestOf, pipelineFileName } from './constants.js';
export { detectProjects } from './detect-projects.js';
export { selectProjects, type FoundManifest } from './coverage.js';
export { renderPipeline } from './render-pipeline.js';
export { loadTemplates, templatesDir } from './load-templates.js';
export { initProject, type InitOptions, type InitResult } from './init-project.js';
