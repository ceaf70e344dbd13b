// Package quietlog keeps Pebble's default logger out of a program's output.
//
// The Baton SDK's grant expansion opens a scratch Pebble database with
// pebble.Options{} (baton-sdk v0.26.0, pkg/sync/expand), so Pebble logs
// through its default logger, which writes to the standard library's log
// package: "Found 0 WALs" on every sync with expandable grants. Neither the
// SDK nor Pebble takes a logger for that database, so the only way to keep
// it quiet is the process-wide log output; [Start] does that as narrowly as
// it can.
package quietlog

import (
	"io"
	"log"
	"runtime"
	"strings"
	"sync"
)

// While at least one Start is in effect, the log package's output is
// wrapped in a quietWriter that drops what Pebble's default logger writes
// at info level — recognised by its caller on the stack, not by the text —
// and passes every other line through unchanged. The last stop puts the
// previous writer back, unless the program has replaced the output
// meanwhile (then its choice stands). log.SetOutput and log.Writer are
// safe for concurrent use; the count is guarded by quiet.mu.
var quiet struct {
	mu   sync.Mutex
	n    int
	prev io.Writer
	w    *quietWriter
}

// Start starts dropping Pebble's info lines from the standard logger and
// returns the function that stops it (calling it again does nothing).
// Starts nest: the output is restored when the last one stops.
func Start() (stop func()) {
	quiet.mu.Lock()
	defer quiet.mu.Unlock()
	if quiet.n == 0 {
		quiet.prev = log.Writer()
		quiet.w = &quietWriter{next: quiet.prev}
		log.SetOutput(quiet.w)
	}
	quiet.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			quiet.mu.Lock()
			defer quiet.mu.Unlock()
			quiet.n--
			if quiet.n == 0 {
				if log.Writer() == io.Writer(quiet.w) {
					log.SetOutput(quiet.prev)
				}
				quiet.prev, quiet.w = nil, nil
			}
		})
	}
}

// quietWriter passes writes on to next unless Pebble's default logger made
// them.
type quietWriter struct{ next io.Writer }

func (w *quietWriter) Write(p []byte) (int, error) {
	if fromPebbleInfo() {
		return len(p), nil
	}
	return w.next.Write(p)
}

// fromPebbleInfo reports whether the current call stack goes through the
// Infof method of Pebble's default logger (internal/base.defaultLogger).
func fromPebbleInfo() bool {
	var pcs [32]uintptr
	n := runtime.Callers(3, pcs[:])
	frames := runtime.CallersFrames(pcs[:n])
	for {
		f, more := frames.Next()
		if strings.HasPrefix(f.Function, "github.com/cockroachdb/pebble") &&
			strings.HasSuffix(f.Function, "/internal/base.defaultLogger.Infof") {
			return true
		}
		if !more {
			return false
		}
	}
}
