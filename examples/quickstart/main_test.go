package main

import (
	"bytes"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// README.md shows this program verbatim between the quickstart markers, so
// the README's example is compiled (and, below, run) by the tests and
// cannot rot.
func TestREADMEShowsThisProgram(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	const open, end = "<!-- quickstart: examples/quickstart/main.go -->\n```go\n", "```\n<!-- /quickstart -->"
	_, rest, ok := strings.Cut(string(readme), open)
	if !ok {
		t.Fatalf("README.md has no %q block", strings.TrimSpace(open))
	}
	shown, _, ok := strings.Cut(rest, end)
	if !ok {
		t.Fatalf("README.md's quickstart block does not end with %q", end)
	}
	src, err := os.ReadFile("main.go")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(src), shown); diff != "" {
		t.Errorf("README.md's quickstart differs from examples/quickstart/main.go; copy the file into the README "+
			"(-main.go +README.md):\n%s", diff)
	}
}

// The program's counts are the fake tenant's.
func TestRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a complete sync")
	}
	t.Parallel()
	var out bytes.Buffer
	if err := run(t.Context(), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	tenant := jiratest.Generate(jiratest.Small, 1)
	s := tenant.Summary()
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two lines, got:\n%s", out.String())
	}
	want := fmt.Sprintf("%d users (%d active), %d groups with %d memberships", s.Users, s.ActiveUsers, s.Groups, s.Memberships)
	if lines[0] != want {
		t.Errorf("first line %q, want %q", lines[0], want)
	}
	m := regexp.MustCompile(`^synced (\d+) resources, (\d+) entitlements, (\d+) grants \((\d+) expanded\) with (\d+) requests$`).
		FindStringSubmatch(lines[1])
	if m == nil {
		t.Fatalf("second line %q does not match", lines[1])
	}
	n := func(i int) int { v, _ := strconv.Atoi(m[i]); return v }
	truth := groundtruth.Of(tenant, groundtruth.Options{})
	if n(1) != len(truth.Resources) || n(2) != len(truth.Entitlements) {
		t.Errorf("synced %d resources and %d entitlements, want the ground truth's %d and %d",
			n(1), n(2), len(truth.Resources), len(truth.Entitlements))
	}
	if n(3) <= len(truth.Grants) || n(4) == 0 || n(5) == 0 {
		t.Errorf("grants %d (expanded %d), requests %d: want more grants than the %d direct ones, some expanded, some requests",
			n(3), n(4), n(5), len(truth.Grants))
	}
}
