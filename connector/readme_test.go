package connector

import (
	"os"
	"strings"
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// README.md's "What is synced" table names every entitlement the connector
// syncs, in the row of its resource type. The fake's ground truth (which the
// sync tests hold the connector to) says which those are.
func TestREADMENamesEveryEntitlement(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	rows := map[string]string{} // resource type -> its table row
	for _, line := range strings.Split(string(readme), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		typ, _, _ := strings.Cut(strings.TrimPrefix(line, "| `"), "`")
		if _, seen := rows[typ]; !seen {
			rows[typ] = line
		}
	}
	truth := groundtruth.Of(jiratest.Generate(jiratest.Small, 1), groundtruth.Options{OrgMode: true})
	checked := map[string]bool{}
	for _, id := range truth.Entitlements {
		typ, _, _ := strings.Cut(id, ":")
		slug := id[strings.LastIndex(id, ":")+1:]
		if checked[typ+":"+slug] {
			continue
		}
		checked[typ+":"+slug] = true
		row, ok := rows[typ]
		if !ok {
			t.Errorf("README.md's table has no row for resource type %s", typ)
			continue
		}
		if !strings.Contains(row, "`"+slug+"`") {
			t.Errorf("README.md's %s row does not name the entitlement `%s`:\n%s", typ, slug, row)
		}
	}
	if !checked["site:"+anyoneEntitlement] {
		t.Errorf("the ground truth has no site %s entitlement; the test does not cover it", anyoneEntitlement)
	}
}
