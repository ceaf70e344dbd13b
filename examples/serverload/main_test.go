package main

import (
	"io"
	"strings"
	"testing"
)

func TestServerLoadSmall(t *testing.T) {
	var out strings.Builder
	if err := run(t.Context(), []string{"-size", "small", "-clients", "4", "-duration", "300ms"}, &out, io.Discard); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	for _, want := range []string{"requests/s, 0 errors", "latency: p50", "sync through the API"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

func TestServerLoadBounds(t *testing.T) {
	for _, args := range [][]string{{"-clients", "0"}, {"-clients", "1000"}, {"-duration", "1h"}, {"-size", "xl"}} {
		if err := run(t.Context(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("%v accepted", args)
		}
	}
}
