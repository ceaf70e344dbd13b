package embed

import (
	"context"
	"errors"
	"sync"

	"github.com/conductorone/baton-sdk/pkg/types/sessions"
)

// errNoSessionStore is returned by session calls made before the syncer has
// opened its store (the syncer opens it before its first connector call).
var errNoSessionStore = errors.New("embed: session store used before the sync opened its c1z")

// lazySessionStore is the session store handed to the connector. The SDK
// syncer plugs the c1z's own session store into it (sync.WithSessionStore
// calls SetSessionStore once the c1z is open), which is what the CLI runner
// does over gRPC. Until then every call fails with errNoSessionStore.
type lazySessionStore struct {
	mu    sync.RWMutex
	inner sessions.SessionStore
}

var (
	_ sessions.SessionStore    = (*lazySessionStore)(nil)
	_ sessions.SetSessionStore = (*lazySessionStore)(nil)
)

func (s *lazySessionStore) SetSessionStore(_ context.Context, store sessions.SessionStore) {
	s.mu.Lock()
	s.inner = store
	s.mu.Unlock()
}

func (s *lazySessionStore) store() (sessions.SessionStore, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.inner == nil {
		return nil, errNoSessionStore
	}
	return s.inner, nil
}

func (s *lazySessionStore) Get(ctx context.Context, key string, opt ...sessions.SessionStoreOption) ([]byte, bool, error) {
	st, err := s.store()
	if err != nil {
		return nil, false, err
	}
	return st.Get(ctx, key, opt...)
}

func (s *lazySessionStore) GetMany(ctx context.Context, keys []string, opt ...sessions.SessionStoreOption) (map[string][]byte, []string, error) {
	st, err := s.store()
	if err != nil {
		return nil, nil, err
	}
	return st.GetMany(ctx, keys, opt...)
}

func (s *lazySessionStore) Set(ctx context.Context, key string, value []byte, opt ...sessions.SessionStoreOption) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.Set(ctx, key, value, opt...)
}

func (s *lazySessionStore) SetMany(ctx context.Context, values map[string][]byte, opt ...sessions.SessionStoreOption) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.SetMany(ctx, values, opt...)
}

func (s *lazySessionStore) Delete(ctx context.Context, key string, opt ...sessions.SessionStoreOption) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.Delete(ctx, key, opt...)
}

func (s *lazySessionStore) Clear(ctx context.Context, opt ...sessions.SessionStoreOption) error {
	st, err := s.store()
	if err != nil {
		return err
	}
	return st.Clear(ctx, opt...)
}

func (s *lazySessionStore) GetAll(ctx context.Context, pageToken string, opt ...sessions.SessionStoreOption) (map[string][]byte, string, error) {
	st, err := s.store()
	if err != nil {
		return nil, "", err
	}
	return st.GetAll(ctx, pageToken, opt...)
}
