package jira

import (
	"encoding/json"
	"testing"
)

// FuzzDecodePages feeds server bodies to every page decoder: PageBean and
// PagedDTO envelopes, bare arrays, createmeta and audit pages. Decoding must
// not panic, and the next cursor must move forward or end.
func FuzzDecodePages(f *testing.F) {
	for _, s := range []string{
		`{"isLast":false,"values":[{"accountId":"a"}],"total":5,"maxResults":1}`,
		`{"isLastPage":true,"values":[]}`,
		`[{"accountId":"a","accountType":"atlassian","active":true}]`,
		`{"startAt":0,"maxResults":50,"total":2,"issueTypes":[{"id":"1"}],"fields":[{"fieldId":"summary"}]}`,
		`{"offset":0,"limit":1000,"total":1,"records":[{"id":1,"created":"2026-01-02T03:04:05.000+0000"}]}`,
		`{"values":null,"isLast":null,"total":-3}`, `[]`, `null`, `{`, `"x"`,
	} {
		f.Add([]byte(s), 0)
	}
	f.Fuzz(func(t *testing.T, body []byte, start int) {
		if start < 0 {
			start = -start
		}
		start %= 1 << 30
		var bean pageBean[User]
		if json.Unmarshal(body, &bean) == nil {
			checkNext(t, start, nextPageBean(start, len(bean.Values), bean.last()))
		}
		var arr []User
		if json.Unmarshal(body, &arr) == nil {
			checkNext(t, start, nextArray(start, len(arr)))
		}
		var cm createMetaPage
		if json.Unmarshal(body, &cm) == nil {
			checkNext(t, start, nextTotal(start, len(cm.Fields), cm.Total))
		}
		var audit auditRecords
		if json.Unmarshal(body, &audit) == nil {
			checkNext(t, start, nextTotal(start, len(audit.Records), audit.Total))
		}
	})
}

func checkNext(t *testing.T, start int, next string) {
	t.Helper()
	if next == "" {
		return
	}
	n, err := offsetOf(next)
	if err != nil || n <= start {
		t.Fatalf("next cursor %q from start %d: %d, %v", next, start, n, err)
	}
}

// FuzzDecodeServerValues feeds server bodies to the custom JSON decoders
// (serverInfo with Jira's time format, Jira timestamps).
func FuzzDecodeServerValues(f *testing.F) {
	for _, s := range []string{
		`{"baseUrl":"https://acme.atlassian.net","buildDate":"2020-03-26T22:20:59.000+0000","serverTime":"2026-05-28T00:00:00.000+0000"}`,
		`{"baseUrl":"::bad","serverTime":"nope"}`, `"2026-01-02T03:04:05.000+0000"`, `"2026-01-02T03:04:05Z"`, `null`, `""`, `12`, `{`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var si ServerInfo
		if json.Unmarshal(body, &si) == nil {
			_ = si.Host()
		}
		var tm Time
		_ = json.Unmarshal(body, &tm)
		var rec AuditRecord
		_ = json.Unmarshal(body, &rec)
		var u User
		_ = json.Unmarshal(body, &u)
	})
}
