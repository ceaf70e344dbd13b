package main

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// readme returns README.md and the part of it under the heading h (up to
// the next heading of the same or a higher level).
func readme(t *testing.T, h string) (all, section string) {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	all = string(b)
	_, rest, ok := strings.Cut(all, "\n"+h+"\n")
	if !ok {
		t.Fatalf("README.md has no heading %q", h)
	}
	level := strings.Index(h, " ") // number of #
	for i, line := range strings.SplitAfter(rest, "\n") {
		if n := len(line) - len(strings.TrimLeft(line, "#")); n > 0 && n <= level && strings.HasPrefix(line[n:], " ") {
			rest = strings.Join(strings.SplitAfter(rest, "\n")[:i], "")
			break
		}
	}
	return all, rest
}

// The Go version README.md states is go.mod's.
func TestREADMEStatesTheGoVersion(t *testing.T) {
	t.Parallel()
	mod, err := os.ReadFile("../../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^go (\d+\.\d+)`).FindSubmatch(mod)
	if m == nil {
		t.Fatal("go.mod has no go directive")
	}
	_, try := readme(t, "## Try it")
	if want := "Go " + string(m[1]) + " or later"; !strings.Contains(try, want) {
		t.Errorf("README.md's Try it does not say %q", want)
	}
}

// Next to the test command, README.md says how long it takes on what
// machine and gives the quick variant for a first run.
func TestREADMEExplainsTheTestCommand(t *testing.T) {
	t.Parallel()
	_, try := readme(t, "## Try it")
	_, after, ok := strings.Cut(try, "<!-- /test-command -->")
	if !ok {
		t.Fatal("README.md's Try it has no test command")
	}
	for _, want := range []string{"2-core", "`go test ./...`", "min"} {
		if !strings.Contains(after, want) {
			t.Errorf("the text after the test command does not mention %q", want)
		}
	}
}

// The Site URL section names the test-only escape for http:// and ports,
// and the Testing against the fake section names its pieces.
func TestREADMETestingAgainstTheFake(t *testing.T) {
	t.Parallel()
	_, url := readme(t, "### Site URL")
	for _, want := range []string{"jira.WithLoopback()", "--jira-insecure-loopback", "#testing-against-the-fake"} {
		if !strings.Contains(url, want) {
			t.Errorf("README.md's Site URL section does not mention %q", want)
		}
	}
	_, fake := readme(t, "## Testing against the fake")
	for _, want := range []string{"jiratest.NewServer", "jira.WithLoopback()", "Config.JiraOptions", "examples/fakejira",
		"--jira-insecure-loopback", "embed.Sync", "ListIter", "<!-- quickstart: examples/quickstart/main.go -->"} {
		if !strings.Contains(fake, want) {
			t.Errorf("README.md's Testing against the fake section does not mention %q", want)
		}
	}
}
