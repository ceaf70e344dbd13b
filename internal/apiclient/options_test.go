package apiclient

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/batonkit/jiracloud/internal/transport"
)

func TestTransportOptionsValidate(t *testing.T) {
	t.Parallel()
	var o TransportOptions
	tests := []struct {
		err  error
		want string
	}{
		{o.SetTransport("jira", nil), "jira: WithTransport needs a transport"},
		{o.SetHTTPClient("atlassian", nil), "atlassian: WithHTTPClient needs a client"},
		{o.SetRateLimiter("jira", nil), "jira: WithRateLimiter needs a limiter"},
		{o.SetRateLimits("jira", transport.RateLimits{Burst: -1}), "jira: rate limits must not be negative"},
		{o.SetRetryPolicy("atlassian", transport.RetryPolicy{MaxDelay: -1}), "atlassian: retry policy values must not be negative"},
		{o.SetTimeout("jira", -time.Second), "jira: timeout must not be negative"},
	}
	for _, tt := range tests {
		if tt.err == nil || tt.err.Error() != tt.want {
			t.Errorf("error = %v, want %q", tt.err, tt.want)
		}
	}
}

func TestTransportOptionsBuild(t *testing.T) {
	t.Parallel()
	shared := transport.New(transport.Config{})
	var o TransportOptions
	if err := o.SetTransport("jira", shared); err != nil {
		t.Fatal(err)
	}
	if err := o.SetTimeout("jira", time.Second); err != nil {
		t.Fatal(err)
	}
	if got := o.Transport(func(transport.Config) *transport.Transport { t.Error("built despite a shared transport"); return nil }); got != shared {
		t.Error("the shared transport was not used")
	}

	var p TransportOptions
	if err := p.SetHTTPClient("jira", &http.Client{Timeout: 3 * time.Second}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRateLimits("jira", transport.RateLimits{Default: 7, Burst: 7}); err != nil {
		t.Fatal(err)
	}
	if err := p.SetRetryPolicy("jira", transport.RetryPolicy{MaxRetries: 1}); err != nil {
		t.Fatal(err)
	}
	var got transport.Config
	p.Transport(func(c transport.Config) *transport.Transport { got = c; return nil })
	if got.Base != http.DefaultTransport || got.Timeout != 3*time.Second {
		t.Errorf("http client: base %v, timeout %v", got.Base, got.Timeout)
	}
	if got.Limiter == nil || got.Limiter.Limits().Default != 7 {
		t.Errorf("rate limits did not build a limiter: %+v", got.Limiter)
	}
	if got.Retry == nil || got.Retry.MaxRetries != 1 {
		t.Errorf("retry = %+v", got.Retry)
	}

	lim := transport.NewLimiter(transport.Unlimited(), nil)
	var q TransportOptions
	_ = q.SetRateLimiter("jira", lim)
	_ = q.SetRateLimits("jira", transport.RateLimits{Default: 7})
	q.Transport(func(c transport.Config) *transport.Transport { got = c; return nil })
	if got.Limiter != lim {
		t.Error("a given limiter must win over rate limits")
	}
}

func TestUserAgent(t *testing.T) {
	t.Parallel()
	if got := UserAgent("", "1.2.3"); got != "jiracloud/1.2.3 (+https://github.com/batonkit/jiracloud)" {
		t.Errorf("default = %q", got)
	}
	if got := UserAgent("mine/1", "1.2.3"); got != "mine/1" || strings.Contains(got, "jiracloud") {
		t.Errorf("custom = %q", got)
	}
}
