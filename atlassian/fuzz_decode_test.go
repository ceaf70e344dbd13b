package atlassian

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeAdminValues feeds server bodies to the Admin API's custom JSON
// decoders (users, groups, managed accounts, last-active dates, workspace
// attributes, the paging envelope). Decoding must not panic; derived values
// (cloud IDs, product checks) must not either.
func FuzzDecodeAdminValues(f *testing.F) {
	for _, s := range []string{
		`{"accountId":"a","productAccess":[{"key":"jira-software","id":"ari:cloud:jira-software::site/0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d","lastActiveTimestamp":"2026-01-02T03:04:05Z"}]}`,
		`{"data":[{"id":"g"}],"links":{"next":"https://api.atlassian.com/admin/v1/orgs/o/users?cursor=abc"}}`,
		`{"product_access":[{"id":"x","last_active":"2026-01-02","last_active_timestamp":"nope"}],"added_to_user":"2020-01-01"}`,
		`{"attributes":{"hostUrl":"https://acme.atlassian.net","status":"online"}}`, `null`, `[]`, `{`, `"s"`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var du DirectoryUser
		if json.Unmarshal(body, &du) == nil {
			for _, p := range du.ProductAccess {
				_, _ = p.CloudID(), p.IsJira()
			}
		}
		var g Group
		_ = json.Unmarshal(body, &g)
		var ma ManagedAccount
		_ = json.Unmarshal(body, &ma)
		var la LastActive
		if json.Unmarshal(body, &la) == nil {
			_ = la.Latest()
		}
		var wa WorkspaceAttributes
		_ = json.Unmarshal(body, &wa)
		var w Workspace
		if json.Unmarshal(body, &w) == nil {
			_, _, _ = w.CloudID(), w.Host(), w.ResourceID()
		}
		var pg page[DirectoryUser]
		if json.Unmarshal(body, &pg) == nil {
			_, _ = nextCursor(pg.Links.Next)
		}
	})
}
