package atlassian

import "github.com/batonkit/jiracloud/internal/transport"

// The transport types are the same types as package jira's, so a
// [Transport] built for one client (jira.NewTransport, or either client's
// Transport method) can be handed to the other with WithTransport, and both
// share one limiter and one set of counters.
type (
	// Transport is the HTTP stack shared by the Jira and Atlassian Admin
	// clients; it is the same type as jira.Transport.
	Transport = transport.Transport
	// Limiter paces requests per endpoint; it is the same type as
	// jira.Limiter.
	Limiter = transport.Limiter
	// RateLimits configures a [Limiter]; it is the same type as
	// jira.RateLimits.
	RateLimits = transport.RateLimits
	// RetryPolicy bounds retries; it is the same type as jira.RetryPolicy.
	RetryPolicy = transport.RetryPolicy
	// Stats is a snapshot of a transport's counters; it is the same type as
	// jira.Stats.
	Stats = transport.Stats
	// Event is one observation of the transport (an attempt, a 429 or a
	// retry); it is the same type as jira.Event.
	Event = transport.Event
	// Clock is the time source of the limiter and backoff; it is the same
	// type as jira.Clock.
	Clock = transport.Clock
)
