// Package boundary_test guards the layout rule that the client packages
// (jira/... and atlassian/...) stay usable without Baton: neither they nor
// their tests may depend on baton-sdk, gRPC or protobuf.
package boundary_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

const module = "github.com/batonkit/jiracloud"

// forbidden are the import path roots the client packages must not reach.
var forbidden = []string{
	"github.com/conductorone/baton-sdk",
	"google.golang.org/grpc",
	"google.golang.org/protobuf",
}

// listFormat prints one package per line: its import path, then its direct
// imports, separated by tabs (test variants look like "pkg [pkg.test]").
const listFormat = `{{.ImportPath}}{{range .Imports}}{{"\t"}}{{.}}{{end}}`

// pkgLine is one line of `go list -deps -test -f listFormat` output.
type pkgLine struct {
	path    string
	imports []string
}

func parseList(out string) []pkgLine {
	var pkgs []pkgLine
	for line := range strings.Lines(out) {
		line = strings.TrimRight(line, "\r\n")
		if strings.TrimSpace(line) == "" {
			continue
		}
		f := strings.Split(line, "\t")
		pkgs = append(pkgs, pkgLine{path: f[0], imports: f[1:]})
	}
	return pkgs
}

func basePath(p string) string {
	if i := strings.Index(p, " ["); i >= 0 {
		return p[:i]
	}
	return p
}

func isForbidden(p string) bool {
	p = basePath(p)
	for _, root := range forbidden {
		if p == root || strings.HasPrefix(p, root+"/") {
			return true
		}
	}
	return false
}

// violations lists, for every forbidden package in pkgs, which allowed
// package imports it: "importer -> forbidden".
func violations(pkgs []pkgLine) []string {
	var v []string
	for _, p := range pkgs {
		if isForbidden(p.path) {
			continue
		}
		for _, imp := range p.imports {
			if isForbidden(imp) {
				v = append(v, basePath(p.path)+" -> "+basePath(imp))
			}
		}
	}
	slices.Sort(v)
	return slices.Compact(v)
}

func TestViolationsDetectsForbiddenImports(t *testing.T) {
	t.Parallel()
	line := func(f ...string) string { return strings.Join(f, "\t") }
	out := strings.Join([]string{
		line(module+"/jira", "fmt", module+"/internal/transport"),
		line(module + "/internal/transport"),
		line(module+"/jira ["+module+"/jira.test]", module+"/internal/jiraconn ["+module+"/jira.test]"),
		line(module+"/internal/jiraconn ["+module+"/jira.test]", "github.com/conductorone/baton-sdk/pkg/types", "google.golang.org/grpc"),
		line("github.com/conductorone/baton-sdk/pkg/types", "google.golang.org/protobuf/proto"),
		line("google.golang.org/grpc", "google.golang.org/protobuf/proto"),
		line("google.golang.org/protobuf/proto"),
		line(module+"/atlassian", "google.golang.org/protobuf/types/known/timestamppb"),
		line("github.com/conductorone/baton-sdk-extra", "fmt"), // a different module with a similar name is allowed
		line(module+"/jira/x", "github.com/conductorone/baton-sdk-extra"),
	}, "\n")
	got := violations(parseList(out))
	want := []string{
		module + "/atlassian -> google.golang.org/protobuf/types/known/timestamppb",
		module + "/internal/jiraconn -> github.com/conductorone/baton-sdk/pkg/types",
		module + "/internal/jiraconn -> google.golang.org/grpc",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("violations (-want +got):\n%s", diff)
	}
	if v := violations(parseList(line(module+"/jira", "fmt", "net/http") + "\n")); len(v) != 0 {
		t.Errorf("clean list reported %v", v)
	}
}

// moduleRoot walks up from the test's directory to the directory holding
// go.mod.
func moduleRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test directory")
		}
		dir = parent
	}
}

// hasGoFiles reports whether dir or any directory below it holds a .go file.
func hasGoFiles(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || found {
			return filepath.SkipDir
		}
		if !d.IsDir() && strings.HasSuffix(p, ".go") {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

func TestClientPackagesAreSDKFree(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available: ", err)
	}
	root := moduleRoot(t)
	for _, dir := range []string{"jira", "atlassian"} {
		t.Run(dir, func(t *testing.T) {
			t.Parallel()
			if !hasGoFiles(filepath.Join(root, dir)) {
				if dir == "jira" {
					t.Fatalf("%s/%s has no Go files", root, dir)
				}
				t.Logf("%s/ does not exist yet; nothing to check", dir)
				return
			}
			cmd := exec.CommandContext(t.Context(), goBin, "list", "-deps", "-test",
				"-f", listFormat, "./"+dir+"/...")
			cmd.Dir = root
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list ./%s/...: %v\n%s", dir, err, stderr.String())
			}
			pkgs := parseList(string(out))
			// The list must really cover the package tree and its tests,
			// or an empty result would pass vacuously.
			var paths []string
			for _, p := range pkgs {
				paths = append(paths, p.path)
			}
			self := module + "/" + dir
			if !slices.Contains(paths, self) || !slices.Contains(paths, self+".test") {
				t.Fatalf("go list output lacks %s or its test binary:\n%s", self, out)
			}
			if !slices.Contains(paths, module+"/internal/transport") {
				t.Errorf("go list output lacks the shared transport, which %s uses", self)
			}
			if v := violations(pkgs); len(v) > 0 {
				t.Errorf("%s/... (with tests) must not depend on baton-sdk, gRPC or protobuf:\n\t%s",
					dir, strings.Join(v, "\n\t"))
			}
			for _, p := range paths {
				if isForbidden(p) {
					t.Errorf("forbidden package in the dependencies of %s/...: %s", dir, p)
				}
			}
		})
	}
}

// TestAtlassianDoesNotImportJira: the Admin client shares its types with
// the Jira client through internal/apiclient, so that using it does not
// pull in package jira.
func TestAtlassianDoesNotImportJira(t *testing.T) {
	t.Parallel()
	goBin, err := exec.LookPath("go")
	if err != nil {
		t.Skip("the go command is not available: ", err)
	}
	cmd := exec.CommandContext(t.Context(), goBin, "list", "-deps", "-f", "{{.ImportPath}}", "./atlassian")
	cmd.Dir = moduleRoot(t)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list ./atlassian: %v\n%s", err, stderr.String())
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, module+"/internal/apiclient") {
		t.Fatalf("go list output lacks internal/apiclient, which atlassian uses:\n%s", out)
	}
	for _, p := range deps {
		if p == module+"/jira" || strings.HasPrefix(p, module+"/jira/") {
			t.Errorf("atlassian depends on %s", p)
		}
	}
}
