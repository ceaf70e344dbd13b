package jira

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"strings"
	"testing"
)

// Members and MembersIter list active members unless IncludeInactive is
// set, while the connector syncs inactive members too: the first sentence
// of their docs (what pkg.go.dev and editors show) must say so.
func TestMembersDocSaysActiveOnly(t *testing.T) {
	t.Parallel()
	f, err := parser.ParseFile(token.NewFileSet(), "groups.go", nil, parser.ParseComments)
	if err != nil {
		t.Fatal(err)
	}
	var p doc.Package
	found := 0
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || (fn.Name.Name != "Members" && fn.Name.Name != "MembersIter") {
			continue
		}
		found++
		first := p.Synopsis(fn.Doc.Text())
		if !strings.Contains(first, "active members only") || !strings.Contains(first, "IncludeInactive") {
			t.Errorf("%s: first sentence %q does not say it lists active members only unless IncludeInactive is set",
				fn.Name.Name, first)
		}
	}
	if found != 2 {
		t.Errorf("found %d of Members and MembersIter in groups.go", found)
	}
}
