package groundtruth_test

import "github.com/batonkit/jiracloud/internal/fakehttp"

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
	for _, d := range fakehttp.WalkServiceDesk[struct {
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
	for _, u := range fakehttp.WalkServiceDesk[sdUser](w.t, w.a, sdBase+"/servicedesk/"+desk+"/customer", true) {
		ids = append(ids, u.AccountID)
	}
	for _, o := range fakehttp.WalkServiceDesk[sdOrg](w.t, w.a, sdBase+"/servicedesk/"+desk+"/organization", false) {
		for _, u := range fakehttp.WalkServiceDesk[sdUser](w.t, w.a, sdBase+"/organization/"+o.ID+"/user", false) {
			ids = append(ids, u.AccountID)
		}
	}
	for _, id := range ids {
		if w.users[id] {
			w.grant(ent, "user", id)
		}
	}
}
