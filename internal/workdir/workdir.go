// Package workdir keeps a sync's working files private and cleans up what a
// killed sync left behind: it locks working directories while they are in
// use, and removes stale ones (the SDK's c1z-pebble* stores, which reach
// hundreds of MB, and our own jiracloud-sync-* and .partial leftovers) only
// when they are ours, old and not in use.
package workdir

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// DefaultStaleAfter is how old a leftover must be before Clean removes it.
const DefaultStaleAfter = 15 * time.Minute

// SyncDirPrefix names the private working directories Create makes.
const SyncDirPrefix = "jiracloud-sync-"

// pebblePrefix names the SDK's Pebble working directories.
const pebblePrefix = "c1z-pebble"

// lockName is the lock file inside a working directory.
const lockName = ".lock"

// ErrLocked is returned by Lock when another sync holds the lock.
var ErrLocked = errors.New("in use by another sync")

// Dir is a locked private working directory.
type Dir struct {
	Path   string
	unlock func()
}

// Create makes a new private (0700) working directory under parent and
// locks it. Close unlocks and removes it.
func Create(parent string) (*Dir, error) {
	if parent == "" {
		parent = os.TempDir()
	}
	p, err := os.MkdirTemp(parent, SyncDirPrefix+"*")
	if err != nil {
		return nil, err
	}
	unlock, err := Lock(p)
	if err != nil {
		_ = os.RemoveAll(p)
		return nil, err
	}
	return &Dir{Path: p, unlock: unlock}, nil
}

// Open creates (0700) or reuses the directory p and locks it; it fails
// with ErrLocked when another sync holds it.
func Open(p string) (*Dir, error) {
	if err := os.Mkdir(p, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return nil, err
	}
	if fi, err := os.Lstat(p); err != nil || !fi.IsDir() {
		return nil, fmt.Errorf("%s exists and is not a directory", p)
	}
	if err := os.Chmod(p, 0o700); err != nil {
		return nil, err
	}
	unlock, err := Lock(p)
	if err != nil {
		return nil, err
	}
	return &Dir{Path: p, unlock: unlock}, nil
}

// Unlock releases the lock and leaves the directory in place.
func (d *Dir) Unlock() {
	if d.unlock != nil {
		d.unlock()
		d.unlock = nil
	}
}

// Close releases the lock and removes the directory.
func (d *Dir) Close() error {
	d.Unlock()
	return os.RemoveAll(d.Path)
}

// lockGrace is how old a Pebble store's LOCK file must be before an
// unheld one proves the store unused: Pebble creates the file and takes
// its lock a moment later.
const lockGrace = time.Minute

// processStart is when this process started (near enough: when the
// package was initialised). Pebble's lock is an fcntl lock, which does not
// show to the process that holds it, so an unheld LOCK proves a store
// unused only when it is older than this process: a store of this process
// (a long-lived server, or embed syncing again) is never proven so, and
// waits for staleAfter like any store without proof. A variable for tests.
var processStart = time.Now()

// Lock takes an exclusive lock on dir's lock file without waiting. The lock
// is held by the open file (flock), so it ends when the process dies, even
// by SIGKILL, and conflicts with another open in the same process too.
// Once it holds the lock it writes its process ID into the file: a lock
// file with content that nobody holds locked proves the directory's user
// gone, and Clean removes such a directory at once.
func Lock(dir string) (func(), error) {
	f, err := os.OpenFile(filepath.Join(dir, lockName), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	if err := tryLock(f); err != nil {
		_ = f.Close()
		return nil, err
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return func() { _ = f.Close() }, nil
}

// lockWritten reports whether dir's lock file has content: a Lock held it
// (the content is written only under the lock).
func lockWritten(dir string) bool {
	fi, err := os.Lstat(filepath.Join(dir, lockName))
	return err == nil && fi.Mode().IsRegular() && fi.Size() > 0
}

// Clean removes, under parent (the temporary directory of syncs), the
// leftovers of killed syncs: jiracloud-sync-* directories nobody holds
// locked, and the SDK's c1z-pebble* directories whose Pebble lock no other
// process holds. Either must belong to the current user. It removes one at
// once when its lock proves it unused: a jiracloud-sync-* directory whose
// lock file a sync wrote (see Lock) and nobody holds, a Pebble store whose
// LOCK file is older than a minute and than this process, and not held. Any other (no lock file,
// or one never written: a directory of an older version, or one being
// created) must also not have changed for staleAfter (DefaultStaleAfter
// when 0). It returns the paths removed; failures are logged and skipped.
func Clean(parent string, staleAfter time.Duration, log *slog.Logger) []string {
	if parent == "" {
		parent = os.TempDir()
	}
	if staleAfter <= 0 {
		staleAfter = DefaultStaleAfter
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	var removed []string
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		ours := strings.HasPrefix(name, SyncDirPrefix)
		if !e.IsDir() || !ours && !strings.HasPrefix(name, pebblePrefix) {
			continue
		}
		p := filepath.Join(parent, name)
		if !owned(p) {
			continue
		}
		if ours {
			// Checked before locking (Lock writes the file): content means
			// a sync held the lock, so taking it now proves that sync gone.
			if !lockWritten(p) && !stale(p, now, staleAfter) {
				continue
			}
			unlock, err := Lock(p)
			if err != nil {
				continue // in use, or not ours to judge
			}
			err = os.RemoveAll(p)
			unlock()
			if err == nil {
				removed = append(removed, p)
				log.Info("jiracloud: removed the working directory of an interrupted sync", "path", p)
			}
			continue
		}
		// A Pebble store: the SDK's engine holds db/LOCK (fcntl) while open.
		lock := filepath.Join(p, "db", "LOCK")
		proven := fileOlder(lock, now, lockGrace) && fileOlder(lock, processStart, 0)
		if !proven && (!stale(p, now, staleAfter) || !stale(filepath.Join(p, "db"), now, staleAfter)) || pebbleLocked(lock) {
			continue
		}
		if err := os.RemoveAll(p); err == nil {
			removed = append(removed, p)
			log.Info("jiracloud: removed the Pebble store of an interrupted sync", "path", p)
		}
	}
	return removed
}

// CleanPartials removes, next to the c1z file final, the hidden
// ".<name>.*.partial" files that earlier versions wrote into and a killed
// sync left, when they are the user's and older than staleAfter.
func CleanPartials(final string, staleAfter time.Duration) []string {
	if staleAfter <= 0 {
		staleAfter = DefaultStaleAfter
	}
	dir, base := filepath.Split(final)
	matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(base)+".*.partial"))
	var removed []string
	now := time.Now()
	for _, m := range matches {
		fi, err := os.Lstat(m)
		if err != nil || !fi.Mode().IsRegular() || !owned(m) || now.Sub(fi.ModTime()) < staleAfter {
			continue
		}
		if os.Remove(m) == nil {
			removed = append(removed, m)
		}
	}
	return removed
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}

// fileOlder reports whether the regular file p exists and has not changed
// for d.
func fileOlder(p string, now time.Time, d time.Duration) bool {
	fi, err := os.Lstat(p)
	return err == nil && fi.Mode().IsRegular() && now.Sub(fi.ModTime()) >= d
}

// stale reports whether p has not changed for d (missing counts as stale).
func stale(p string, now time.Time, d time.Duration) bool {
	fi, err := os.Lstat(p)
	if err != nil {
		return errors.Is(err, fs.ErrNotExist)
	}
	return now.Sub(fi.ModTime()) >= d
}
