// Command serverload measures the HTTP server's queries under load: it syncs
// a fake site through the server on loopback, then runs N concurrent
// clients asking a mix of queries (a user's access, a group's members, who
// can browse a project, who holds a project role) for a bounded time and
// number of requests, and prints throughput, latency percentiles and memory.
//
//	go run ./examples/serverload -size medium -clients 16 -duration 10s
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/batonkit/jiracloud/adapters/embed"
	"github.com/batonkit/jiracloud/adapters/httpserver"
	"github.com/batonkit/jiracloud/connector"
	"github.com/batonkit/jiracloud/jira"
	"github.com/batonkit/jiracloud/jira/jiratest"
)

func main() {
	log.SetOutput(io.Discard)
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "serverload:", err)
		}
		os.Exit(2)
	}
}

const token = "serverload-token-0123456789abcdef"

func run(ctx context.Context, args []string, w, errw io.Writer) error {
	fs := flag.NewFlagSet("serverload", flag.ContinueOnError)
	fs.SetOutput(errw)
	sizeName := fs.String("size", "medium", "fake site size: small, medium or large")
	clients := fs.Int("clients", 16, "concurrent query clients (1-256)")
	dur := fs.Duration("duration", 10*time.Second, "how long the clients run (at most 2m)")
	maxReq := fs.Int("max-requests", 1_000_000, "stop after this many requests in total")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *clients < 1 || *clients > 256 {
		return fmt.Errorf("-clients %d: use 1 to 256", *clients)
	}
	if *dur <= 0 || *dur > 2*time.Minute {
		return fmt.Errorf("-duration %v: use up to 2m", *dur)
	}
	size, err := jiratest.ParseSize(*sizeName)
	if err != nil {
		return err
	}
	if size != jiratest.Small && size != jiratest.Medium && size != jiratest.Large {
		return fmt.Errorf("-size %s: use small, medium or large", size)
	}

	fake := jiratest.NewServer(jiratest.Generate(size, 1), jiratest.Unlimited())
	defer fake.Close()
	cfg := connector.DefaultConfig()
	cfg.JiraURL, cfg.JiraEmail, cfg.JiraAPIToken = fake.URL, fake.Email, fake.APIToken
	cfg.JiraOptions = []jira.Option{jira.WithLoopback()}
	dir, err := os.MkdirTemp("", "serverload-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	srv, err := httpserver.New(httpserver.Config{Connector: cfg, DataDir: dir, Tokens: []string{token},
		Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	sctx, stop := context.WithCancel(ctx)
	served := make(chan error, 1)
	go func() { served <- srv.Serve(sctx, ln) }()
	defer func() { stop(); <-served }()
	base := "http://" + ln.Addr().String()
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: *clients, MaxConnsPerHost: *clients}}

	// One sync through the API.
	fmt.Fprintf(w, "Syncing the fake %s site through the server ...\n", size)
	t0 := time.Now()
	if _, err := call(hc, "POST", base+"/v1/syncs"); err != nil {
		return err
	}
	for {
		b, err := call(hc, "GET", base+"/v1/syncs/current")
		if err != nil {
			return err
		}
		var st struct{ State, Error string }
		if err := json.Unmarshal(b, &st); err != nil {
			return err
		}
		if st.State == "succeeded" {
			break
		}
		if st.State != "running" {
			return fmt.Errorf("sync %s: %s", st.State, st.Error)
		}
		time.Sleep(100 * time.Millisecond)
	}
	syncTime := time.Since(t0)

	// The query targets, from the c1z the server serves.
	c1z := dir + "/dl.c1z"
	b, err := call(hc, "GET", base+"/v1/syncs/latest/c1z")
	if err != nil {
		return err
	}
	if err := os.WriteFile(c1z, b, 0o600); err != nil {
		return err
	}
	snap, err := embed.ReadC1Z(ctx, c1z)
	if err != nil {
		return err
	}
	var users, groups, projects, roles []string
	for _, r := range snap.Resources {
		id := url.PathEscape(r.ID)
		switch r.Type {
		case "user":
			users = append(users, base+"/v1/users/"+id+"/access")
		case "group":
			groups = append(groups, base+"/v1/groups/"+id+"/members")
		case "project":
			projects = append(projects, base+"/v1/projects/"+id+"/browsers")
		case "project-role":
			roles = append(roles, base+"/v1/project-roles/"+id+"/holders")
		}
	}
	grants := len(snap.Grants)
	snap = nil
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	heapLoaded := ms.HeapInuse
	if len(users) == 0 || len(groups) == 0 || len(projects) == 0 || len(roles) == 0 {
		return errors.New("the fake site lacks users, groups, projects or roles")
	}

	// The load: 40% user access, 20% each of the others.
	fmt.Fprintf(w, "Running %d clients for %v (at most %d requests) ...\n", *clients, *dur, *maxReq)
	var (
		sent, failed atomic.Int64
		bytesIn      atomic.Int64
		mu           sync.Mutex
		lat          []time.Duration
		byKind       = map[string][]time.Duration{}
		wg           sync.WaitGroup
	)
	deadline := time.Now().Add(*dur)
	start := time.Now()
	for c := range *clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(uint64(c), 7))
			var mine []time.Duration
			kinds := map[string][]time.Duration{}
			for time.Now().Before(deadline) && sent.Add(1) <= int64(*maxReq) {
				var u, kind string
				switch k := rnd.IntN(10); {
				case k < 4:
					u, kind = users[rnd.IntN(len(users))], "user access"
				case k < 6:
					u, kind = groups[rnd.IntN(len(groups))], "group members"
				case k < 8:
					u, kind = projects[rnd.IntN(len(projects))], "project browsers"
				default:
					u, kind = roles[rnd.IntN(len(roles))], "role holders"
				}
				t := time.Now()
				b, err := call(hc, "GET", u)
				d := time.Since(t)
				mine = append(mine, d)
				kinds[kind] = append(kinds[kind], d)
				if err != nil {
					failed.Add(1)
					continue
				}
				bytesIn.Add(int64(len(b)))
			}
			mu.Lock()
			lat = append(lat, mine...)
			for k, v := range kinds {
				byKind[k] = append(byKind[k], v...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&ms)
	slices.Sort(lat)
	pctOf := func(lat []time.Duration, p float64) time.Duration {
		if len(lat) == 0 {
			return 0
		}
		return lat[min(len(lat)-1, int(float64(len(lat))*p))].Round(time.Microsecond)
	}
	pct := func(p float64) time.Duration { return pctOf(lat, p) }
	n := len(lat)
	fmt.Fprintf(w, "\nsite: %s (%d users, %d groups, %d projects, %d project roles; %d grants in the c1z)\n",
		size, len(users), len(groups), len(projects), len(roles), grants)
	fmt.Fprintf(w, "sync through the API: %v\n", syncTime.Round(time.Millisecond))
	fmt.Fprintf(w, "queries: %d in %v, %.0f requests/s, %d errors, %.1f MB answered\n",
		n, elapsed.Round(time.Millisecond), float64(n)/elapsed.Seconds(), failed.Load(), float64(bytesIn.Load())/1e6)
	fmt.Fprintf(w, "latency: p50 %v  p95 %v  p99 %v  max %v\n", pct(.5).Round(time.Microsecond),
		pct(.95).Round(time.Microsecond), pct(.99).Round(time.Microsecond), pct(1).Round(time.Microsecond))
	for _, k := range []string{"user access", "group members", "project browsers", "role holders"} {
		l := byKind[k]
		slices.Sort(l)
		fmt.Fprintf(w, "  %-17s %6d  p50 %v  p99 %v\n", k, len(l), pctOf(l, .5), pctOf(l, .99))
	}
	fmt.Fprintf(w, "heap in use: %.0f MiB with the index loaded (fake site included), %.0f MiB after the load\n",
		float64(heapLoaded)/(1<<20), float64(ms.HeapInuse)/(1<<20))
	if failed.Load() > 0 {
		return fmt.Errorf("%d queries failed", failed.Load())
	}
	return nil
}

// call sends an authenticated request and returns the body of a 2xx answer.
func call(hc *http.Client, method, u string) ([]byte, error) {
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %d %s", method, u, resp.StatusCode, b)
	}
	return b, nil
}
