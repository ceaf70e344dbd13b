package jira

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestMessageMatchersDeprecated: the helpers that match Jira's English
// error wording are marked Deprecated (pointing to the state-based way),
// and no Example recommends them.
func TestMessageMatchersDeprecated(t *testing.T) {
	t.Parallel()
	matchers := map[string]bool{"IsAlreadyMember": false, "IsNotMember": false, "IsAlreadyInRole": false, "IsNotInRole": false}
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv != nil {
				continue
			}
			if _, ok := matchers[fn.Name.Name]; ok && !strings.HasSuffix(name, "_test.go") {
				doc := fn.Doc.Text()
				matchers[fn.Name.Name] = strings.Contains(doc, "\nDeprecated: ") && strings.Contains(doc, "Decide by state")
			}
			if strings.HasPrefix(fn.Name.Name, "Example") {
				ast.Inspect(fn.Body, func(n ast.Node) bool {
					if sel, ok := n.(*ast.SelectorExpr); ok {
						if _, bad := matchers[sel.Sel.Name]; bad {
							t.Errorf("%s (%s) calls %s: Examples must show the state-based way", fn.Name.Name, name, sel.Sel.Name)
						}
					}
					return true
				})
			}
		}
	}
	for name, deprecated := range matchers {
		if !deprecated {
			t.Errorf("%s is not marked Deprecated with a pointer to the state-based way", name)
		}
	}
}
