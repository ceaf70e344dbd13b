package atlassian

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

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
