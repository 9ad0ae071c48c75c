package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"
)

// RealGoimportsEnv names the real goimports, for the shim installed under
// that name.
const RealGoimportsEnv = "GOTL_REAL_GOIMPORTS"

// gotlPrefix is the import path prefix of the packages whose names the shim
// knows without loading them: every gotl package is named after the last
// element of its path (TestGotlPackageNames checks it).
const gotlPrefix = "github.com/gotl/gotl/"

// goimportsMain stands in for goimports. GoNB remembers every import a
// cell declared and puts them all into each later cell's main.go, leaving
// goimports to remove the ones the cell does not use. To remove an import
// goimports must know its package's name, and for a non-standard package
// that means loading the module graph (go env GOWORK, go list -m): 0.1–0.2 s
// on every cell once a notebook has imported a package some later cell does
// not use. The shim drops the unused imports of gotl's own packages first,
// whose names it knows, then runs the real goimports, which then has
// nothing to look up.
func goimportsMain(args []string) {
	real := realCommand(RealGoimportsEnv, "goimports shim", "goimports")
	if len(args) == 2 && args[0] == "-w" && inCellDir() {
		// On any failure the file is left as it is: goimports decides.
		_ = dropUnusedImports(args[1], gotlPrefix)
	}
	execReal(real, args)
}

// dropUnusedImports removes from the Go file at file the imports of
// packages under prefix that it does not use, as goimports would. An import counts as used when the
// file has a selector name.X with its name (the explicit one, or the last
// path element), even if name there is a local variable: when in doubt an
// import stays. Blank and dot imports stay, and so does an import that
// shares its line with other code.
func dropUnusedImports(file, prefix string) error {
	src, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	out, changed, err := pruneImports(src, prefix)
	if err != nil || !changed {
		return err
	}
	info, err := os.Stat(file)
	if err != nil {
		return err
	}
	// GoNB rewrites main.go for every cell; a plain write is what goimports
	// -w does too.
	return os.WriteFile(file, out, info.Mode().Perm())
}

// pruneImports is dropUnusedImports on the source text.
func pruneImports(src []byte, prefix string) ([]byte, bool, error) {
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "", src, parser.ParseComments|parser.SkipObjectResolution)
	if err != nil {
		return nil, false, err
	}
	used := map[string]bool{}
	ast.Inspect(f, func(n ast.Node) bool {
		if sel, ok := n.(*ast.SelectorExpr); ok {
			if id, ok := sel.X.(*ast.Ident); ok {
				used[id.Name] = true
			}
		}
		return true
	})
	var drop []span
	for _, d := range f.Decls {
		gd, ok := d.(*ast.GenDecl)
		if !ok || gd.Tok != token.IMPORT {
			continue
		}
		for _, s := range gd.Specs {
			spec := s.(*ast.ImportSpec)
			p, err := strconv.Unquote(spec.Path.Value)
			if err != nil || !strings.HasPrefix(p, prefix) {
				continue
			}
			name := path.Base(p)
			if spec.Name != nil {
				name = spec.Name.Name
			}
			if name == "_" || name == "." || used[name] {
				continue
			}
			// The node to cut: the spec, or the whole declaration when it
			// is "import x" without parentheses.
			var from, to token.Pos = spec.Pos(), spec.End()
			if spec.Comment != nil {
				to = spec.Comment.End()
			}
			if !gd.Lparen.IsValid() {
				from, to = gd.Pos(), gd.End()
			}
			if sp, ok := wholeLines(src, fset.Position(from).Offset, fset.Position(to).Offset); ok {
				drop = append(drop, sp)
			}
		}
	}
	if len(drop) == 0 {
		return src, false, nil
	}
	sort.Slice(drop, func(i, j int) bool { return drop[i].start > drop[j].start })
	out := append([]byte(nil), src...)
	for _, d := range drop {
		out = append(out[:d.start], out[d.end:]...)
	}
	return out, true, nil
}

// span is a byte range [start, end) of a source file.
type span struct{ start, end int }

// wholeLines widens [start, end) to the lines it lies on, newline included,
// and reports whether only blanks share those lines with it.
func wholeLines(src []byte, start, end int) (span, bool) {
	lineStart := bytes.LastIndexByte(src[:start], '\n') + 1
	lineEnd := len(src)
	if i := bytes.IndexByte(src[end:], '\n'); i >= 0 {
		lineEnd = end + i + 1
	}
	blank := func(b []byte) bool { return len(bytes.TrimSpace(b)) == 0 }
	return span{lineStart, lineEnd}, blank(src[lineStart:start]) && blank(src[end:lineEnd])
}
