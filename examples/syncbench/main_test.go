package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestRunSmall runs the benchmark on the small tenant without latency and
// checks the report: complete, request counts consistent, reference known.
func TestRunSmall(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	var buf bytes.Buffer
	f := flags{size: "small", seed: 1, workers: 1, expand: true, sdkExpand: true, unlimited: true, out: out}
	f.timeout = time.Minute
	if err := run(f, &buf); err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(buf.Bytes(), &rep); err != nil {
		t.Fatalf("report is not JSON: %v", err)
	}
	if file, err := os.ReadFile(out); err != nil || !bytes.Equal(file, buf.Bytes()) {
		t.Errorf("-out file differs from stdout (err %v)", err)
	}
	if !rep.Completeness.Complete || rep.Completeness.UserGrantsPct != 100 {
		t.Errorf("completeness = %+v, want complete", rep.Completeness)
	}
	sum := 0
	for _, n := range rep.Requests.ByRoute {
		sum += n
	}
	if rep.Requests.Total == 0 || sum != rep.Requests.Total {
		t.Errorf("requests total %d, by route sum %d", rep.Requests.Total, sum)
	}
	ref := rep.Reference
	if ref.Requests == 0 || rep.Ratios.RequestsOursOverReference <= 0 || rep.Ratios.RequestsOursOverReplay <= 0 {
		t.Errorf("reference = %+v, ratios = %+v", ref, rep.Ratios)
	}
	if !(ref.Replay.Requests <= ref.Requests && ref.Requests <= ref.Max.Requests) ||
		ref.Requests != ref.Terms.Formula() || ref.Replay.Requests != ref.Terms.Replay() {
		t.Errorf("reference readings out of order or not the terms' totals: %+v", ref)
	}
	if rep.Counts.Grants != rep.Counts.DirectGrants+rep.Counts.ExpandedGrants || rep.Counts.ExpandedGrants == 0 {
		t.Errorf("counts = %+v", rep.Counts)
	}
	if rep.Time.WallSeconds <= 0 || rep.Time.APISeconds > rep.Time.WallSeconds {
		t.Errorf("time = %+v", rep.Time)
	}
}
