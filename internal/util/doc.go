// Package util holds the one copy of small helpers that several gotl
// packages need and none of them owns:
//
//   - WriteFileAtomic: write a file so that readers see the old content or
//     the new, never a part (graphs, checkpoints' state files, labels, cache
//     entries, kernel specs, charts), created with the caller's permissions
//     less the umask, and RemoveStaleTemps, which removes the temporary files
//     of writers that were killed, never those of live ones;
//   - FirstNonFinite: where a float32 slice holds NaN or ±Inf, for the
//     training code that refuses to train on, cache or export such values;
//   - EditDistance: the Levenshtein distance behind "did you mean …?" in
//     errors about unknown tensor and node names;
//   - WalkAncestors: every node a graph's outputs depend on, found without
//     recursion in time linear in nodes and edges, so that a 200,000-node
//     chain is as easy as a 20-node one;
//   - JoinAnd and Plural: the bits of English grammar that text generated
//     from results (notebook conclusions) needs.
//
// It is internal: its API may change with its callers.
package util
