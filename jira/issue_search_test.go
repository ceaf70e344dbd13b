package jira

import (
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestIssuesSearchPages(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	calls := 0
	mux.HandleFunc("/rest/api/3/search/jql", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		calls++
		switch r.URL.Query().Get("nextPageToken") {
		case "":
			testQuery(t, r, url.Values{"jql": {`labels = "a b"`}, "maxResults": {"2"}, "fields": {"summary,labels"}})
			_, _ = io.WriteString(w, `{"issues":[{"id":"1","key":"A-1"},{"id":"2","key":"A-2"}],"nextPageToken":"tok2","isLast":false}`)
		case "tok2":
			_, _ = io.WriteString(w, `{"issues":[{"id":"3","key":"A-3"}],"isLast":true}`)
		default:
			t.Errorf("unexpected token %q", r.URL.Query().Get("nextPageToken"))
		}
	})
	var keys []IssueKey
	opts := &SearchOptions{PageSize: 2, Fields: []string{"summary", "labels"}}
	for {
		is, resp, err := c.Issues.Search(t.Context(), "labels = "+QuoteJQL("a b"), opts)
		if err != nil {
			t.Fatal(err)
		}
		for _, i := range is {
			keys = append(keys, i.Key)
		}
		if resp.NextCursor == "" {
			break
		}
		opts.Cursor = resp.NextCursor
	}
	if diff := cmp.Diff([]IssueKey{"A-1", "A-2", "A-3"}, keys); diff != "" || calls != 2 {
		t.Errorf("keys (-want +got):\n%s (calls %d)", diff, calls)
	}
	if _, _, err := c.Issues.Search(t.Context(), " ", nil); err == nil {
		t.Error("empty JQL accepted")
	}
	if _, _, err := c.Issues.Search(t.Context(), "x", &SearchOptions{Cursor: "o5"}); err == nil {
		t.Error("offset cursor accepted")
	}
}

func TestQuoteJQL(t *testing.T) {
	t.Parallel()
	if got := QuoteJQL(`a "b" \c`); got != `"a \"b\" \\c"` {
		t.Errorf("QuoteJQL = %s", got)
	}
}

func TestIssuesAddCommentAndProjectStatuses(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/issue/A-1/comment", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		var body struct {
			Body map[string]any `json:"body"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Body["type"] != "doc" {
			t.Errorf("comment body is not ADF: %v %v", body, err)
		}
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, `{"id":"100","body":{"type":"doc","version":1,"content":[]},"created":"2026-01-02T03:04:05.000+0000"}`)
	})
	mux.HandleFunc("/rest/api/3/project/A/statuses", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		_, _ = io.WriteString(w, `[{"id":"10001","name":"Task","subtask":false,"statuses":[{"id":"1","name":"Open"},{"id":"6","name":"Closed"}]}]`)
	})
	cm, _, err := c.Issues.AddComment(t.Context(), "A-1", "hello\nworld")
	if err != nil || cm.ID != "100" || cm.Created.IsZero() {
		t.Fatalf("AddComment = %+v, %v", cm, err)
	}
	if _, _, err := c.Issues.AddComment(t.Context(), "A-1", "  "); err == nil {
		t.Error("empty comment accepted")
	}
	sts, _, err := c.Projects.Statuses(t.Context(), "A")
	if err != nil || len(sts) != 1 || sts[0].ID != "10001" || len(sts[0].Statuses) != 2 || sts[0].Statuses[1].Name != "Closed" {
		t.Fatalf("Statuses = %+v, %v", sts, err)
	}
}

// TestIssuesCommentsAndCommentsByID: a comment carries entity properties;
// Comments pages newest first; CommentsByID sends numeric IDs and reads
// the properties back.
func TestIssuesCommentsAndCommentsByID(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/issue/A-1/comment", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			var body struct {
				Properties []struct {
					Key   string         `json:"key"`
					Value map[string]any `json:"value"`
				} `json:"properties"`
			}
			if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body.Properties) != 1 ||
				body.Properties[0].Key != "k" || body.Properties[0].Value["id"] != "r-1" {
				t.Errorf("comment properties: %+v %v", body, err)
			}
			w.WriteHeader(http.StatusCreated)
			_, _ = io.WriteString(w, `{"id":"101"}`)
			return
		}
		q := r.URL.Query()
		if q.Get("orderBy") != "-created" || q.Get("startAt") != "0" || q.Get("maxResults") != "2" {
			t.Errorf("comments query %v", q)
		}
		_, _ = io.WriteString(w, `{"startAt":0,"maxResults":2,"total":3,"comments":[{"id":"102"},{"id":"101"}]}`)
	})
	mux.HandleFunc("/rest/api/3/comment/list", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodPost)
		b, _ := io.ReadAll(r.Body)
		if string(b) != `{"ids":[102,101]}` || r.URL.Query().Get("expand") != "properties" {
			t.Errorf("comment/list body %s, query %v", b, r.URL.Query())
		}
		_, _ = io.WriteString(w, `{"startAt":0,"maxResults":1000,"total":2,"isLast":true,"values":[{"id":"102","properties":[]},`+
			`{"id":"101","properties":[{"key":"k","value":{"id":"r-1"}}]}]}`)
	})
	if _, _, err := c.Issues.AddComment(t.Context(), "A-1", "hi", EntityProperty{Key: "k", Value: map[string]string{"id": "r-1"}}); err != nil {
		t.Fatal(err)
	}
	cms, resp, err := c.Issues.Comments(t.Context(), "A-1", &CommentListOptions{ListOptions: ListOptions{PageSize: 2}, NewestFirst: true})
	if err != nil || len(cms) != 2 || cms[0].ID != "102" || resp.NextCursor == "" || resp.Total != 3 {
		t.Fatalf("Comments = %+v, %+v, %v", cms, resp, err)
	}
	byID, _, err := c.Issues.CommentsByID(t.Context(), []string{"102", "101"}, true)
	if err != nil || len(byID) != 2 || len(byID[1].Properties) != 1 || byID[1].Properties[0].Key != "k" {
		t.Fatalf("CommentsByID = %+v, %v", byID, err)
	}
	if _, _, err := c.Issues.CommentsByID(t.Context(), []string{"abc"}, true); err == nil {
		t.Error("a non-numeric comment ID was sent")
	}
}

func TestIssuesEditMeta(t *testing.T) {
	t.Parallel()
	c, mux, _ := setup(t)
	mux.HandleFunc("/rest/api/3/issue/A-1/editmeta", func(w http.ResponseWriter, r *http.Request) {
		testMethod(t, r, http.MethodGet)
		_, _ = io.WriteString(w, `{"fields":{"summary":{"required":true,"name":"Summary","key":"summary","schema":{"type":"string","system":"summary"},"operations":["set"]},`+
			`"customfield_1":{"required":false,"name":"Notes","key":"customfield_1","schema":{"type":"string","custom":"x:textfield","customId":1},"operations":["set"]}}}`)
	})
	fs, _, err := c.Issues.EditMeta(t.Context(), "A-1")
	if err != nil || len(fs) != 2 || fs[0].FieldID != "customfield_1" || fs[1].FieldID != "summary" || !fs[1].Required || fs[0].Schema.Custom != "x:textfield" {
		t.Fatalf("EditMeta = %+v, %v", fs, err)
	}
}
