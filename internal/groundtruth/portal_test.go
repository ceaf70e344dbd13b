package groundtruth_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// walkSDPages reads every page of a Service Management start/limit endpoint, stopping on isLastPage or an empty
// page; experimental endpoints get the opt-in header.
func walkSDPages[T any](t testing.TB, a auth, u string, experimental bool) []T {
	t.Helper()
	var out []T
	sep := "?"
	if strings.Contains(u, "?") {
		sep = "&"
	}
	for start := 0; ; {
		req, err := http.NewRequest("GET", u+sep+"start="+itoa(start)+"&limit=50", nil)
		if err != nil {
			t.Fatal(err)
		}
		req.SetBasicAuth(a.user, a.pass)
		if experimental {
			req.Header.Set("X-ExperimentalApi", "opt-in")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var page struct {
			IsLastPage bool `json:"isLastPage"`
			Values     []T  `json:"values"`
		}
		err = json.NewDecoder(resp.Body).Decode(&page)
		resp.Body.Close()
		if resp.StatusCode != 200 || err != nil {
			t.Fatalf("GET %s: status %d, %v", req.URL, resp.StatusCode, err)
		}
		out = append(out, page.Values...)
		if page.IsLastPage || len(page.Values) == 0 {
			return out
		}
		start += len(page.Values)
	}
}

type sdUser struct {
	AccountID string `json:"accountId"`
}

type sdOrg struct {
	ID string `json:"id"`
}

// portal adds the portal entitlement of service project pid and a grant per synced account on its desk's customer
// list or in one of its customer organizations, read from the Service Management API.
func (w *walker) portal(pid string) {
	ent := "project:" + pid + ":portal"
	w.ents[ent] = true
	sdBase := w.srv.URL + "/rest/servicedeskapi"
	var desk string
	for _, d := range walkSDPages[struct {
		ID        string `json:"id"`
		ProjectID string `json:"projectId"`
	}](w.t, w.a, sdBase+"/servicedesk", false) {
		if d.ProjectID == pid {
			desk = d.ID
		}
	}
	if desk == "" {
		return
	}
	ids := []string{}
	for _, u := range walkSDPages[sdUser](w.t, w.a, sdBase+"/servicedesk/"+desk+"/customer", true) {
		ids = append(ids, u.AccountID)
	}
	for _, o := range walkSDPages[sdOrg](w.t, w.a, sdBase+"/servicedesk/"+desk+"/organization", false) {
		for _, u := range walkSDPages[sdUser](w.t, w.a, sdBase+"/organization/"+o.ID+"/user", false) {
			ids = append(ids, u.AccountID)
		}
	}
	for _, id := range ids {
		if w.users[id] {
			w.grant(ent, "user", id)
		}
	}
}
