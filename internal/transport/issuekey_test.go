package transport

import "testing"

const routeCloudID = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d"

func TestIssueKey(t *testing.T) {
	t.Parallel()
	tests := []struct{ path, want string }{
		{"/rest/api/3/issue/PROJ-12", "PROJ-12"},
		{"/rest/api/3/issue/PROJ-12/transitions", "PROJ-12"},
		{"/rest/api/3/issue/proj_2-7/comment", "proj_2-7"},
		{"/rest/api/3/issue/10042", "10042"},
		{"/ex/jira/" + routeCloudID + "/rest/api/3/issue/ABC-1/comment", "ABC-1"},
		{"/rest/api/3/issue", ""},
		{"/rest/api/3/issue/", ""},
		{"/rest/api/3/issue/bulk", ""},
		{"/rest/api/3/issue/createmeta/PROJ/issuetypes", ""},
		{"/rest/api/3/issue/PROJ-", ""},
		{"/rest/api/3/issue/-12", ""},
		{"/rest/api/3/issue/12-PROJ", ""},
		{"/rest/api/3/project/PROJ-1", ""},
		{"/rest/api/3/myself", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := IssueKey(tt.path); got != tt.want {
			t.Errorf("IssueKey(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}
