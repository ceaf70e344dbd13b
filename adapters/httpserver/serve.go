package httpserver

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
)

// Serve serves the API on ln until ctx ends, then shuts down gracefully:
// /readyz fails and new syncs are refused, a running sync gets
// ShutdownGrace to finish before it is cancelled (never leaving a partial
// c1z), event streams end, and in-flight requests get DrainTimeout to
// finish. With
// Config.TLS set, ln is served with TLS. Serve returns nil after a clean
// shutdown.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: s.cfg.ReadHeaderTimeout,
		ReadTimeout:       s.cfg.ReadTimeout,
		WriteTimeout:      s.cfg.WriteTimeout,
		IdleTimeout:       s.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
		TLSConfig:         s.cfg.TLS,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLS != nil {
			errc <- hs.ServeTLS(ln, "", "")
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		_ = s.Shutdown(context.Background())
		return err
	case <-ctx.Done():
	}
	s.log.Info("shutting down", "grace", s.cfg.ShutdownGrace.String(), "drain", s.cfg.DrainTimeout.String())
	grace, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownGrace)
	defer cancel()
	syncErr := s.Shutdown(grace)
	drain, cancel2 := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
	defer cancel2()
	err := hs.Shutdown(drain)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) && err == nil {
		err = serr
	}
	if syncErr != nil {
		s.log.Warn("shutdown", "error", syncErr.Error())
	}
	s.log.Info("stopped")
	return err
}
