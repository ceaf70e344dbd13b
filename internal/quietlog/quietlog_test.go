package quietlog

import (
	"bytes"
	"io"
	"log"
	"testing"

	"github.com/cockroachdb/pebble/v2"
)

// The wrapper is installed once for nested starts, passes the program's
// lines through, and the last stop puts the program's writer back — unless
// the program replaced it meanwhile. Pebble's own lines are checked where
// they happen, in adapters/embed's TestSyncIsSilent and the CLI's
// TestSyncToFile.
func TestStart(t *testing.T) {
	orig := log.Writer()
	defer log.SetOutput(orig)

	var buf bytes.Buffer
	log.SetOutput(&buf)
	r1 := Start()
	w := log.Writer()
	if _, ok := w.(*quietWriter); !ok {
		t.Fatalf("log output is %T after Start, want the quiet wrapper", w)
	}
	r2 := Start()
	if log.Writer() != w {
		t.Fatal("a second Start wrapped the output again")
	}
	log.Print("program line")
	r1()
	r1() // idempotent
	if log.Writer() != w {
		t.Fatal("the output was restored while a Start is in effect")
	}
	r2()
	if log.Writer() != io.Writer(&buf) {
		t.Fatalf("log output is %T after the last stop, want the program's writer", log.Writer())
	}
	if got := buf.String(); !bytes.HasSuffix([]byte(got), []byte("program line\n")) {
		t.Errorf("the program's line did not get through: %q", got)
	}

	// The program changes the output meanwhile: its choice stands.
	r3 := Start()
	var mine bytes.Buffer
	log.SetOutput(&mine)
	r3()
	if log.Writer() != io.Writer(&mine) {
		t.Errorf("log output is %T, want the writer the program set", log.Writer())
	}
}

// Pebble's default logger: its info lines are dropped, its errors are not.
func TestStartDropsPebbleInfo(t *testing.T) {
	orig, flags := log.Writer(), log.Flags()
	defer log.SetOutput(orig)
	defer log.SetFlags(flags)
	log.SetFlags(0)
	var buf bytes.Buffer
	log.SetOutput(&buf)

	stop := Start()
	pebble.DefaultLogger.Infof("Found %d WALs", 0)
	pebble.DefaultLogger.Errorf("background error: %s", "disk full")
	stop()
	pebble.DefaultLogger.Infof("after stop")

	if got, want := buf.String(), "background error: disk full\nafter stop\n"; got != want {
		t.Errorf("log output %q, want only %q", got, want)
	}
}
