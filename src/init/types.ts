import type { templateKinds } from './constants.js';

/** A build tool cairn has a template for. */
export type TemplateKind = (typeof templateKinds)[number];

/** One project found by detection: a folder with a manifest that no other project covers. */
export interface DetectedProject {
  kind: TemplateKind;
  /** Folder relative to the scanned root, `/`-separated; `.` for the root itself. */
  dir: string;
  /** npm only: the package.json lists workspaces, so install, build and test cover them. */
  npmWorkspaces?: true;
}

/** What detection found, with what it could not read or chose to leave out. */
export interface Detection {
  projects: DetectedProject[];
  warnings: string[];
}

/** One job of the pipeline `cairn init` writes. */
export interface InitJob {
  id: string;
  name: string;
  template: TemplateKind;
  /** `.` for the root, else the folder the job's steps run in. */
  workingDirectory: string;
}

/** The text of each template, keyed by kind. */
export type TemplateSet = Record<TemplateKind, string>;
