package httpserver

import (
	"github.com/batonkit/jiracloud/jira"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

// metrics are the server's Prometheus collectors, on a registry of its own
// (never the global one, so two servers in one process do not collide).
type metrics struct {
	reg *prometheus.Registry

	syncs        *prometheus.CounterVec
	syncDuration *prometheus.HistogramVec
	syncRunning  prometheus.Gauge
	lastSuccess  prometheus.Gauge
	lastObjects  *prometheus.GaugeVec
	indexGrants  prometheus.Gauge
	indexSeconds prometheus.Gauge

	jiraRequests *prometheus.CounterVec
	jira429      *prometheus.CounterVec
	jiraRetries  *prometheus.CounterVec

	httpRequests *prometheus.CounterVec
	httpDuration *prometheus.HistogramVec
	webhooks     *prometheus.CounterVec
}

func newMetrics() *metrics {
	m := &metrics{reg: prometheus.NewRegistry()}
	f := func(c prometheus.Collector) { m.reg.MustRegister(c) }
	m.syncs = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiracloud_syncs_total",
		Help: "Syncs finished, by outcome (succeeded, failed, cancelled)."}, []string{"outcome"})
	m.syncDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jiracloud_sync_duration_seconds",
		Help:    "Wall time of finished syncs, by outcome.",
		Buckets: []float64{1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600, 7200}}, []string{"outcome"})
	m.syncRunning = prometheus.NewGauge(prometheus.GaugeOpts{Name: "jiracloud_sync_running",
		Help: "1 while a sync runs."})
	m.lastSuccess = prometheus.NewGauge(prometheus.GaugeOpts{Name: "jiracloud_last_sync_success_timestamp_seconds",
		Help: "Unix time the last successful sync finished."})
	m.lastObjects = prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "jiracloud_last_sync_objects",
		Help: "Objects in the last successful sync's c1z, by kind."}, []string{"kind"})
	m.indexGrants = prometheus.NewGauge(prometheus.GaugeOpts{Name: "jiracloud_query_index_direct_grants",
		Help: "Direct grants held by the query index of the last successful sync."})
	m.indexSeconds = prometheus.NewGauge(prometheus.GaugeOpts{Name: "jiracloud_query_index_build_seconds",
		Help: "Time the query index of the last successful sync took to build."})
	m.jiraRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiracloud_jira_requests_total",
		Help: "HTTP attempts sent to Jira and the Admin API (retries included), by method and route template."},
		[]string{"method", "route"})
	m.jira429 = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiracloud_jira_rate_limited_total",
		Help: "429 answers from Jira and the Admin API, by method and route template."}, []string{"method", "route"})
	m.jiraRetries = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiracloud_jira_retries_total",
		Help: "Retried requests to Jira and the Admin API, by method and route template."}, []string{"method", "route"})
	m.httpRequests = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiracloud_http_requests_total",
		Help: "Requests served by this server, by route pattern and status code."}, []string{"route", "code"})
	m.httpDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "jiracloud_http_request_duration_seconds",
		Help:    "Time to serve a request, by route pattern (streams and downloads included).",
		Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30}}, []string{"route"})
	m.webhooks = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "jiracloud_webhooks_total",
		Help: "Jira webhook deliveries, by result (scheduled, ignored, bad_signature, bad_request)."}, []string{"result"})
	for _, c := range []prometheus.Collector{m.syncs, m.syncDuration, m.syncRunning, m.lastSuccess, m.lastObjects,
		m.indexGrants, m.indexSeconds, m.jiraRequests, m.jira429, m.jiraRetries, m.httpRequests, m.httpDuration,
		m.webhooks, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{})} {
		f(c)
	}
	for _, o := range []string{outcomeSucceeded, outcomeFailed, outcomeCancelled} {
		m.syncs.WithLabelValues(o)
	}
	return m
}

// observe is the transport observer handed to the connector's clients
// (jira.WithObserver): it counts attempts, 429s and retries as they happen.
func (m *metrics) observe(e jira.Event) {
	switch e.Kind {
	case jira.EventAttempt:
		m.jiraRequests.WithLabelValues(e.Method, e.Route).Inc()
	case jira.EventRateLimited:
		m.jira429.WithLabelValues(e.Method, e.Route).Inc()
	case jira.EventRetry:
		m.jiraRetries.WithLabelValues(e.Method, e.Route).Inc()
	}
}
