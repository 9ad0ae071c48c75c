// Package notebooks holds the tests that run gotl's tutorials (the
// notebooks/ folder of the checkout, which Jupyter serves and which holds
// only the tutorials): every notebook executed headlessly with the gotl
// kernel, Jupyter's kernel conformance suite, and a live-browser test that
// drives a notebook server through "Run All" and the notebook's widgets.
//
//	go test ./tests/notebooks -run 'TestNotebooks/00_getting_started' -v
//
// The package has no code of its own: everything is in its tests.
package notebooks
