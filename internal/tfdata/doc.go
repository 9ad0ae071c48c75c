// Package tfdata locates the shared real-TensorFlow test files for the
// tests of every gotl package.
//
// The files live outside the repository, in ../shared/tfdata next to the
// repository root (the directory holding go.mod, found by walking up from
// the test's working directory), or wherever $GOTL_TFDATA points. They are
// never copied into the repository, so tests must cope with their absence:
// [Dir] and [Path] skip the calling test with a message saying what is
// missing and how to point at it, while [Find], [Optional] and [Glob]
// report absence without a testing.TB, for fuzz seeds and optional extras.
package tfdata
