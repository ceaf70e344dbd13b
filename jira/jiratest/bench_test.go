package jiratest_test

import (
	"testing"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// BenchmarkGenerateLarge measures generating a large tenant.
func BenchmarkGenerateLarge(b *testing.B) {
	for range b.N {
		jiratest.Generate(jiratest.Large, 1)
	}
}
