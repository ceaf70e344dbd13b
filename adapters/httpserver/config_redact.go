package httpserver

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/batonkit/jiracloud/internal/redact"
)

// redactedList says how many secrets a list holds without showing any.
func redactedList(n int) string {
	if n == 0 {
		return "[]"
	}
	return fmt.Sprintf("[%d redacted]", n)
}

// String prints the configuration with every secret redacted: the bearer
// tokens (only their number is shown), the webhook secret and the
// connector's API tokens. SyncOptions and Logger are left out.
func (c Config) String() string {
	return fmt.Sprintf("httpserver.Config{Connector:%v DataDir:%q Tokens:%s TLS:%t WebhookSecret:%q WebhookEvents:%q "+
		"WebhookDebounce:%v WebhookMaxDelay:%v Provisioning:%t MaxBodyBytes:%d CORSOrigins:%q ReadHeaderTimeout:%v "+
		"ReadTimeout:%v WriteTimeout:%v IdleTimeout:%v DownloadTimeout:%v KeepAlive:%v ShutdownGrace:%v "+
		"DrainTimeout:%v History:%d}",
		c.Connector.String(), c.DataDir, redactedList(len(c.Tokens)), c.TLS != nil, redact.Secret(c.WebhookSecret),
		c.WebhookEvents, c.WebhookDebounce, c.WebhookMaxDelay, c.Provisioning, c.MaxBodyBytes, c.CORSOrigins,
		c.ReadHeaderTimeout, c.ReadTimeout, c.WriteTimeout, c.IdleTimeout, c.DownloadTimeout, c.KeepAlive,
		c.ShutdownGrace, c.DrainTimeout, c.History)
}

// GoString is String, so %#v redacts too.
func (c Config) GoString() string { return c.String() }

// Format prints String for every verb, so no verb (%d, %x, %+v …) prints
// the fields one by one with the secrets.
func (c Config) Format(f fmt.State, verb rune) { redact.Format(f, verb, c.String()) }

// MarshalJSON encodes the settings with the secrets redacted (the
// connector's by its own MarshalJSON); SyncOptions, TLS and Logger are
// left out.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Connector         any      `json:"connector"`
		DataDir           string   `json:"data_dir"`
		Tokens            string   `json:"tokens"`
		TLS               bool     `json:"tls"`
		WebhookSecret     string   `json:"webhook_secret,omitempty"`
		WebhookEvents     []string `json:"webhook_events,omitempty"`
		WebhookDebounce   string   `json:"webhook_debounce"`
		WebhookMaxDelay   string   `json:"webhook_max_delay"`
		Provisioning      bool     `json:"provisioning"`
		MaxBodyBytes      int64    `json:"max_body_bytes"`
		CORSOrigins       []string `json:"cors_origins,omitempty"`
		ReadHeaderTimeout string   `json:"read_header_timeout"`
		ReadTimeout       string   `json:"read_timeout"`
		WriteTimeout      string   `json:"write_timeout"`
		IdleTimeout       string   `json:"idle_timeout"`
		DownloadTimeout   string   `json:"download_timeout"`
		KeepAlive         string   `json:"keep_alive"`
		ShutdownGrace     string   `json:"shutdown_grace"`
		DrainTimeout      string   `json:"drain_timeout"`
		History           int      `json:"history"`
	}{c.Connector, c.DataDir, redactedList(len(c.Tokens)), c.TLS != nil, redact.Secret(c.WebhookSecret),
		c.WebhookEvents, dur(c.WebhookDebounce), dur(c.WebhookMaxDelay), c.Provisioning, c.MaxBodyBytes, c.CORSOrigins,
		dur(c.ReadHeaderTimeout), dur(c.ReadTimeout), dur(c.WriteTimeout), dur(c.IdleTimeout), dur(c.DownloadTimeout),
		dur(c.KeepAlive), dur(c.ShutdownGrace), dur(c.DrainTimeout), c.History})
}

func dur(d time.Duration) string { return d.String() }

// LogValue implements slog.LogValuer with the secrets redacted.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.Any("connector", c.Connector),
		slog.String("data_dir", c.DataDir),
		slog.String("tokens", redactedList(len(c.Tokens))),
		slog.Bool("tls", c.TLS != nil),
		slog.String("webhook_secret", redact.Secret(c.WebhookSecret)),
		slog.Any("webhook_events", c.WebhookEvents),
		slog.String("webhook_debounce", dur(c.WebhookDebounce)),
		slog.String("webhook_max_delay", dur(c.WebhookMaxDelay)),
		slog.Bool("provisioning", c.Provisioning),
		slog.Int64("max_body_bytes", c.MaxBodyBytes),
		slog.Any("cors_origins", c.CORSOrigins),
		slog.String("read_header_timeout", dur(c.ReadHeaderTimeout)),
		slog.String("read_timeout", dur(c.ReadTimeout)),
		slog.String("write_timeout", dur(c.WriteTimeout)),
		slog.String("idle_timeout", dur(c.IdleTimeout)),
		slog.String("download_timeout", dur(c.DownloadTimeout)),
		slog.String("keep_alive", dur(c.KeepAlive)),
		slog.String("shutdown_grace", dur(c.ShutdownGrace)),
		slog.String("drain_timeout", dur(c.DrainTimeout)),
		slog.Int("history", c.History),
	)
}
