package main

import (
	"fmt"
	"io"
	"runtime/metrics"
	"sync"
	"time"
)

// memWatch samples the process while the sync runs: the resident set, what
// the Go runtime has mapped, and the Go heap. The difference between the
// resident set and the Go runtime's memory is memory allocated outside Go
// (Pebble's block cache and memtables live in C memory when cgo is on).
type memWatch struct {
	every   time.Duration
	profile string // write a heap profile here whenever the live heap reaches a new high
	trace   io.Writer
	began   time.Time
	n       int
	pending uint64 // write the profile once this many GC cycles have completed

	mu   sync.Mutex
	peak MemPeaks
	quit chan struct{}
	done chan struct{}
}

// MemPeaks are the highest values seen by the sampler, in MiB.
type MemPeaks struct {
	// RSSMiB is the highest sampled VmRSS; GoMiB and OutsideGoMiB split
	// that sample into the Go runtime's memory (mapped minus released) and
	// the rest (cgo allocations, binary, stacks of C threads).
	RSSMiB       float64 `json:"rssMiB"`
	GoMiB        float64 `json:"goAtRssPeakMiB"`
	OutsideGoMiB float64 `json:"outsideGoAtRssPeakMiB"`
	// HeapObjectsMiB is the highest Go heap (live and not yet swept
	// objects); HeapLiveMiB the highest heap marked live by a GC cycle.
	HeapObjectsMiB float64 `json:"heapObjectsMiB"`
	HeapLiveMiB    float64 `json:"heapLiveMiB"`
	// MaxOutsideGoMiB is the highest non-Go share seen at any sample.
	MaxOutsideGoMiB float64 `json:"maxOutsideGoMiB"`
	// MemoryLimitMiB is the highest Go soft memory limit in force while
	// the sync ran (0: none).
	MemoryLimitMiB float64 `json:"memoryLimitMiB"`
}

var memSamples = []metrics.Sample{
	{Name: "/memory/classes/total:bytes"},
	{Name: "/memory/classes/heap/released:bytes"},
	{Name: "/memory/classes/heap/objects:bytes"},
	{Name: "/gc/heap/live:bytes"},
	{Name: "/gc/gomemlimit:bytes"},
	{Name: "/gc/cycles/total:gc-cycles"},
}

func newMemWatch(every time.Duration, profile string, trace io.Writer) *memWatch {
	w := &memWatch{every: every, profile: profile, trace: trace, began: time.Now(),
		quit: make(chan struct{}), done: make(chan struct{})}
	if trace != nil {
		fmt.Fprintln(trace, "seconds,rssMiB,goMiB,heapObjectsMiB,heapLiveMiB")
	}
	return w
}

func (w *memWatch) start() {
	go func() {
		defer close(w.done)
		t := time.NewTicker(w.every)
		defer t.Stop()
		for {
			w.sample()
			select {
			case <-w.quit:
				return
			case <-t.C:
			}
		}
	}()
}

func (w *memWatch) sample() {
	s := make([]metrics.Sample, len(memSamples))
	copy(s, memSamples)
	metrics.Read(s)
	goBytes := float64(s[0].Value.Uint64()-s[1].Value.Uint64()) / (1 << 20)
	objects := float64(s[2].Value.Uint64()) / (1 << 20)
	live := float64(s[3].Value.Uint64()) / (1 << 20)
	limit := s[4].Value.Uint64()
	cycles := s[5].Value.Uint64()
	rss := procStatusMiB("VmRSS")
	newLive := false
	w.mu.Lock()
	if rss > w.peak.RSSMiB {
		w.peak.RSSMiB, w.peak.GoMiB, w.peak.OutsideGoMiB = rss, goBytes, max(rss-goBytes, 0)
	}
	w.peak.MaxOutsideGoMiB = max(w.peak.MaxOutsideGoMiB, rss-goBytes)
	w.peak.HeapObjectsMiB = max(w.peak.HeapObjectsMiB, objects)
	if live > w.peak.HeapLiveMiB*1.05 {
		newLive = true
	}
	w.peak.HeapLiveMiB = max(w.peak.HeapLiveMiB, live)
	if limit < 1<<62 {
		w.peak.MemoryLimitMiB = max(w.peak.MemoryLimitMiB, float64(limit)/(1<<20))
	}
	if w.trace != nil && w.n%4 == 0 {
		fmt.Fprintf(w.trace, "%.2f,%.0f,%.0f,%.0f,%.0f\n", time.Since(w.began).Seconds(), rss, goBytes, objects, live)
	}
	w.n++
	// A heap profile shows the heap as of the last completed GC cycle:
	// write it two cycles after the new high so that it includes it.
	if newLive {
		w.pending = cycles + 2
	}
	write := w.pending != 0 && cycles >= w.pending
	if write {
		w.pending = 0
	}
	w.mu.Unlock()
	if write && w.profile != "" {
		writeHeapProfile(w.profile)
	}
}

// stop ends sampling and returns the peaks.
func (w *memWatch) stop() MemPeaks {
	close(w.quit)
	<-w.done
	w.sample()
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.peak
}
