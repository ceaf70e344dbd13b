package httpserver

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestSyncSmallSite(t *testing.T) {
	e := newEnv(t, nil)
	start := time.Now()
	st := e.syncOnce()
	t.Logf("sync %s in %v: %+v", st.ID, time.Since(start), st.Result)
	if st.Result == nil || st.Result.Resources == 0 || st.Result.Grants == 0 || st.Result.Requests == 0 {
		t.Fatalf("result %+v", st.Result)
	}
	files := e.dataFiles()
	if len(files) != 1 || files[0] != "sync-"+st.ID+".c1z" {
		t.Errorf("data dir %v, want the one c1z", files)
	}
	if strings.Contains(e.logs.String(), testToken) || strings.Contains(e.logs.String(), e.fake.APIToken) {
		t.Errorf("a token reached the logs")
	}
	_ = http.StatusOK
}
