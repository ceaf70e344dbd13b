package embed

import (
	"bytes"
	"io"
	"log"
	"testing"
)

// The wrapper is installed once for concurrent Syncs, passes the program's
// lines through, and the last Sync to finish puts the program's writer
// back — unless the program replaced it meanwhile. Not parallel: it
// changes the log package's output (parallel tests wait for it).
func TestQuietLogOutput(t *testing.T) {
	orig := log.Writer()
	defer log.SetOutput(orig)

	var buf bytes.Buffer
	log.SetOutput(&buf)
	r1 := quietLogOutput()
	w := log.Writer()
	if _, ok := w.(*quietWriter); !ok {
		t.Fatalf("log output is %T during a silent Sync, want the quiet wrapper", w)
	}
	r2 := quietLogOutput()
	if log.Writer() != w {
		t.Fatal("a second Sync wrapped the output again")
	}
	log.Print("program line")
	r1()
	r1() // idempotent
	if log.Writer() != w {
		t.Fatal("the output was restored while a Sync still runs")
	}
	r2()
	if log.Writer() != io.Writer(&buf) {
		t.Fatalf("log output is %T after the last Sync, want the program's writer", log.Writer())
	}
	if got := buf.String(); !bytes.HasSuffix([]byte(got), []byte("program line\n")) {
		t.Errorf("the program's line did not get through: %q", got)
	}

	// The program changes the output during a Sync: its choice stands.
	r3 := quietLogOutput()
	var mine bytes.Buffer
	log.SetOutput(&mine)
	r3()
	if log.Writer() != io.Writer(&mine) {
		t.Errorf("log output is %T, want the writer the program set during the Sync", log.Writer())
	}
}
