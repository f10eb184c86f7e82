/**
 * Limits, names and the fixed identity of the history repository. Each limit is named with its
 * unit last and says why it has its value (STYLE.md: limits everywhere).
 */

/** The one branch of the repository; HEAD points at it from the first commit on. */
export const branchName = 'main';
export const branchRef = `refs/heads/${branchName}`;

/**
 * Author and committer of every commit. A fixed identity (not the node's name) is what makes
 * two nodes' commits byte-identical.
 */
export const commitIdentityName = 'cairn';
export const commitIdentityEmail = 'cairn@cluster';

/** Longest pipeline name or config key: a path component, short enough to read in `git log`. */
export const nameLengthMax = 100;

/** Longest job id; the cluster's ids are far shorter, this only bounds a path component. */
export const jobIdLengthMax = 128;

/** Highest attempt number; the retry policy allows a handful, this catches a runaway loop. */
export const attemptMax = 10_000;

/** Largest pipeline definition, the same order as the API's request limit. */
export const pipelineBytesMax = 1024 * 1024;

/** Largest config value once encoded: settings, aliases and nick maps are small. */
export const configBytesMax = 1024 * 1024;

/**
 * At most this many log entries go into one pack. A batch is applied in chunks of this size,
 * which bounds the memory one pack needs while it is built; commit boundaries do not move,
 * since there is one commit per entry whatever the chunking.
 */
export const packEntriesMax = 2048;

/**
 * A batch starts no sooner than this after the one before, so that entries trickling in
 * (a few per Raft round) are written together. A batch's fixed cost (three new files, three
 * renames, three fsyncs, thread-pool round trips) is about 4 ms of CPU on this project's
 * machines (syscalls are dear in their VMs): at 50 ms apart that was up to 8% of a core on
 * every node, which with three nodes on two cores came out of the jobs' own rate (bench
 * cluster part b); at 1 s it is under 0.5%. Nothing waits on the store but its readers (who
 * cut the pause short), snapshots and close; the log is the record, so a batch written a
 * second later loses nothing in a crash (the replay writes it).
 */
export const batchIntervalMsMin = 1000;

/**
 * Once there are more packs than this, the small ones are merged (geometrically, like `git
 * repack --geometric=2`, see ObjectDb.compact), so each byte is copied O(log n) times. A merge
 * costs four fsyncs; batch packs pile up to this count between merges, so at 32 a merge comes
 * about every 20 batches even when the large packs already form a long progression (about 17
 * for a GiB of history in 10 KiB batches). Whether an object is stored is answered by a filter
 * (oid-filter.ts) before any pack is searched, so the count costs reads only: 32 binary
 * searches at most.
 */
export const packCountMax = 32;

/**
 * Longest chain of deltas written inside one pack (git's default `pack.depth` is 50). Reading
 * an old version walks the chain, so this bounds that work.
 */
export const deltaDepthMax = 50;

/** Inflated objects kept in memory for reads; the HEAD tree itself is held apart. */
export const objectCacheBytesMax = 8 * 1024 * 1024;

/** Largest object the store reads whole; a bigger one means a foreign or corrupt repository. */
export const objectBytesMax = 64 * 1024 * 1024;

/** zlib level for packed objects: level 1 deflates ~4x faster than 6 for a few % more bytes. */
export const deflateLevel = 1;

/** Largest snapshot accepted by importSnapshot; it is held whole in memory by Raft anyway. */
export const snapshotBytesMax = 1024 * 1024 * 1024;

/**
 * Files of the store's own bookkeeping inside the git directory. Git ignores unknown files at
 * the top of the git directory, so `git clone` and `git fsck` never see them.
 */
export const pendingPackFile = 'cairn-pending-pack';
export const pendingMergeFile = 'cairn-pending-merge';
