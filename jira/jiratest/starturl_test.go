package jiratest_test

import (
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/jira/jiratest"
)

// TestURLSetBeforeServing: a request that reaches the fake the moment it
// listens (a client of an earlier server on a reused loopback port) sees
// its URL; under -race a URL written after the server starts is reported.
func TestURLSetBeforeServing(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
				if err != nil {
					continue
				}
				fmt.Fprintf(c, "GET /rest/api/3/myself HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", addr)
				_ = c.SetReadDeadline(time.Now().Add(time.Second))
				_, _ = c.Read(make([]byte, 512))
				c.Close()
			}
		}()
	}
	time.Sleep(20 * time.Millisecond) // the dialers are spinning
	srv := jiratest.NewServer(jiratest.Generate(jiratest.Small, 1), jiratest.WithAddr(addr))
	time.Sleep(50 * time.Millisecond)
	close(stop)
	wg.Wait()
	srv.Close()
	if srv.URL != "http://"+addr {
		t.Errorf("URL %s, want http://%s", srv.URL, addr)
	}
}
