package groundtruth_test

import (
	"testing"

	"github.com/batonkit/jiracloud/internal/groundtruth"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

// BenchmarkReferenceMedium measures a complete reference-style sync of a medium tenant (about 860 requests).
func BenchmarkReferenceMedium(b *testing.B) {
	tn := jiratest.Generate(jiratest.Medium, 21)
	srv := jiratest.NewServer(tn, jiratest.Unlimited())
	defer srv.Close()
	b.ResetTimer()
	for range b.N {
		runReference(b, srv)
	}
}

// BenchmarkGroundTruthLarge measures computing the ground truth of a large tenant.
func BenchmarkGroundTruthLarge(b *testing.B) {
	tn := jiratest.Generate(jiratest.Large, 1)
	b.ResetTimer()
	for range b.N {
		groundtruth.Of(tn, groundtruth.Options{})
	}
}
