package main

import (
	"bytes"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func TestDemoWritesC1ZAndSummary(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "out.c1z")
	var out, errOut bytes.Buffer
	if err := run(t.Context(), &out, &errOut, []string{"-o", path}); err != nil {
		t.Fatalf("run: %v\nstdout:\n%s\nstderr:\n%s", err, out.String(), errOut.String())
	}
	summary := out.String()

	snap, err := embed.ReadC1Z(t.Context(), path)
	if err != nil {
		t.Fatalf("the demo's c1z cannot be read: %v", err)
	}
	wantTypes := []string{"group", "product", "project", "project-role", "site", "user"}
	if diff := cmp.Diff(wantTypes, snap.ResourceTypes); diff != "" {
		t.Errorf("resource types (-want +got):\n%s", diff)
	}
	if len(snap.ExpandedGrants()) == 0 {
		t.Error("the c1z has no expanded grants; group, role and product grants should expand onto members")
	}

	// The file holds exactly what the generated company must produce in
	// organization mode (the demo's default).
	truth := groundtruth.Of(jiratest.Generate(jiratest.Small, 1), groundtruth.Options{OrgMode: true})
	var gotRes, wantRes []string
	for _, r := range snap.Resources {
		gotRes = append(gotRes, r.Type+":"+r.ID)
	}
	for _, r := range truth.Resources {
		wantRes = append(wantRes, r.Type+":"+r.ID)
	}
	slices.Sort(gotRes)
	slices.Sort(wantRes)
	if diff := cmp.Diff(wantRes, gotRes); diff != "" {
		t.Errorf("resources differ from the tenant's ground truth (-want +got):\n%s", diff)
	}

	for _, want := range []string{
		"Wrote " + path,
		"== Resources per type ==",
		"== Who administers Jira ==",
		"site:acme.atlassian.net:admin",
		"site:acme.atlassian.net:site-admin",
		"jira-admins-acme: ",
		"== Product access ==",
		"Jira Software",
		"== Largest groups ==",
		"== Open the file with the baton CLI ==",
		"go build -o bin/baton github.com/conductorone/baton-sdk/cmd/baton",
		"bin/baton resources -f " + path,
		"bin/baton grants -f " + path + " -o json",
	} {
		if !strings.Contains(summary, want) {
			t.Errorf("summary lacks %q:\n%s", want, summary)
		}
	}
	// Every resource type has a row with its resource count.
	for _, typ := range wantTypes {
		n := 0
		for _, r := range snap.Resources {
			if r.Type == typ {
				n++
			}
		}
		if !containsRow(summary, typ, n) {
			t.Errorf("summary has no row %q with %d resources:\n%s", typ, n, summary)
		}
	}
}

// containsRow reports whether a line of s starts with the cells typ and n.
func containsRow(s, typ string, n int) bool {
	for _, line := range strings.Split(s, "\n") {
		f := strings.Fields(line)
		if len(f) >= 2 && f[0] == typ && f[1] == strconv.Itoa(n) {
			return true
		}
	}
	return false
}

func TestDemoRejectsBadFlags(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{
		{"-size", "huge"},
		{"-size", "xl"},
		{"extra"},
		{"-nope"},
	} {
		var out, errOut bytes.Buffer
		if err := run(t.Context(), &out, &errOut, append([]string{"-o", filepath.Join(t.TempDir(), "x.c1z")}, args...)); err == nil {
			t.Errorf("run(%q) succeeded, want an error", args)
		}
	}
}
