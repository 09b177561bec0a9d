// Package ratelimit counts attempts per key (an address, an account) in a
// sliding window and says when a key has had enough. It lives in memory: each
// instance limits on its own, which bounds a guesser at N x limit across N
// instances; accounts are also locked in the database after repeated
// failures, which holds across instances.
package ratelimit

import (
	"sync"
	"time"
)

// Limiter allows Max attempts per key in any Window.
type Limiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu    sync.Mutex
	hits  map[string][]time.Time
	swept time.Time
}

// maxKeys bounds memory under a flood of distinct keys: past it, the oldest
// half of the keys is forgotten (they were the least likely to be limited).
const maxKeys = 100_000

func (l *Limiter) now() time.Time {
	if l.Now != nil {
		return l.Now()
	}
	return time.Now()
}

// Allow records an attempt for key and reports whether it is within the limit.
func (l *Limiter) Allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.hits == nil {
		l.hits = map[string][]time.Time{}
	}
	if now.Sub(l.swept) > l.Window || len(l.hits) > maxKeys {
		l.sweep(now)
	}
	recent := l.hits[key][:0]
	for _, t := range l.hits[key] {
		if now.Sub(t) < l.Window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= l.Max {
		l.hits[key] = recent
		return false
	}
	l.hits[key] = append(recent, now)
	return true
}

func (l *Limiter) sweep(now time.Time) {
	l.swept = now
	for k, ts := range l.hits {
		if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= l.Window {
			delete(l.hits, k)
		}
	}
	if len(l.hits) > maxKeys {
		n := 0
		for k := range l.hits {
			delete(l.hits, k)
			if n++; n > maxKeys/2 {
				break
			}
		}
	}
}
