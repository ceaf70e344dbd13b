package atlassian

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/internal/transport"
	"github.com/batonkit/jiracloud/jira"
)

// Issue 11 findings 1, 7 and 11 for the Admin client.

func TestHardenAdminBodyCapAndRedaction(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t, WithMaxResponseSize(1<<16))
	mux.HandleFunc("/admin/v1/orgs", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"data":[`+strings.Repeat(`{"id":"o","type":"orgs"},`, 10000)+`{"id":"z"}]}`)
	})
	if _, _, err := c.Orgs.List(t.Context(), nil); !errors.Is(err, jira.ErrResponseTooLarge) {
		t.Errorf("oversized body: err = %v, want ErrResponseTooLarge", err)
	}
	mux.HandleFunc("/admin/v1/orgs/o1", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(500)
		_, _ = io.WriteString(w, strings.Repeat("x", maxErrorBody-len(testKey)/2)+testKey+" tail")
	})
	_, err := c.Do(t.Context(), http.MethodGet, "/v1/orgs/o1", nil, nil, nil)
	var ae *Error
	if !errors.As(err, &ae) {
		t.Fatalf("err = %v", err)
	}
	if half := testKey[:len(testKey)/2]; strings.Contains(string(ae.Body), half) {
		t.Errorf("a fragment of the key survived in Error.Body")
	}
	e := &Error{}
	e.DecodeErrorBody([]byte(`{"errors":[{"title":"` + strings.Repeat("t", 1<<20) + `"}],"message":"` + strings.Repeat("m", 1<<20) + `"}`))
	if len(e.Error()) > 8<<10 {
		t.Errorf("error message is %d bytes", len(e.Error()))
	}
}

// Finding 8 for the Admin client (the twin of jira's
// TestHardenDefaultTimeouts): 100 s per attempt unless WithTimeout or
// WithHTTPClient says otherwise, the same for a transport built with
// jira.NewTransport(jira.TransportConfig{}) to be shared, and a server that
// never answers fails the call after the timeout.
func TestHardenDefaultTimeouts(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"default", nil, transport.DefaultAttemptTimeout},
		{"WithTimeout(3s)", []Option{WithTimeout(3 * time.Second)}, 3 * time.Second},
		{"WithTimeout(0)", []Option{WithTimeout(0)}, 0},
		{"WithHTTPClient without a timeout", []Option{WithHTTPClient(&http.Client{})}, 0},
		{"WithHTTPClient with 7s", []Option{WithHTTPClient(&http.Client{Timeout: 7 * time.Second})}, 7 * time.Second},
		{"shared jira.NewTransport(TransportConfig{})", []Option{WithTransport(jira.NewTransport(jira.TransportConfig{}))},
			transport.DefaultAttemptTimeout},
		{"shared transport asking for none", []Option{WithTransport(jira.NewTransport(jira.TransportConfig{Timeout: -1}))}, 0},
	} {
		c, err := NewClient(testKey, tt.opts...)
		if err != nil {
			t.Fatalf("%s: %v", tt.name, err)
		}
		if got := c.tr.AttemptTimeout(); got != tt.want {
			t.Errorf("%s: attempt timeout = %v, want %v", tt.name, got, tt.want)
		}
	}
	// Behaviour: a server that never answers fails the call after the timeout.
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	t.Cleanup(hang.Close)
	c, err := NewClient(testKey, WithBaseURL(hang.URL+"/admin"), WithLoopback(), WithTimeout(100*time.Millisecond),
		WithRetryPolicy(jira.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if _, _, err := c.Orgs.List(context.Background(), nil); err == nil {
		t.Error("a hanging server did not fail the call")
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("the call took %v", d)
	}
}

// Finding 3 for the Admin client: Do refuses a path without a leading
// slash, and the error repeats neither user info nor a query it held.
func TestHardenDoPathCheck(t *testing.T) {
	t.Parallel()
	c, _, _ := setup(t)
	for _, p := range []string{"v1/orgs?token=s3cretQ", "bob:s3cretPW@evil.example/v1/orgs", "evil.example/x#s3cretF"} {
		_, err := c.Do(t.Context(), http.MethodGet, p, nil, nil, nil)
		if err == nil || !strings.Contains(err.Error(), "must start with /") {
			t.Errorf("Do(%q): err = %v, want the leading-slash error", p, err)
			continue
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Errorf("Do(%q): the error repeats a secret: %v", p, err)
		}
	}
}
