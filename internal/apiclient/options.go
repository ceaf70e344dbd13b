package apiclient

import (
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/batonkit/jiracloud/internal/transport"
)

// TransportOptions is the transport part of a client's configuration,
// filled by the client's With… options. Its setters validate their input
// and name pkg ("jira", "atlassian") and the option in their errors.
type TransportOptions struct {
	shared     *transport.Transport
	cfg        transport.Config
	limits     *transport.RateLimits
	timeoutSet bool
	maxBody    int64
}

// SetMaxResponseSize bounds the body of a 2xx answer.
func (o *TransportOptions) SetMaxResponseSize(pkg string, n int64) error {
	if n <= 0 {
		return invalid(pkg, "WithMaxResponseSize needs a positive size")
	}
	o.maxBody = n
	return nil
}

// MaxResponseSize is the 2xx body bound (DefaultMaxResponseSize unless set).
func (o *TransportOptions) MaxResponseSize() int64 {
	if o.maxBody > 0 {
		return o.maxBody
	}
	return DefaultMaxResponseSize
}

func invalid(pkg, msg string) error { return errors.New(pkg + ": " + msg) }

// SetTransport shares t; the other settings are then ignored.
func (o *TransportOptions) SetTransport(pkg string, t *transport.Transport) error {
	if t == nil {
		return invalid(pkg, "WithTransport needs a transport")
	}
	o.shared = t
	return nil
}

// SetHTTPClient uses hc's Transport (http.DefaultTransport when nil) and Timeout.
func (o *TransportOptions) SetHTTPClient(pkg string, hc *http.Client) error {
	if hc == nil {
		return invalid(pkg, "WithHTTPClient needs a client")
	}
	o.cfg.Base = hc.Transport
	if o.cfg.Base == nil {
		o.cfg.Base = http.DefaultTransport
	}
	o.cfg.Timeout = hc.Timeout
	o.timeoutSet = true
	return nil
}

// SetRateLimiter paces requests with l.
func (o *TransportOptions) SetRateLimiter(pkg string, l *transport.Limiter) error {
	if l == nil {
		return invalid(pkg, "WithRateLimiter needs a limiter")
	}
	o.cfg.Limiter = l
	return nil
}

// SetRateLimits sets the limits of a new limiter (unless one is set).
func (o *TransportOptions) SetRateLimits(pkg string, l transport.RateLimits) error {
	if l.Default < 0 || l.Burst < 0 || l.Global < 0 {
		return invalid(pkg, "rate limits must not be negative")
	}
	o.limits = &l
	return nil
}

// SetRetryPolicy sets the retry policy.
func (o *TransportOptions) SetRetryPolicy(pkg string, p transport.RetryPolicy) error {
	if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 {
		return invalid(pkg, "retry policy values must not be negative")
	}
	o.cfg.Retry = &p
	return nil
}

// SetTimeout bounds each attempt; 0 means no bound (the default, when no
// timeout and no HTTP client is set, is transport.DefaultAttemptTimeout).
func (o *TransportOptions) SetTimeout(pkg string, d time.Duration) error {
	if d < 0 {
		return invalid(pkg, "timeout must not be negative")
	}
	o.cfg.Timeout = d
	o.timeoutSet = true
	return nil
}

// SetLogger sends debug records to l.
func (o *TransportOptions) SetLogger(l *slog.Logger) { o.cfg.Logger = l }

// SetObserver sends transport events to f.
func (o *TransportOptions) SetObserver(f func(transport.Event)) { o.cfg.Observer = f }

// SetClock injects the time source of the limiter and backoff.
func (o *TransportOptions) SetClock(clk transport.Clock) { o.cfg.Clock = clk }

// Transport returns the shared transport, or one built by newTransport
// from the settings (with a limiter for the rate limits, if set and no
// limiter was given).
func (o *TransportOptions) Transport(newTransport func(transport.Config) *transport.Transport) *transport.Transport {
	if o.shared != nil {
		return o.shared
	}
	cfg := o.cfg
	if o.timeoutSet && cfg.Timeout == 0 {
		cfg.Timeout = -1 // asked for none (NewTransport reads 0 as the default)
	}
	if cfg.Limiter == nil && o.limits != nil {
		cfg.Limiter = transport.NewLimiter(*o.limits, cfg.Clock)
	}
	return newTransport(cfg)
}

// UserAgent returns ua, or the library's default User-Agent for version
// when ua is empty.
func UserAgent(ua, version string) string {
	if ua == "" {
		return "jiracloud/" + version + " (+https://github.com/batonkit/jiracloud)"
	}
	return ua
}

// ApplyOptions applies each non-nil option to cfg in order and returns the
// first error.
func ApplyOptions[C any, O ~func(*C) error](cfg *C, opts []O) error {
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			return err
		}
	}
	return nil
}

// sdCustomerRoute is Jira Service Management's customer list, which Jira
// documents at 5 requests per second.
const sdCustomerRoute = "GET /rest/servicedeskapi/servicedesk/{}/customer"

// DefaultRateLimits are the limits of a transport built by either client
// without WithRateLimits: Jira Cloud's documented per-endpoint burst limits
// (transport.DefaultRateLimits) plus the Service Management customer list
// at 5/s. Both clients use the same defaults because a transport may be
// shared between them.
func DefaultRateLimits() transport.RateLimits {
	l := transport.DefaultRateLimits()
	l.Overrides[sdCustomerRoute] = 5
	return l
}

// NewTransport builds a transport; a nil cfg.Limiter gets a new limiter
// with [DefaultRateLimits], a zero cfg.Timeout the clients' default
// transport.DefaultAttemptTimeout (a negative one means no bound), and a nil
// cfg.Base a pooled round tripper with transport.DefaultResponseHeaderTimeout.
// So a transport built only to be shared between the two clients bounds
// each attempt exactly as a client's own would.
func NewTransport(cfg transport.Config) *transport.Transport {
	if cfg.Timeout == 0 {
		cfg.Timeout = transport.DefaultAttemptTimeout
	}
	if cfg.Limiter == nil {
		cfg.Limiter = transport.NewLimiter(DefaultRateLimits(), cfg.Clock)
	}
	return transport.New(cfg)
}
